#include "inputs.h"

#include "error.h"
#include "random_weights.h"
#include "safetensors.h"
#include "weights.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <utility>
#include <vector>

namespace neural_style::benchmark {

void write_weights(const std::string &path, const std::string &weights_file, std::uint64_t seed) {
    if (weights_file.empty()) {
        write_safetensors(path, random_weights::random_vgg19_tensors(seed));
        return;
    }
    const Vgg19Weights weights = load_vgg19_weights(weights_file);
    // needed_vgg19_tensors() names each convolution's weight, then its bias, in the order of Vgg19Weights.
    const std::vector<NeededTensor> needed = needed_vgg19_tensors();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (size_t c = 0; c < weights.conv_weight.size(); ++c) {
        tensors.emplace_back(needed[2 * c].key, weights.conv_weight[c]);
        tensors.emplace_back(needed[2 * c + 1].key, weights.conv_bias[c]);
    }
    write_safetensors(path, tensors);
}

namespace {

float smoothstep(float edge0, float edge1, float x) {
    const float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
    return t * t * (3 - 2 * t);
}

} // namespace

RgbaImage synthetic_content(Size size) {
    RgbaImage image(size.width, size.height);
    const float edge = 1.5f / static_cast<float>(std::max(size.width, size.height));
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            const float u = (x + 0.5f) / size.width, v = (y + 0.5f) / size.height;
            float r = 0.35f + 0.3f * v, g = 0.55f + 0.2f * v, b = 0.95f - 0.25f * v; // sky
            const float sun = smoothstep(0.11f + edge, 0.11f - edge, std::hypot(u - 0.75f, v - 0.22f));
            r += (1.0f - r) * sun, g += (0.85f - g) * sun, b += (0.3f - b) * sun;
            const float hill_line = 0.62f + 0.08f * std::sin(7.0f * u) + 0.04f * std::sin(17.0f * u + 1.0f);
            const float hill = smoothstep(hill_line - edge, hill_line + edge, v);
            const float shade = 0.8f + 0.2f * std::sin(11.0f * u + 5.0f * v);
            r += (0.25f * shade - r) * hill, g += (0.5f * shade - g) * hill, b += (0.2f * shade - b) * hill;
            const float house = smoothstep(-edge, edge, std::min({u - 0.2f, 0.42f - u, v - 0.48f, 0.75f - v}));
            r += (0.7f - r) * house, g += (0.3f - g) * house, b += (0.25f - b) * house;
            const float window = smoothstep(-edge, edge, std::min({u - 0.26f, 0.33f - u, v - 0.55f, 0.63f - v}));
            r += (0.95f - r) * window, g += (0.9f - g) * window, b += (0.6f - b) * window;
            float *p = &image.pixels[(static_cast<size_t>(y) * size.width + x) * 4];
            p[0] = std::clamp(r, 0.0f, 1.0f), p[1] = std::clamp(g, 0.0f, 1.0f), p[2] = std::clamp(b, 0.0f, 1.0f);
        }
    return image;
}

RgbaImage synthetic_style(Size size) {
    RgbaImage image(size.width, size.height);
    std::mt19937 random(12345);
    std::uniform_real_distribution<float> grain(-0.08f, 0.08f);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            const float u = (x + 0.5f) / size.width, v = (y + 0.5f) / size.height;
            const float stripes = 0.5f + 0.5f * std::sin(40.0f * (u + 0.6f * v) + 3.0f * std::sin(9.0f * v));
            const float swirl = 0.5f + 0.5f * std::sin(25.0f * std::hypot(u - 0.4f, v - 0.6f) + 6.0f * u);
            const float blobs = 0.5f + 0.5f * std::sin(13.0f * u) * std::cos(11.0f * v);
            float *p = &image.pixels[(static_cast<size_t>(y) * size.width + x) * 4];
            p[0] = std::clamp(0.1f + 0.8f * stripes * blobs + grain(random), 0.0f, 1.0f);
            p[1] = std::clamp(0.2f + 0.5f * swirl + 0.2f * stripes + grain(random), 0.0f, 1.0f);
            p[2] = std::clamp(0.9f - 0.6f * stripes + 0.2f * swirl + grain(random), 0.0f, 1.0f);
        }
    return image;
}

void save_npy(const std::string &path, const RgbaImage &image) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(image.height) +
                         ", " + std::to_string(image.width) + ", 4), }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<std::uint16_t>(header.size());
    const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(length_bytes, 2);
    out << header;
    out.write(reinterpret_cast<const char *>(image.pixels.data()),
              static_cast<std::streamsize>(image.pixels.size() * sizeof(float)));
    if (!out)
        throw StyleError(path + ": cannot write");
}

RgbaImage load_npy(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    char prefix[10] = {};
    if (!in.read(prefix, sizeof prefix) || std::string(prefix, 6) != "\x93NUMPY")
        throw StyleError(path + ": not a .npy file");
    const size_t length = static_cast<unsigned char>(prefix[8]) | static_cast<unsigned char>(prefix[9]) << 8;
    std::string header(length, '\0');
    in.read(header.data(), static_cast<std::streamsize>(length));
    const size_t shape = header.find("'shape': (");
    if (!in || header.find("'<f4'") == std::string::npos || shape == std::string::npos)
        throw StyleError(path + ": expected float32 [H, W, 4]");
    int height = 0, width = 0, channels = 0;
    if (std::sscanf(header.c_str() + shape + 10, "%d, %d, %d", &height, &width, &channels) != 3 || channels != 4 ||
        height <= 0 || width <= 0)
        throw StyleError(path + ": expected shape (H, W, 4)");
    RgbaImage image(width, height);
    const auto bytes = static_cast<std::streamsize>(image.pixels.size() * sizeof(float));
    if (!in.read(reinterpret_cast<char *>(image.pixels.data()), bytes) || in.peek() != std::ifstream::traits_type::eof())
        throw StyleError(path + ": truncated or longer than its shape");
    return image;
}

std::string image_path(const std::string &workdir, const char *which, Size size) {
    return workdir + "/" + which + "_" + std::to_string(size.width) + "x" + std::to_string(size.height) + ".npy";
}

} // namespace neural_style::benchmark
