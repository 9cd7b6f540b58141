// SPDX-License-Identifier: GPL-3.0-or-later
// Pixels in and out of GIMP: layers read as non-linear sRGB R'G'B'A floats, the result written as a new layer.
#pragma once

#include "rgba_image.h"

#include <gegl.h>
#include <libgimp/gimp.h>

namespace nst_plugin {

// `area` of the drawable (its own coordinates), converted by babl from whatever precision and profile it has, and
// scaled down by GEGL so that its longest side is at most `max_side` (0: full size): a huge layer is never held
// at full size only to be shrunk. Needs gegl_init.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, const GeglRectangle &area, int max_side);

// The whole drawable, as above.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side);

// `area` of the drawable read at `size` in `format` into `data` (GEGL averages the pixels each one covers).
void read_scaled(GimpDrawable *drawable, const GeglRectangle &area, neural_style::Size size, const Babl *format,
                 void *data);

// True when every pixel is fully transparent: nothing there to take a style from.
bool fully_transparent(const neural_style::RgbaImage &pixels);

// Inserts `result`, painted from `area` of `content` (the content's coordinates), as a new layer directly above
// `content` over that area, with a translated "<name> (stylized)" name and `mask` (the area's size; empty: none)
// as its layer mask, inside one undo group; a result computed smaller than the area is scaled to it by GIMP.
// Returns the new layer.
GimpLayer *add_result_layer(GimpLayer *content, const GeglRectangle &area, const neural_style::RgbaImage &result,
                            const neural_style::GreyImage &mask);

} // namespace nst_plugin
