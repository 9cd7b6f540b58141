// Reading and writing PNG and JPEG files through stb_image (Debian's libstb).
#pragma once

#include "rgba_image.h"

#include <string>

namespace neural_style::image_files {

// True for the extensions save_image() can write: .png, .jpg, .jpeg (any case).
bool is_writable_image_name(const std::string &path);

// Throws StyleError "PATH: cannot read image: REASON".
RgbaImage load_image(const std::string &path);

// Writes to a temporary file beside `path` and renames it into place, so a failure never leaves a partial file.
// Throws StyleError naming the file.
void save_image(const std::string &path, const RgbaImage &image);

} // namespace neural_style::image_files
