// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the seeded random VGG19 weights of tools/random_weights.h as safetensors: what the tests use in place of
// the ImageNet weights, which cannot be downloaded here.
//
//   make-test-weights OUTPUT [--seed N] [--timm [--classifier-mb M]]
//
// --timm writes a file shaped like timm's vgg19.tv_in1k model.safetensors: all sixteen convolutions and classifier
// tensors (M MiB of them, default 64), keys in alphabetical order as the Python writer stores them.
#include "random_weights.h"
#include "safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

namespace ns = neural_style;

int main(int argc, char **argv) {
    std::string output;
    uint64_t seed = 1;
    bool timm = false;
    int64_t classifier_mb = 64;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seed" && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--timm")
            timm = true;
        else if (arg == "--classifier-mb" && i + 1 < argc)
            classifier_mb = std::strtoll(argv[++i], nullptr, 10);
        else if (output.empty() && arg[0] != '-')
            output = arg;
        else {
            std::cerr << "usage: make-test-weights OUTPUT [--seed N] [--timm [--classifier-mb M]]\n";
            return 2;
        }
    }
    if (output.empty()) {
        std::cerr << "usage: make-test-weights OUTPUT [--seed N] [--timm [--classifier-mb M]]\n";
        return 2;
    }

    std::vector<std::pair<std::string, torch::Tensor>> tensors = ns::random_weights::random_vgg19_tensors(seed);
    if (timm) {
        for (int index : {30, 32, 34}) {
            tensors.emplace_back("features." + std::to_string(index) + ".weight",
                                 ns::random_weights::conv_weight(512, 512));
            tensors.emplace_back("features." + std::to_string(index) + ".bias", torch::zeros({512}));
        }
        const int64_t rows = std::max<int64_t>(1, classifier_mb * 1024 * 1024 / 4 / 4096);
        tensors.emplace_back("head.fc.bias", torch::zeros({1000}));
        tensors.emplace_back("head.fc.weight", torch::randn({1000, 4096}) * 0.01);
        tensors.emplace_back("pre_logits.fc1.bias", torch::zeros({rows}));
        tensors.emplace_back("pre_logits.fc1.weight", torch::randn({rows, 4096}) * 0.01);
        std::sort(tensors.begin(), tensors.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    }
    try {
        ns::write_safetensors(output, tensors);
    } catch (const std::exception &e) {
        std::cerr << "make-test-weights: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
