// SPDX-License-Identifier: GPL-3.0-or-later
// Seeded random VGG19 weights: what the tests, make-test-weights and the benchmark run on in place of the ImageNet
// weights, which cannot be downloaded where they run. The same seed gives the same tensors in all three (the tests
// compare against recorded behaviour).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neural_style::random_weights {

// A 3x3 convolution's weights drawn from LibTorch's global generator, He-initialised (normal with variance
// 2 / fan-in) so that activations keep a sensible scale through all the layers.
torch::Tensor conv_weight(std::int64_t out_channels, std::int64_t in_channels);

// The tensors the core reads (needed_vgg19_tensors(): conv1_1 ... conv5_1, torchvision key names, file order),
// drawn after seeding LibTorch's global generator with `seed`: conv_weight() weights, biases normal * 0.01.
std::vector<std::pair<std::string, torch::Tensor>> random_vgg19_tensors(std::uint64_t seed);

} // namespace neural_style::random_weights
