// SPDX-License-Identifier: GPL-3.0-or-later
// The Gatys losses, exactly as the seed notebook defines them.
#pragma once

#include <torch/types.h>

namespace neural_style {

// F·Fᵀ of a [1, d, h, w] feature map reshaped to (d, h·w); not normalised.
torch::Tensor gram_matrix(const torch::Tensor &features);

// mean((T − C)²)
torch::Tensor content_loss(const torch::Tensor &target_features, const torch::Tensor &content_features);

// mean((G_T − G_S)²) / (d·h·w), where d, h, w are the target feature map's sizes.
torch::Tensor style_layer_loss(const torch::Tensor &target_gram, const torch::Tensor &style_gram,
                               const torch::Tensor &target_features);

// Mean squared difference between horizontal and vertical neighbours of a [1, 3, H, W] image.
torch::Tensor total_variation(const torch::Tensor &image);

} // namespace neural_style
