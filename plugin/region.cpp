// SPDX-License-Identifier: GPL-3.0-or-later
#include "region.h"

#include "pixels.h"

#include <algorithm>
#include <vector>

namespace nst_plugin {

PaintArea paint_area(GimpLayer *content) {
    GimpDrawable *drawable = GIMP_DRAWABLE(content);
    const int width = gimp_drawable_get_width(drawable), height = gimp_drawable_get_height(drawable);
    PaintArea area{{0, 0, width, height}, gimp_layer_get_mask(content) != nullptr};
    GimpImage *image = gimp_item_get_image(GIMP_ITEM(content));
    gboolean selected = FALSE;
    gint x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    if (!gimp_selection_bounds(image, &selected, &x1, &y1, &x2, &y2) || !selected)
        return area;
    gint offset_x = 0, offset_y = 0;
    gimp_drawable_get_offsets(drawable, &offset_x, &offset_y);
    const int left = std::max(0, x1 - offset_x - kSelectionContext);
    const int top = std::max(0, y1 - offset_y - kSelectionContext);
    const int right = std::min(width, x2 - offset_x + kSelectionContext);
    const int bottom = std::min(height, y2 - offset_y + kSelectionContext);
    area.masked = true;
    if (right > left && bottom > top)
        area.rect = {left, top, right - left, bottom - top};
    return area;
}

neural_style::GreyImage read_mask(GimpLayer *content, const PaintArea &area, neural_style::Size size) {
    if (!area.masked)
        return {};
    const Babl *grey = babl_format("Y float");
    neural_style::GreyImage mask(size.width, size.height, 1);
    std::vector<float> values(mask.values.size());
    GimpImage *image = gimp_item_get_image(GIMP_ITEM(content));
    GimpDrawable *drawable = GIMP_DRAWABLE(content);
    gint offset_x = 0, offset_y = 0;
    gimp_drawable_get_offsets(drawable, &offset_x, &offset_y);
    // The selection is image-sized: the area sits at the layer's offsets in it (outside the canvas it reads 0).
    if (!gimp_selection_is_empty(image)) {
        const GeglRectangle on_image{area.rect.x + offset_x, area.rect.y + offset_y, area.rect.width,
                                     area.rect.height};
        read_scaled(GIMP_DRAWABLE(gimp_image_get_selection(image)), on_image, size, grey, values.data());
        for (size_t i = 0; i < values.size(); ++i)
            mask.values[i] *= values[i];
    }
    if (GimpLayerMask *layer_mask = gimp_layer_get_mask(content)) {
        read_scaled(GIMP_DRAWABLE(layer_mask), area.rect, size, grey, values.data());
        for (size_t i = 0; i < values.size(); ++i)
            mask.values[i] *= values[i];
    }
    for (float &value : mask.values) // GEGL's averaging may step a hair outside [0, 1]
        value = std::clamp(value, 0.0f, 1.0f);
    return mask;
}

} // namespace nst_plugin
