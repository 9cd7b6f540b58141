// SPDX-License-Identifier: GPL-3.0-or-later
// Drives image_files for test_image_files.py:
//   image_files_probe load IMAGE RAW    writes "WIDTH HEIGHT\n" and then the RGBA floats (native float32) to RAW
//   image_files_probe copy IMAGE OUTPUT  loads IMAGE and saves it as OUTPUT
// A StyleError is printed as it is, on one line, with exit status 1.
#include "error.h"
#include "image_files.h"

#include <cstdio>
#include <cstring>
#include <iostream>

namespace ns = neural_style;

namespace {

void write_raw(const ns::RgbaImage &image, const char *path) {
    FILE *file = std::fopen(path, "wb");
    if (!file)
        throw ns::StyleError(std::string(path) + ": " + std::strerror(errno));
    std::fprintf(file, "%d %d\n", image.width, image.height);
    std::fwrite(image.pixels.data(), sizeof(float), image.pixels.size(), file);
    if (std::fclose(file) != 0)
        throw ns::StyleError(std::string(path) + ": cannot write");
}

} // namespace

int main(int argc, char **argv) {
    const std::string command = argc == 4 ? argv[1] : "";
    if (command != "load" && command != "copy") {
        std::cerr << "usage: image_files_probe load|copy IMAGE OUTPUT\n";
        return 2;
    }
    try {
        const ns::RgbaImage image = ns::image_files::load_image(argv[2]);
        if (command == "load")
            write_raw(image, argv[3]);
        else
            ns::image_files::save_image(argv[3], image);
    } catch (const ns::StyleError &error) {
        std::cerr << error.what() << "\n";
        return 1;
    }
    return 0;
}
