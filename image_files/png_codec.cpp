// SPDX-License-Identifier: GPL-3.0-or-later
// PNG through libpng. libpng reports errors by longjmp to the setjmp in its caller: the functions that call
// setjmp keep every object with a destructor outside their own frame, in their caller's.
#include "codecs.h"

#include <png.h>

#include <csetjmp>

namespace neural_style::image_files {

namespace {

struct ErrorText {
    char text[200] = "";
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
    auto *error = static_cast<ErrorText *>(png_get_error_ptr(png));
    std::snprintf(error->text, sizeof error->text, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (a bad CRC in an ancillary chunk, an unknown chunk) do not change the pixels: not shown.
void on_warning(png_structp, png_const_charp) {}

class ReadHandles {
public:
    ReadHandles() {
        png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, on_error, on_warning);
        info = png ? png_create_info_struct(png) : nullptr;
        if (!info)
            throw std::bad_alloc();
    }
    ~ReadHandles() { png_destroy_read_struct(&png, &info, nullptr); }
    ReadHandles(const ReadHandles &) = delete;
    ReadHandles &operator=(const ReadHandles &) = delete;

    png_structp png = nullptr;
    png_infop info = nullptr;
    ErrorText error;
};

// Palette, 1-7-bit grey and tRNS transparency become 8-bit grey/RGB with alpha; 16 bits stay 16 bits.
bool decode(ReadHandles &handles, FILE *file, Raster &raster) {
    png_structp png = handles.png;
    png_infop info = handles.info;
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_init_io(png, file);
    png_read_info(png, info);
    png_set_expand(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int bytes_per_sample = png_get_bit_depth(png, info) == 16 ? 2 : 1;
    allocate(raster, png_get_image_width(png, info), png_get_image_height(png, info), png_get_channels(png, info),
             bytes_per_sample);
    raster.max_value = bytes_per_sample == 2 ? 65535 : 255;
    // Row by row, so that an interlaced image needs no row-pointer array here; each pass refines the rows.
    for (int pass = 0; pass < passes; ++pass)
        for (int y = 0; y < raster.height; ++y)
            png_read_row(png, raster.bytes.data() + y * raster.row_bytes(), nullptr);
    png_read_end(png, nullptr);
    return true;
}

struct WriteHandles {
    WriteHandles() {
        png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, on_error, on_warning);
        info = png ? png_create_info_struct(png) : nullptr;
        if (!info)
            throw std::bad_alloc();
    }
    ~WriteHandles() { png_destroy_write_struct(&png, &info); }
    WriteHandles(const WriteHandles &) = delete;
    WriteHandles &operator=(const WriteHandles &) = delete;

    png_structp png = nullptr;
    png_infop info = nullptr;
    ErrorText error;
    std::vector<unsigned char> output;
};

void append_output(png_structp png, png_bytep data, size_t length) {
    auto *handles = static_cast<WriteHandles *>(png_get_io_ptr(png));
    bool appended = true;
    try {
        handles->output.insert(handles->output.end(), data, data + length);
    } catch (const std::bad_alloc &) {
        appended = false;
    }
    // Outside the catch block: png_error longjmps, which must not leave a handler.
    if (!appended)
        png_error(png, "not enough memory");
}

void no_flush(png_structp) {}

bool encode_rows(WriteHandles &handles, const std::vector<unsigned char> &rgba8, int width, int height) {
    png_structp png = handles.png;
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_write_fn(png, &handles, append_output, no_flush);
    png_set_IHDR(png, handles.info, width, height, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, handles.info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, rgba8.data() + static_cast<size_t>(y) * width * 4);
    png_write_end(png, nullptr);
    return true;
}

} // namespace

Raster read_png(FILE *file) {
    ReadHandles handles;
    Raster raster;
    if (!decode(handles, file, raster))
        throw Refusal(std::string("damaged or cut-short PNG (") + handles.error.text + ")");
    return raster;
}

std::vector<unsigned char> encode_png(const std::vector<unsigned char> &rgba8, int width, int height) {
    WriteHandles handles;
    if (!encode_rows(handles, rgba8, width, height))
        throw Refusal(std::string("PNG encoding failed (") + handles.error.text + ")");
    return std::move(handles.output);
}

} // namespace neural_style::image_files
