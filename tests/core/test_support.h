// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the core's tests: temporary folders, seeded VGG19-shaped weights, synthetic images.
#pragma once

#include "image.h"
#include "random_weights.h"
#include "safetensors.h"
#include "weights.h"

#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

// A fresh folder under the system's temporary folder, removed with everything in it at the end of the scope.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "neural-style-test-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    std::string file(const std::string &name) const { return (path_ / name).string(); }
    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Seeded VGG19 tensors through conv5_1 with torchvision key names, the same as make-test-weights writes.
using neural_style::random_weights::random_vgg19_tensors;

inline neural_style::Vgg19Weights weights_from(const std::vector<std::pair<std::string, torch::Tensor>> &tensors) {
    neural_style::Vgg19Weights weights;
    for (size_t i = 0; i < tensors.size(); i += 2) {
        weights.conv_weight.push_back(tensors[i].second);
        weights.conv_bias.push_back(tensors[i + 1].second);
    }
    return weights;
}

// A deterministic, textured RGBA image with values in [0,1]; `variant` changes the pattern. Alpha is opaque.
inline neural_style::RgbaImage pattern_image(int width, int height, int variant) {
    neural_style::RgbaImage image(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float *p = &image.pixels[(static_cast<size_t>(y) * width + x) * 4];
            for (int c = 0; c < 3; ++c) {
                const double phase = 0.7 * variant + 1.3 * c;
                const double v = 0.5 + 0.25 * std::sin(0.45 * x * (1 + variant) + phase) +
                                 0.2 * std::cos(0.3 * y * (2 + c) - phase) + 0.05 * (((x * 7 + y * 13 + c) % 5) - 2);
                p[c] = static_cast<float>(std::min(1.0, std::max(0.0, v)));
            }
            p[3] = 1.0f;
        }
    return image;
}

// Writes a safetensors file by hand: 8-byte little-endian length, `header` as given, then `data`.
inline void write_raw_safetensors(const std::string &path, const std::string &header, const std::string &data) {
    std::string prefix(8, '\0');
    const std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i)
        prefix[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << prefix << header << data;
    if (!out.flush())
        throw std::runtime_error("cannot write " + path);
}

} // namespace test_support
