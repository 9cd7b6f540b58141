// SPDX-License-Identifier: GPL-3.0-or-later
// check-fetched-weights SOURCE FETCHED: FETCHED must load with the core loader, hold exactly the tensors the core
// needs, and equal SOURCE's tensors bit for bit. Exit 0 when so, 1 with one line on stderr otherwise.
#include "safetensors.h"
#include "weights.h"

#include <torch/torch.h>

#include <iostream>
#include <set>

namespace ns = neural_style;

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: check-fetched-weights SOURCE FETCHED\n";
        return 2;
    }
    try {
        const ns::Vgg19Weights loaded = ns::load_vgg19_weights(argv[2]);
        ns::SafetensorsFile source(argv[1]);
        ns::SafetensorsFile fetched(argv[2]);
        const std::vector<ns::NeededTensor> needed = ns::needed_vgg19_tensors();
        std::set<std::string> keys;
        for (const auto &[key, entry] : fetched.header().tensors)
            keys.insert(key);
        if (keys.size() != needed.size()) {
            std::cerr << "fetched file holds " << keys.size() << " tensors, expected " << needed.size() << "\n";
            return 1;
        }
        if (fetched.header().data_start % 8 != 0) {
            std::cerr << "data section is not 8-byte aligned\n";
            return 1;
        }
        for (size_t i = 0; i < needed.size(); ++i) {
            const torch::Tensor &got = i % 2 == 0 ? loaded.conv_weight[i / 2] : loaded.conv_bias[i / 2];
            if (!keys.count(needed[i].key)) {
                std::cerr << "fetched file lacks " << needed[i].key << "\n";
                return 1;
            }
            if (!torch::equal(got, source.read_f32(needed[i].key, needed[i].shape))) {
                std::cerr << needed[i].key << " differs from the source\n";
                return 1;
            }
        }
        std::cout << "ok: " << needed.size() << " tensors equal the source\n";
        return 0;
    } catch (const std::exception &e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
