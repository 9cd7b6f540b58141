// SPDX-License-Identifier: GPL-3.0-or-later
#include "random_weights.h"

#include "weights.h"

#include <torch/torch.h>

#include <cmath>

namespace neural_style::random_weights {

torch::Tensor conv_weight(std::int64_t out_channels, std::int64_t in_channels) {
    return torch::randn({out_channels, in_channels, 3, 3}) * std::sqrt(2.0 / (in_channels * 9.0));
}

std::vector<std::pair<std::string, torch::Tensor>> random_vgg19_tensors(std::uint64_t seed) {
    torch::manual_seed(seed);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const NeededTensor &needed : needed_vgg19_tensors()) {
        const std::vector<int64_t> &shape = needed.shape;
        tensors.emplace_back(needed.key, shape.size() == 4 ? conv_weight(shape[0], shape[1])
                                                           : torch::randn(shape) * 0.01);
    }
    return tensors;
}

} // namespace neural_style::random_weights
