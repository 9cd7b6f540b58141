// SPDX-License-Identifier: GPL-3.0-or-later
// VGG19 convolution weights through conv5_1, read from a safetensors file with torchvision/timm key names.
#pragma once

#include "safetensors_header.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace neural_style {

struct Vgg19Weights {
    // Indexed like vgg19_convs() (conv1_1 ... conv5_1); each weight is [Cout, Cin, 3, 3], each bias [Cout].
    std::vector<torch::Tensor> conv_weight;
    std::vector<torch::Tensor> conv_bias;
};

// Reads and checks everything the core needs; tensors it does not need (a classifier) are never read.
// Throws StyleError naming the file and the problem.
Vgg19Weights load_vgg19_weights(const std::string &path);

// Every key and shape the core reads, in file order: "features.N.weight" / "features.N.bias".
std::vector<NeededTensor> needed_vgg19_tensors();

} // namespace neural_style
