// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights.h"

#include "error.h"
#include "safetensors.h"
#include "vgg19.h"

namespace neural_style {

namespace {

std::string key_of(int feature_index, const char *part) {
    return "features." + std::to_string(feature_index) + "." + part;
}

} // namespace

std::vector<NeededTensor> needed_vgg19_tensors() {
    std::vector<NeededTensor> needed;
    for (const VggConv &conv : vgg19_convs()) {
        needed.push_back({key_of(conv.feature_index, "weight"), {conv.out_channels, conv.in_channels, 3, 3}});
        needed.push_back({key_of(conv.feature_index, "bias"), {conv.out_channels}});
    }
    return needed;
}

Vgg19Weights load_vgg19_weights(const std::string &path) {
    SafetensorsFile file(path);
    Vgg19Weights weights;
    const std::vector<NeededTensor> needed = needed_vgg19_tensors();
    for (size_t i = 0; i < needed.size(); i += 2) {
        weights.conv_weight.push_back(file.read_f32(needed[i].key, needed[i].shape));
        weights.conv_bias.push_back(file.read_f32(needed[i + 1].key, needed[i + 1].shape));
    }
    return weights;
}

} // namespace neural_style
