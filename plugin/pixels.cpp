// SPDX-License-Identifier: GPL-3.0-or-later
#include "pixels.h"

#include "glib_text.h"
#include "i18n.h"

#include <gegl.h>

#include <algorithm>
#include <vector>

namespace nst_plugin {

namespace {

// sRGB-encoded floats: what an ImageNet-trained VGG19 expects, whatever the image's own profile.
const Babl *rgba_format() { return babl_format("R'G'B'A float"); }

// The content's own alpha onto a result that was computed smaller and enlarged, whose alpha the enlargement
// softened; strip by strip, so that a huge layer is never held whole.
void copy_alpha(GimpDrawable *from, GimpDrawable *to) {
    constexpr int kStripRows = 256;
    const int width = gimp_drawable_get_width(to), height = gimp_drawable_get_height(to);
    GeglBuffer *source = gimp_drawable_get_buffer(from);
    GeglBuffer *target = gimp_drawable_get_buffer(to);
    std::vector<float> alpha(static_cast<size_t>(width) * kStripRows);
    std::vector<float> rgba(alpha.size() * 4);
    for (int y = 0; y < height; y += kStripRows) {
        const int rows = std::min(kStripRows, height - y);
        const GeglRectangle strip = {0, y, width, rows};
        gegl_buffer_get(source, &strip, 1.0, babl_format("A float"), alpha.data(), GEGL_AUTO_ROWSTRIDE,
                        GEGL_ABYSS_NONE);
        gegl_buffer_get(target, &strip, 1.0, rgba_format(), rgba.data(), GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
        for (size_t i = 0; i < static_cast<size_t>(width) * rows; ++i)
            rgba[i * 4 + 3] = alpha[i];
        gegl_buffer_set(target, &strip, 0, rgba_format(), rgba.data(), GEGL_AUTO_ROWSTRIDE);
    }
    g_object_unref(target);
    g_object_unref(source);
    gimp_drawable_update(to, 0, 0, width, height);
}

} // namespace

neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side) {
    const neural_style::Size full{gimp_drawable_get_width(drawable), gimp_drawable_get_height(drawable)};
    const neural_style::Size size = max_side > 0 ? neural_style::fit_within(full, max_side) : full;
    neural_style::RgbaImage pixels(size.width, size.height);
    // GEGL reads at a scale in that scale's own coordinates, averaging the pixels each one covers.
    const double scale = static_cast<double>(size.width) / full.width;
    GeglBuffer *buffer = gimp_drawable_get_buffer(drawable);
    gegl_buffer_get(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), scale, rgba_format(),
                    pixels.pixels.data(), GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    g_object_unref(buffer);
    return pixels;
}

bool fully_transparent(const neural_style::RgbaImage &pixels) {
    for (size_t i = 3; i < pixels.pixels.size(); i += 4)
        if (pixels.pixels[i] > 0)
            return false;
    return true;
}

GimpLayer *add_result_layer(GimpLayer *content, const neural_style::RgbaImage &result) {
    GimpItem *content_item = GIMP_ITEM(content);
    GimpImage *image = gimp_item_get_image(content_item);
    gint x = 0, y = 0;
    gimp_drawable_get_offsets(GIMP_DRAWABLE(content), &x, &y);
    // TRANSLATORS: the name of the result layer; %s is the name of the layer it was painted from.
    const std::string name = take_text(g_strdup_printf(_("%s (stylized)"), gimp_item_get_name(content_item)));
    const GimpImageType type = gimp_drawable_has_alpha(GIMP_DRAWABLE(content)) ? GIMP_RGBA_IMAGE : GIMP_RGB_IMAGE;

    gimp_image_undo_group_start(image);
    GimpLayer *layer = gimp_layer_new(image, name.c_str(), result.width, result.height, type, 100.0,
                                      gimp_image_get_default_new_layer_mode(image));
    gimp_layer_set_offsets(layer, x, y);
    // Same parent and position as the content: the content moves one down, the result sits right above it.
    GimpItem *parent = gimp_item_get_parent(content_item);
    gimp_image_insert_layer(image, layer, parent ? GIMP_LAYER(parent) : nullptr,
                            gimp_image_get_item_position(image, content_item));
    GeglBuffer *buffer = gimp_drawable_get_buffer(GIMP_DRAWABLE(layer));
    gegl_buffer_set(buffer, GEGL_RECTANGLE(0, 0, result.width, result.height), 0, rgba_format(),
                    result.pixels.data(), GEGL_AUTO_ROWSTRIDE);
    g_object_unref(buffer); // flushes the tiles to GIMP
    gimp_drawable_update(GIMP_DRAWABLE(layer), 0, 0, result.width, result.height);
    const int width = gimp_drawable_get_width(GIMP_DRAWABLE(content));
    const int height = gimp_drawable_get_height(GIMP_DRAWABLE(content));
    if (result.width != width || result.height != height) {
        gimp_layer_scale(layer, width, height, FALSE);
        gimp_layer_set_offsets(layer, x, y);
        if (type == GIMP_RGBA_IMAGE)
            copy_alpha(GIMP_DRAWABLE(content), GIMP_DRAWABLE(layer));
    }
    gimp_image_undo_group_end(image);
    return layer;
}

} // namespace nst_plugin
