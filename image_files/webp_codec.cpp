// SPDX-License-Identifier: GPL-3.0-or-later
// WebP through libwebp (still images; libwebp's simple decoder refuses animations).
#include "codecs.h"

#include <sys/stat.h>
#include <webp/decode.h>

namespace neural_style::image_files {

namespace {

// A WebP file is one RIFF chunk, whose size field has 32 bits.
constexpr long long max_webp_file_bytes = 0xffffffffLL + 8;

std::vector<unsigned char> read_whole_file(FILE *file) {
    struct stat info {};
    if (fstat(fileno(file), &info) != 0 || info.st_size > max_webp_file_bytes)
        throw Refusal("too large for a WebP file");
    std::vector<unsigned char> data(static_cast<size_t>(info.st_size));
    data.resize(std::fread(data.data(), 1, data.size(), file));
    return data;
}

// A file cut short is refused before its raster is allocated: libwebp reads the dimensions from the first
// 30 bytes, so a 29-byte file declaring 15167 x 5888 pixels had 268 MB allocated and zeroed before the decoder
// found no data. The RIFF header gives the size of the whole file, which must all be there.
void check_complete(const std::vector<unsigned char> &data) {
    constexpr size_t riff_header_bytes = 8;
    if (data.size() < 12)
        throw Refusal("cut-short WebP file: " + std::to_string(data.size()) + " bytes");
    const uint64_t declared = riff_header_bytes + (uint64_t{data[4]} | uint64_t{data[5]} << 8 |
                                                   uint64_t{data[6]} << 16 | uint64_t{data[7]} << 24);
    if (declared > data.size())
        throw Refusal("cut-short WebP file: its header declares " + std::to_string(declared) + " bytes, the file has " +
                      std::to_string(data.size()));
}

} // namespace

Raster read_webp(FILE *file) {
    const std::vector<unsigned char> data = read_whole_file(file);
    check_complete(data);
    WebPBitstreamFeatures features{};
    if (WebPGetFeatures(data.data(), data.size(), &features) != VP8_STATUS_OK)
        throw Refusal("damaged or cut-short WebP header");
    if (features.has_animation)
        throw Refusal("animated WebP is not supported");
    Raster raster;
    allocate(raster, static_cast<uint64_t>(features.width), static_cast<uint64_t>(features.height),
             features.has_alpha ? 4 : 3, 1);
    const int stride = static_cast<int>(raster.row_bytes());
    const auto decode = features.has_alpha ? WebPDecodeRGBAInto : WebPDecodeRGBInto;
    if (!decode(data.data(), data.size(), raster.bytes.data(), raster.bytes.size(), stride))
        throw Refusal("damaged or cut-short WebP data");
    return raster;
}

} // namespace neural_style::image_files
