// SPDX-License-Identifier: GPL-3.0-or-later
// Pixels in and out of GIMP: layers read as non-linear sRGB R'G'B'A floats, the result written as a new layer.
#pragma once

#include "rgba_image.h"

#include <gegl.h>
#include <libgimp/gimp.h>

#include <string>

namespace nst_plugin {

// `area` of the drawable (its own coordinates), converted by babl from whatever precision and profile it has (and
// clipped to 0..1), and scaled down by GEGL so that its longest side is at most `max_side` (0: full size): a huge
// layer is never held at full size only to be shrunk. Needs gegl_init.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, const GeglRectangle &area, int max_side);

// The whole drawable, as above.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side);

// `area` of the drawable read at `size` in `format` into `data` (GEGL averages the pixels each one covers). Throws
// StyleError when GIMP hands over no pixels (the drawable was deleted meanwhile).
void read_scaled(GimpDrawable *drawable, const GeglRectangle &area, neural_style::Size size, const Babl *format,
                 void *data);

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

// Why GIMP refused the call that just failed, in its words.
std::string gimp_reason();

// Inserts `result`, painted from `area` of `content` (the content's coordinates), as a new layer directly above
// `content` over that area, with a translated "<name> (stylized)" name and `mask` (the area's size; empty: none)
// as its layer mask, inside one undo group; a result computed smaller than the area is scaled to it by GIMP.
// Returns "", or GIMP's reason when it refused a step: the layer is then taken out again, and the image's layers
// are as they were.
std::string add_result_layer(GimpLayer *content, const GeglRectangle &area, const neural_style::RgbaImage &result,
                             const neural_style::GreyImage &mask);
// For a result whose content layer is gone: a new image of the content's size and precision, with `result` as its
// one layer, named as add_result_layer names it (and scaled to the content's size as it does). Returns the image,
// or nullptr with GIMP's reason in `reason` when it refused a step.
GimpImage *open_result_image(const ContentFacts &content, const neural_style::RgbaImage &result,
                             std::string &reason);

} // namespace nst_plugin
