// SPDX-License-Identifier: GPL-3.0-or-later
// Pixel buffers exchanged with the hosts. Free of LibTorch, so that host code handling pixels needs no torch headers.
// Hosts hand over non-linear (sRGB-encoded) RGBA floats in [0,1], which is what GEGL's "R'G'B'A float" gives
// and what ImageNet-trained VGG19 expects.
#pragma once

#include <cstddef>
#include <vector>

namespace neural_style {

struct RgbaImage {
    int width = 0;
    int height = 0;
    std::vector<float> pixels; // width * height * 4, row-major, interleaved R, G, B, A

    RgbaImage() = default;
    RgbaImage(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 4, 1.0f) {}
};

// One value per pixel, row-major: a mask (1 styled, 0 the content kept; values between blend).
struct GreyImage {
    int width = 0;
    int height = 0;
    std::vector<float> values; // width * height

    GreyImage() = default;
    GreyImage(int w, int h, float value) : width(w), height(h), values(static_cast<size_t>(w) * h, value) {}
    bool empty() const { return values.empty(); }
};

struct Size {
    int width;
    int height;
};

// The size that fits `source` into `max_side` on its longest side, keeping the aspect ratio; never enlarges.
Size fit_within(Size source, int max_side);

} // namespace neural_style
