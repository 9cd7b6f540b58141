// What the measurements run on: generated VGG19 weights and synthetic images, written once by the parent for the
// children and the PyTorch script.
#pragma once

#include "rgba_image.h"

#include <cstdint>
#include <string>

namespace neural_style::benchmark {

// The weights the children and the PyTorch script read: seeded random (tools/random_weights.h), or the
// convolutions of --weights, checked.
void write_weights(const std::string &path, const std::string &weights_file, std::uint64_t seed);

// Content: a sky-to-ground gradient with a sun, hills and a house-like block: smooth areas and clear edges, drawn
// in resolution-independent coordinates so that every size shows the same picture.
RgbaImage synthetic_content(Size size);
// Style: diagonal coloured brush-stroke stripes, swirls and seeded grain: texture at several scales, like a painting.
RgbaImage synthetic_style(Size size);

// Images travel to the children and to the PyTorch script as .npy: float32 [H, W, 4], exact values.
void save_npy(const std::string &path, const RgbaImage &image);
// Reads what save_npy() wrote straight into the image's buffer: no second copy to inflate a child's peak memory.
RgbaImage load_npy(const std::string &path);

// workdir/content_512x512.npy
std::string image_path(const std::string &workdir, const char *which, Size size);

} // namespace neural_style::benchmark
