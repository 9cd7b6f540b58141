// SPDX-License-Identifier: GPL-3.0-or-later
// JPEG through libjpeg-turbo. Like libpng it reports errors by longjmp: the functions that call setjmp keep every
// object with a destructor in their caller's frame.
#include "codecs.h"

#include <cstdlib>
#include <jpeglib.h>
#include <jerror.h>

#include <csetjmp>
#include <cstdint>
#include <cstring>

namespace neural_style::image_files {

namespace {

// A progressive JPEG can hold thousands of tiny scans that take minutes to decode; libjpeg-turbo's own tools
// suggest refusing more than 500 (TurboJPEG's TJPARAM_SCANLIMIT), which no real encoder comes near.
constexpr int max_scans = 500;

struct ErrorManager {
    jpeg_error_mgr manager{};
    jmp_buf jump{};
    char text[JMSG_LENGTH_MAX] = "";
};

[[noreturn]] void fail(j_common_ptr info) {
    auto *error = reinterpret_cast<ErrorManager *>(info->err);
    info->err->format_message(info, error->text);
    std::longjmp(error->jump, 1);
}

// libjpeg only warns when data is missing or corrupt, and fills the rest grey; those warnings are errors here,
// so that a cut-short file is refused rather than read with grey rows. Other messages are not shown.
void on_message(j_common_ptr info, int level) {
    if (level != -1)
        return;
    switch (info->err->msg_code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        fail(info);
    default:
        break;
    }
}

void limit_scans(j_common_ptr info) {
    if (info->is_decompressor && reinterpret_cast<j_decompress_ptr>(info)->input_scan_number > max_scans) {
        auto *error = reinterpret_cast<ErrorManager *>(info->err);
        std::snprintf(error->text, sizeof error->text, "more than %d progressive scans", max_scans);
        std::longjmp(error->jump, 1);
    }
}

struct Decompressor {
    Decompressor() {
        info.err = jpeg_std_error(&error.manager);
        error.manager.error_exit = fail;
        error.manager.emit_message = on_message;
        progress.progress_monitor = limit_scans;
        // jpeg_create_decompress reports failure through error_exit too.
        if (setjmp(error.jump))
            throw std::bad_alloc();
        jpeg_create_decompress(&info);
        info.progress = &progress;
    }
    ~Decompressor() { jpeg_destroy_decompress(&info); }
    Decompressor(const Decompressor &) = delete;
    Decompressor &operator=(const Decompressor &) = delete;

    jpeg_decompress_struct info{};
    ErrorManager error;
    jpeg_progress_mgr progress{};
};

// The EXIF orientation (1 to 8) in an APP1 marker's TIFF header, or 1 (as stored) when there is none or it cannot
// be read. Every offset is checked against the marker's length: the data comes from any file.
int exif_orientation(const jpeg_decompress_struct &info) {
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker; marker = marker->next) {
        const unsigned char *data = marker->data;
        const size_t length = marker->data_length;
        if (marker->marker != JPEG_APP0 + 1 || length < 14 || std::memcmp(data, "Exif\0\0", 6) != 0)
            continue;
        const unsigned char *tiff = data + 6;
        const size_t size = length - 6;
        const bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M'))
            return 1;
        const auto read = [&](size_t at, int bytes) -> uint32_t {
            uint32_t value = 0;
            for (int i = 0; i < bytes; ++i)
                value |= static_cast<uint32_t>(tiff[at + i]) << (8 * (little ? i : bytes - 1 - i));
            return value;
        };
        const uint32_t directory = read(4, 4);
        if (directory > size || size - directory < 2)
            return 1;
        const uint32_t entries = read(directory, 2);
        for (uint32_t i = 0; i < entries; ++i) {
            const size_t entry = directory + 2 + static_cast<size_t>(i) * 12;
            if (entry + 12 > size)
                return 1;
            if (read(entry, 2) == 0x0112) { // Orientation, a SHORT held in the entry itself
                const uint32_t orientation = read(entry + 8, 2);
                return orientation >= 1 && orientation <= 8 ? static_cast<int>(orientation) : 1;
            }
        }
        return 1;
    }
    return 1;
}

// Grey stays one channel, YCbCr and RGB become RGB; CMYK is refused (its inversion conventions differ).
bool decode(Decompressor &decompressor, FILE *file, Raster &raster) {
    j_decompress_ptr info = &decompressor.info;
    if (setjmp(decompressor.error.jump))
        return false;
    jpeg_stdio_src(info, file);
    jpeg_save_markers(info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(info, TRUE);
    if (info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK)
        throw Refusal("CMYK JPEG is not supported (convert it to RGB)");
    info->out_color_space = info->jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    allocate(raster, info->image_width, info->image_height, info->out_color_space == JCS_GRAYSCALE ? 1 : 3, 1);
    raster.orientation = exif_orientation(*info); // the saved markers go with the image's memory at its end
    jpeg_start_decompress(info);
    while (info->output_scanline < info->output_height) {
        JSAMPROW row = raster.bytes.data() + info->output_scanline * raster.row_bytes();
        jpeg_read_scanlines(info, &row, 1);
    }
    jpeg_finish_decompress(info);
    return true;
}

struct Compressor {
    Compressor() {
        info.err = jpeg_std_error(&error.manager);
        error.manager.error_exit = fail;
        if (setjmp(error.jump))
            throw std::bad_alloc();
        jpeg_create_compress(&info);
    }
    ~Compressor() {
        jpeg_destroy_compress(&info);
        std::free(output);
    }
    Compressor(const Compressor &) = delete;
    Compressor &operator=(const Compressor &) = delete;

    jpeg_compress_struct info{};
    ErrorManager error;
    unsigned char *output = nullptr; // malloc'ed by jpeg_mem_dest
    unsigned long output_size = 0;
};

// Quality 95 without chroma subsampling, as the program wrote through stb before; JPEG has no alpha.
bool encode_rows(Compressor &compressor, const std::vector<unsigned char> &rgb8, int width, int height) {
    j_compress_ptr info = &compressor.info;
    if (setjmp(compressor.error.jump))
        return false;
    jpeg_mem_dest(info, &compressor.output, &compressor.output_size);
    info->image_width = static_cast<JDIMENSION>(width);
    info->image_height = static_cast<JDIMENSION>(height);
    info->input_components = 3;
    info->in_color_space = JCS_RGB;
    jpeg_set_defaults(info);
    jpeg_set_quality(info, 95, TRUE);
    info->comp_info[0].h_samp_factor = 1;
    info->comp_info[0].v_samp_factor = 1;
    jpeg_start_compress(info, TRUE);
    while (info->next_scanline < info->image_height) {
        auto row = const_cast<JSAMPROW>(rgb8.data() + static_cast<size_t>(info->next_scanline) * width * 3);
        jpeg_write_scanlines(info, &row, 1);
    }
    jpeg_finish_compress(info);
    return true;
}

} // namespace

Raster read_jpeg(FILE *file) {
    Decompressor decompressor;
    Raster raster;
    if (!decode(decompressor, file, raster))
        throw Refusal(std::string("damaged or cut-short JPEG (") + decompressor.error.text + ")");
    return raster;
}

std::vector<unsigned char> encode_jpeg(const std::vector<unsigned char> &rgba8, int width, int height) {
    std::vector<unsigned char> rgb8(static_cast<size_t>(width) * height * 3);
    for (size_t i = 0, pixels = rgb8.size() / 3; i < pixels; ++i)
        for (int c = 0; c < 3; ++c)
            rgb8[3 * i + c] = rgba8[4 * i + c];
    Compressor compressor;
    if (!encode_rows(compressor, rgb8, width, height))
        throw Refusal(std::string("JPEG encoding failed (") + compressor.error.text + ")");
    return std::vector<unsigned char>(compressor.output, compressor.output + compressor.output_size);
}

} // namespace neural_style::image_files
