// SPDX-License-Identifier: GPL-3.0-or-later
// The format readers and writers behind image_files.h, and the raster they share. Internal to this library.
#pragma once

#include "rgba_image.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace neural_style::image_files {

// Why a file cannot be read; load_image() prefixes the path.
class Refusal : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Samples as the decoder returned them, in the file's own channel count, before expansion to RGBA.
struct Raster {
    int width = 0;
    int height = 0;
    int channels = 0;           // 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
    int bytes_per_sample = 1;   // 1 or 2
    bool big_endian = true;     // for 2-byte samples: PNG and PNM store them big-endian, libtiff in host order
    bool premultiplied = false; // colour already multiplied by alpha (TIFF's associated alpha)
    unsigned max_value = 255;   // the sample value that means 1.0: 255, 65535, or a PNM's maxval
    int orientation = 1;        // EXIF's: 1 as stored, 2 to 8 mirrored and/or turned (a camera's JPEG)
    std::vector<unsigned char> bytes; // height rows of width * channels samples, no padding

    size_t row_bytes() const { return static_cast<size_t>(width) * channels * bytes_per_sample; }
};

// Throws Refusal unless the header's dimensions are at least 1 x 1 and at most max_image_pixels in all.
void check_pixel_count(uint64_t width, uint64_t height);

// Checks the header's dimensions (check_pixel_count), then sizes `raster.bytes`.
void allocate(Raster &raster, uint64_t width, uint64_t height, int channels, int bytes_per_sample);

// Each reader gets the file opened and positioned at its start, and throws Refusal on anything it cannot read.
Raster read_png(FILE *file);
Raster read_jpeg(FILE *file);
Raster read_tiff(FILE *file, const std::string &path);
Raster read_webp(FILE *file);
Raster read_pnm(FILE *file);

// Encoders to memory. `rgba8` holds width * height RGBA bytes.
std::vector<unsigned char> encode_png(const std::vector<unsigned char> &rgba8, int width, int height);
std::vector<unsigned char> encode_jpeg(const std::vector<unsigned char> &rgba8, int width, int height);

} // namespace neural_style::image_files
