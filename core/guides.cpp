// SPDX-License-Identifier: GPL-3.0-or-later
#include "guides.h"

#include "vgg19.h"

#include <torch/nn/functional.h>

namespace neural_style {

namespace F = torch::nn::functional;

torch::Tensor fill_hidden(const torch::Tensor &rgb, const torch::Tensor &weight) {
    const torch::Tensor total = weight.sum();
    if (total.item<double>() <= 0)
        return rgb;
    const torch::Tensor mean = (rgb * weight).sum({2, 3}, true) / total;
    return torch::where(weight.gt(0), rgb, mean.expand_as(rgb));
}

torch::Tensor feature_weight(const torch::Tensor &weight, int position) {
    const int stride = vgg19_stride(position);
    // Each pool floors, as the feature map does.
    const std::vector<int64_t> size{weight.size(2) / stride, weight.size(3) / stride};
    const torch::Tensor averaged = F::interpolate(weight, F::InterpolateFuncOptions().size(size).mode(torch::kArea));
    return -F::max_pool2d(-averaged, F::MaxPool2dFuncOptions(3).stride(1).padding(1));
}

} // namespace neural_style
