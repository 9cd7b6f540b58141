// SPDX-License-Identifier: GPL-3.0-or-later
#include "vgg19.h"

#include "device.h"
#include "error.h"

#include <torch/nn/functional.h>

#include <algorithm>

namespace neural_style {

namespace F = torch::nn::functional;

const std::vector<VggConv> &vgg19_convs() {
    static const std::vector<VggConv> table = {
        {"conv1_1", 0, 3, 64, false},     {"conv1_2", 2, 64, 64, true},
        {"conv2_1", 5, 64, 128, false},   {"conv2_2", 7, 128, 128, true},
        {"conv3_1", 10, 128, 256, false}, {"conv3_2", 12, 256, 256, false},
        {"conv3_3", 14, 256, 256, false}, {"conv3_4", 16, 256, 256, true},
        {"conv4_1", 19, 256, 512, false}, {"conv4_2", 21, 512, 512, false},
        {"conv4_3", 23, 512, 512, false}, {"conv4_4", 25, 512, 512, true},
        {"conv5_1", 28, 512, 512, false},
    };
    return table;
}

int vgg19_conv_position(const std::string &name) {
    const auto &table = vgg19_convs();
    for (size_t i = 0; i < table.size(); ++i)
        if (name == table[i].name)
            return static_cast<int>(i);
    throw StyleError("unknown VGG19 layer '" + name + "'");
}

int vgg19_stride(int position) {
    int stride = 1;
    for (int i = 0; i < position; ++i)
        if (vgg19_convs()[i].pool_after)
            stride *= 2;
    return stride;
}

Vgg19Features::Vgg19Features(const Vgg19Weights &weights, torch::Device device) {
    for (size_t i = 0; i < weights.conv_weight.size(); ++i) {
        weight_.push_back(
            upload(weights.conv_weight[i], device).contiguous(at::MemoryFormat::ChannelsLast).requires_grad_(false));
        bias_.push_back(upload(weights.conv_bias[i], device).requires_grad_(false));
    }
}

std::vector<torch::Tensor> Vgg19Features::forward(const torch::Tensor &image,
                                                  const std::vector<int> &positions) const {
    const int count = static_cast<int>(vgg19_convs().size());
    if (positions.empty() || *std::min_element(positions.begin(), positions.end()) < 0 ||
        *std::max_element(positions.begin(), positions.end()) >= count)
        throw StyleError("VGG19 features: layer positions must be between 0 and " + std::to_string(count - 1));
    const int deepest = *std::max_element(positions.begin(), positions.end());
    std::vector<torch::Tensor> activations(vgg19_convs().size());
    // Channels-last is the layout oneDNN (CPU) and cuDNN (tensor cores) convolve fastest in.
    torch::Tensor x = image.contiguous(at::MemoryFormat::ChannelsLast);
    for (int i = 0; i <= deepest; ++i) {
        x = torch::relu(F::conv2d(x, weight_[i], F::Conv2dFuncOptions().bias(bias_[i]).padding(1)));
        activations[i] = x;
        if (vgg19_convs()[i].pool_after && i < deepest)
            x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2));
    }
    std::vector<torch::Tensor> wanted;
    for (int position : positions)
        wanted.push_back(activations[position]);
    return wanted;
}

namespace {

torch::Tensor channel_constant(const torch::Tensor &like, std::initializer_list<float> values) {
    return torch::tensor(std::vector<float>(values), like.options()).view({1, 3, 1, 1});
}

} // namespace

torch::Tensor imagenet_normalize(const torch::Tensor &rgb) {
    return (rgb - channel_constant(rgb, {0.485f, 0.456f, 0.406f})) / channel_constant(rgb, {0.229f, 0.224f, 0.225f});
}

torch::Tensor imagenet_denormalize(const torch::Tensor &normalized) {
    return normalized * channel_constant(normalized, {0.229f, 0.224f, 0.225f}) +
           channel_constant(normalized, {0.485f, 0.456f, 0.406f});
}

} // namespace neural_style
