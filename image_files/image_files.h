// SPDX-License-Identifier: GPL-3.0-or-later
// Reading and writing image files for the command line, the benchmark and the tests (the plug-in has GEGL).
// Decoding goes through the maintained libraries made for each format: libpng, libjpeg-turbo, libtiff, libwebp,
// and a small binary PGM/PPM reader of our own.
#pragma once

#include "rgba_image.h"

#include <string>

namespace neural_style::image_files {

// The most pixels load_image() accepts, checked against the file's header before anything is decoded or
// allocated. 100 million pixels is more than a 100-megapixel medium-format camera or a 600 dpi A3 scan gives
// (about 11600 x 8700 and 7000 x 9900), and as float RGBA it is 1.6 GB, which a desktop machine can hold;
// a header that declares 23000 x 23000 pixels would ask for 8.5 GB from a file of a few hundred kilobytes.
constexpr long long max_image_pixels = 100'000'000;

// True for the extensions save_image() can write: .png, .jpg, .jpeg (any case).
bool is_writable_image_name(const std::string &path);

// Reads PNG (1 to 16 bits, palette, grey, RGB, with or without alpha), JPEG (grey or colour), TIFF (8 or
// 16-bit grey or RGB, with or without alpha, in strips), WebP (still) and binary PGM/PPM (8 or 16-bit),
// recognised by their content. 16-bit samples keep their precision. Throws StyleError
// "PATH: cannot read image: REASON".
RgbaImage load_image(const std::string &path);

// Encodes in memory (8-bit PNG, or JPEG at quality 95 without alpha, by the extension), writes a unique
// temporary file beside `path`, flushes it to disk and renames it into place: a failure, a full disk included,
// leaves any previous file at `path` as it was. Throws StyleError naming the file.
void save_image(const std::string &path, const RgbaImage &image);

} // namespace neural_style::image_files
