// SPDX-License-Identifier: GPL-3.0-or-later
// Where a picture counts, on VGG19's feature maps: the artist's mask over the content, and transparency over any
// picture, as weights on the feature positions that the Gram matrices sum over (guided Gram matrices, Gatys et
// al. 2017, "Controlling Perceptual Factors in Neural Style Transfer", section 4).
#pragma once

#include <torch/types.h>

namespace neural_style {

// `rgb` ([1, 3, H, W]) with every pixel whose weight ([1, 1, H, W]) is 0 set to the weighted mean colour: what
// hides under transparency (black, or whatever colours were left there) then reaches no feature, not even
// through the receptive fields of the visible pixels beside it.
torch::Tensor fill_hidden(const torch::Tensor &rgb, const torch::Tensor &weight);

// A pixel weight map ([1, 1, H, W]) brought onto the feature map of the conv at `position` for an image of that
// size: averaged over each feature's pixels (soft masks stay soft), then eroded by one feature, so that positions
// straddling an edge count as outside and the style inside does not bleed out.
torch::Tensor feature_weight(const torch::Tensor &weight, int position);

} // namespace neural_style
