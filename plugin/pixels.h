// SPDX-License-Identifier: GPL-3.0-or-later
// Pixels in and out of GIMP: layers read as non-linear sRGB R'G'B'A floats, the result written as a new layer.
#pragma once

#include "rgba_image.h"

#include <libgimp/gimp.h>

namespace nst_plugin {

// The whole drawable, converted by babl from whatever precision and profile it has, and scaled down by GEGL so
// that its longest side is at most `max_side` (0: full size): a huge layer is never held at full size only to be
// shrunk. Needs gegl_init.
neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side);

// True when every pixel is fully transparent: nothing there to take a style from.
bool fully_transparent(const neural_style::RgbaImage &pixels);

// Inserts `result` as a new layer directly above `content`, with its offsets and a translated "<name> (stylized)"
// name, inside one undo group; a result computed smaller than the content is scaled to it by GIMP. Returns the new
// layer.
GimpLayer *add_result_layer(GimpLayer *content, const neural_style::RgbaImage &result);

} // namespace nst_plugin
