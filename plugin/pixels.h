// SPDX-License-Identifier: GPL-3.0-or-later
// Pixels in and out of GIMP: layers read as non-linear sRGB R'G'B'A floats, the result written as a new layer.
#pragma once

#include "rgba_image.h"

#include <libgimp/gimp.h>

#include <string>

namespace nst_plugin {

// The whole drawable, converted by babl from whatever precision and profile it has (and clipped to 0..1), and scaled down by GEGL so
// that its longest side is at most `max_side` (0: full size): a huge layer is never held at full size only to be
// shrunk. Needs gegl_init.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side);

// True when every pixel is fully transparent: nothing there to take a style from.
bool fully_transparent(const neural_style::RgbaImage &pixels);

// What a result needs to know of its content layer, read before the run: the layer may be deleted while it works.
struct ContentFacts {
    std::string name;
    int width = 0;
    int height = 0;
    bool alpha = false;
    GimpPrecision precision = GIMP_PRECISION_U8_NON_LINEAR;
};
ContentFacts content_facts(GimpLayer *content);

// Inserts `result` as a new layer directly above `content`, with its offsets and a translated "<name> (stylized)"
// name, inside one undo group; a result computed smaller than the content is scaled to it by GIMP. Returns the new
// layer.
GimpLayer *add_result_layer(GimpLayer *content, const neural_style::RgbaImage &result);

// For a result whose content layer is gone: a new image of the content's size and precision, with `result` as its
// one layer, named as add_result_layer names it (and scaled to the content's size as it does). Returns the image.
GimpImage *open_result_image(const ContentFacts &content, const neural_style::RgbaImage &result);

} // namespace nst_plugin
