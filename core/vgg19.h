// SPDX-License-Identifier: GPL-3.0-or-later
// The VGG19 feature extractor: the layer table and a forward pass that stops at the deepest layer asked for.
#pragma once

#include "weights.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace neural_style {

struct VggConv {
    const char *name;   // "conv1_1"
    int feature_index;  // N in "features.N.weight"
    int in_channels;
    int out_channels;
    bool pool_after;    // a 2x2 max pool follows this conv's ReLU
};

// The 13 convolutions from conv1_1 to conv5_1, in order.
const std::vector<VggConv> &vgg19_convs();

// Position of a conv in vgg19_convs() by name; throws StyleError for an unknown name.
int vgg19_conv_position(const std::string &name);

// How many input pixels one feature of the conv at `position` steps over: 2 to the number of pools before it.
int vgg19_stride(int position);

class Vgg19Features {
public:
    // Copies the weights to `device`; they never take gradients.
    Vgg19Features(const Vgg19Weights &weights, torch::Device device);

    // `image` is [1, 3, H, W], already ImageNet-normalised. Returns the post-ReLU activation of each position
    // in `positions` (indices into vgg19_convs()), in the same order; convs past the deepest are not run.
    std::vector<torch::Tensor> forward(const torch::Tensor &image, const std::vector<int> &positions) const;

private:
    std::vector<torch::Tensor> weight_;
    std::vector<torch::Tensor> bias_;
};

// ImageNet normalisation of a [1, 3, H, W] RGB tensor in [0,1], and its inverse.
torch::Tensor imagenet_normalize(const torch::Tensor &rgb);
torch::Tensor imagenet_denormalize(const torch::Tensor &normalized);

} // namespace neural_style
