// SPDX-License-Identifier: GPL-3.0-or-later
// TIFF through libtiff: 8 and 16-bit unsigned grey or RGB, with or without alpha, interleaved, in strips: what
// GIMP, Krita, Photoshop and scanners write by default. Other layouts are refused with the reason.
#include "codecs.h"

#include "image_files.h"

#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <memory>

namespace neural_style::image_files {

namespace {

struct ErrorText {
    char text[200] = "";
};

int on_error(TIFF *, void *user_data, const char *, const char *format, va_list arguments) {
    auto *error = static_cast<ErrorText *>(user_data);
    std::vsnprintf(error->text, sizeof error->text, format, arguments);
    return 1;
}

// Warnings (unknown tags, odd but readable fields) do not change the pixels: not shown.
int on_warning(TIFF *, void *, const char *, const char *, va_list) { return 1; }

using TiffPointer = std::unique_ptr<TIFF, void (*)(TIFF *)>;

// Opens the already open file through a duplicate descriptor (libtiff closes what it is given), with the
// errors collected in `error` and no single allocation larger than the biggest image this program accepts.
TiffPointer open_tiff(FILE *file, const std::string &path, ErrorText &error) {
    std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions *)> options(TIFFOpenOptionsAlloc(),
                                                                          TIFFOpenOptionsFree);
    if (!options)
        throw std::bad_alloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &error);
    TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, nullptr);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), max_image_pixels * 4 * 2);
    const int fd = dup(fileno(file));
    TiffPointer tiff(fd < 0 ? nullptr : TIFFFdOpenExt(fd, path.c_str(), "r", options.get()), TIFFClose);
    if (!tiff) {
        if (fd >= 0)
            close(fd);
        throw Refusal(std::string("damaged TIFF (") + error.text + ")");
    }
    return tiff;
}

template <typename T>
T field(TIFF *tiff, ttag_t tag) {
    T value{};
    TIFFGetFieldDefaulted(tiff, tag, &value);
    return value;
}

// The one extra sample allowed is alpha; returns whether it is premultiplied (associated).
bool alpha_is_premultiplied(TIFF *tiff) {
    uint16_t count = 0;
    uint16_t *types = nullptr;
    if (!TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &count, &types) || count != 1)
        throw Refusal("TIFF extra channels other than one alpha channel are not supported");
    if (types[0] == EXTRASAMPLE_ASSOCALPHA)
        return true;
    if (types[0] == EXTRASAMPLE_UNASSALPHA)
        return false;
    throw Refusal("TIFF extra channel that is not alpha is not supported");
}

// Checks the layout against what this reader handles, then the dimensions, before reading any pixel.
void read_layout(TIFF *tiff, Raster &raster) {
    const auto bits = field<uint16_t>(tiff, TIFFTAG_BITSPERSAMPLE);
    const auto samples = field<uint16_t>(tiff, TIFFTAG_SAMPLESPERPIXEL);
    uint16_t photometric = 0;
    if (!TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric))
        throw Refusal("TIFF without a colour interpretation (photometric) tag");
    if (field<uint16_t>(tiff, TIFFTAG_SAMPLEFORMAT) != SAMPLEFORMAT_UINT || (bits != 8 && bits != 16))
        throw Refusal("TIFF with " + std::to_string(bits) + "-bit or floating-point samples (8 and 16-bit "
                      "unsigned are supported)");
    const bool grey = photometric == PHOTOMETRIC_MINISBLACK && (samples == 1 || samples == 2);
    const bool rgb = photometric == PHOTOMETRIC_RGB && (samples == 3 || samples == 4);
    if (!grey && !rgb)
        throw Refusal("TIFF colour model " + std::to_string(photometric) + " with " + std::to_string(samples) +
                      " channels (grey and RGB, with or without alpha, are supported)");
    if (samples == 2 || samples == 4)
        raster.premultiplied = alpha_is_premultiplied(tiff);
    if (samples > 1 && field<uint16_t>(tiff, TIFFTAG_PLANARCONFIG) != PLANARCONFIG_CONTIG)
        throw Refusal("TIFF with separate colour planes is not supported");
    if (TIFFIsTiled(tiff))
        throw Refusal("tiled TIFF is not supported (save it in strips)");
    allocate(raster, field<uint32_t>(tiff, TIFFTAG_IMAGEWIDTH), field<uint32_t>(tiff, TIFFTAG_IMAGELENGTH), samples,
             bits / 8);
    raster.max_value = bits == 16 ? 65535 : 255;
    const uint16_t one = 1;
    raster.big_endian = *reinterpret_cast<const unsigned char *>(&one) == 0; // libtiff gives host byte order
}

// Decodes strip by strip straight into the raster; a strip that decodes short is an error, never left unfilled.
void read_strips(TIFF *tiff, Raster &raster, const ErrorText &error) {
    // Zero rows per strip is invalid; reading one row at a time then keeps the loop finite.
    const auto rows_per_strip =
        std::clamp<uint32_t>(field<uint32_t>(tiff, TIFFTAG_ROWSPERSTRIP), 1, static_cast<uint32_t>(raster.height));
    for (uint32_t row = 0; row < static_cast<uint32_t>(raster.height); row += rows_per_strip) {
        const uint32_t rows = std::min<uint32_t>(rows_per_strip, raster.height - row);
        const auto expected = static_cast<tmsize_t>(rows * raster.row_bytes());
        const tmsize_t got = TIFFReadEncodedStrip(tiff, TIFFComputeStrip(tiff, row, 0),
                                                  raster.bytes.data() + row * raster.row_bytes(), expected);
        if (got != expected)
            throw Refusal(std::string("damaged or cut-short TIFF (") + (got < 0 ? error.text : "a strip is short") +
                          ")");
    }
}

} // namespace

Raster read_tiff(FILE *file, const std::string &path) {
    ErrorText error;
    const TiffPointer tiff = open_tiff(file, path, error);
    Raster raster;
    read_layout(tiff.get(), raster);
    read_strips(tiff.get(), raster, error);
    return raster;
}

} // namespace neural_style::image_files
