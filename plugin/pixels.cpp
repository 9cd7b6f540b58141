#include "pixels.h"
#include "glib_text.h"

#include "i18n.h"

#include <gegl.h>


namespace nst_plugin {

namespace {

// sRGB-encoded floats: what an ImageNet-trained VGG19 expects, whatever the image's own profile.
const Babl *rgba_format() { return babl_format("R'G'B'A float"); }

} // namespace

neural_style::RgbaImage read_pixels(GimpDrawable *drawable) {
    neural_style::RgbaImage pixels;
    pixels.width = gimp_drawable_get_width(drawable);
    pixels.height = gimp_drawable_get_height(drawable);
    pixels.pixels.resize(static_cast<size_t>(pixels.width) * pixels.height * 4);
    GeglBuffer *buffer = gimp_drawable_get_buffer(drawable);
    gegl_buffer_get(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 1.0, rgba_format(),
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
    gimp_image_undo_group_end(image);
    return layer;
}

} // namespace nst_plugin
