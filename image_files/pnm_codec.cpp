// SPDX-License-Identifier: GPL-3.0-or-later
// Binary PGM (P5) and PPM (P6), 8 or 16-bit, read here: the format is a text header and raw samples, simple
// enough that a library would add nothing. ASCII and bitmap variants are refused by load_image's signature check.
#include "codecs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

namespace neural_style::image_files {

namespace {

// Skips whitespace and # comments (which run to the end of the line).
void skip_blanks(FILE *file) {
    int c = std::fgetc(file);
    while (c == '#' || std::isspace(c)) {
        if (c == '#')
            while (c != '\n' && c != EOF)
                c = std::fgetc(file);
        c = std::fgetc(file);
    }
    std::ungetc(c, file);
}

// A header number; nine digits at most, so that it cannot overflow.
unsigned long read_number(FILE *file) {
    skip_blanks(file);
    unsigned long value = 0;
    int digits = 0;
    for (int c = std::fgetc(file); std::isdigit(c); c = std::fgetc(file), ++digits) {
        if (digits == 9)
            throw Refusal("PGM/PPM header number too large");
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (digits == 0)
        throw Refusal("damaged PGM/PPM header");
    return value; // the character after the digits, a single whitespace, has been consumed
}

unsigned largest_sample(const Raster &raster) {
    unsigned largest = 0;
    const size_t samples = raster.bytes.size() / raster.bytes_per_sample;
    for (size_t i = 0; i < samples; ++i) {
        const unsigned value = raster.bytes_per_sample == 1
                                   ? raster.bytes[i]
                                   : static_cast<unsigned>(raster.bytes[2 * i]) << 8 | raster.bytes[2 * i + 1];
        largest = std::max(largest, value);
    }
    return largest;
}

} // namespace

Raster read_pnm(FILE *file) {
    char magic[2];
    if (std::fread(magic, 1, 2, file) != 2)
        throw Refusal("damaged PGM/PPM header");
    const int channels = magic[1] == '5' ? 1 : 3;
    const unsigned long width = read_number(file);
    const unsigned long height = read_number(file);
    const unsigned long max_value = read_number(file);
    if (max_value == 0 || max_value > 65535)
        throw Refusal("PGM/PPM maximum value " + std::to_string(max_value) + " is outside 1 to 65535");
    // The samples are raw, so the file must hold all of them: checked before allocating, so that a header of a
    // few bytes cannot ask for hundreds of megabytes (the pixel limit first, for its clearer message).
    check_pixel_count(width, height);
    const int bytes_per_sample = max_value > 255 ? 2 : 1;
    struct stat info {};
    const long position = std::ftell(file);
    if (fstat(fileno(file), &info) != 0 || position < 0 || info.st_size < position ||
        static_cast<unsigned long long>(info.st_size - position) <
            static_cast<unsigned long long>(width) * height * channels * bytes_per_sample)
        throw Refusal("cut-short PGM/PPM (fewer samples than the header declares)");
    Raster raster;
    allocate(raster, width, height, channels, bytes_per_sample);
    raster.max_value = static_cast<unsigned>(max_value);
    if (std::fread(raster.bytes.data(), 1, raster.bytes.size(), file) != raster.bytes.size())
        throw Refusal("cut-short PGM/PPM (fewer samples than the header declares)");
    if (largest_sample(raster) > raster.max_value)
        throw Refusal("damaged PGM/PPM (a sample is above the declared maximum)");
    return raster;
}

} // namespace neural_style::image_files
