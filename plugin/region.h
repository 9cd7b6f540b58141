// SPDX-License-Identifier: GPL-3.0-or-later
// The part of the content layer a run paints, and where in it the style goes: the image's selection and the
// layer's own layer mask. A small selection computes only its bounding box and some context around it.
#pragma once

#include "rgba_image.h"

#include <gegl.h>
#include <libgimp/gimp.h>

namespace nst_plugin {

struct PaintArea {
    GeglRectangle rect; // in the content layer's coordinates; the whole layer when nothing limits it
    bool masked;        // a selection or a layer mask says where the style goes
};

// Context kept around a selection's bounding box: conv5_1's receptive field (156 px), so that the features
// just inside the selection see what surrounds it as in a whole-layer run.
constexpr int kSelectionContext = 160;

// The selection's bounding box on the layer with kSelectionContext around it (clipped to the layer), or the whole
// layer when there is no selection.
PaintArea paint_area(GimpLayer *content);

// The selection times the layer's mask over `area.rect`, read at `size` (GEGL averages when smaller); empty when
// `area` is not masked.
neural_style::GreyImage read_mask(GimpLayer *content, const PaintArea &area, neural_style::Size size);

} // namespace nst_plugin
