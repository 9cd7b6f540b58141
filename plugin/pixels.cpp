// SPDX-License-Identifier: GPL-3.0-or-later
#include "pixels.h"

#include "error.h"
#include "glib_text.h"
#include "i18n.h"

#include <gegl.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nst_plugin {

namespace {

// sRGB-encoded floats: what an ImageNet-trained VGG19 expects, whatever the image's own profile.
const Babl *rgba_format() { return babl_format("R'G'B'A float"); }

// The content's own alpha (of `area`) onto a result that was computed smaller and enlarged, whose alpha the
// enlargement softened; strip by strip, so that a huge layer is never held whole. False when GIMP refused a buffer.
bool copy_alpha(GimpDrawable *from, const GeglRectangle &area, GimpDrawable *to) {
    constexpr int kStripRows = 256;
    const int width = gimp_drawable_get_width(to), height = gimp_drawable_get_height(to);
    GeglBuffer *source = gimp_drawable_get_buffer(from);
    GeglBuffer *target = gimp_drawable_get_buffer(to);
    if (source && target) {
        std::vector<float> alpha(static_cast<size_t>(width) * kStripRows);
        std::vector<float> rgba(alpha.size() * 4);
        for (int y = 0; y < height; y += kStripRows) {
            const int rows = std::min(kStripRows, height - y);
            const GeglRectangle strip = {0, y, width, rows};
            const GeglRectangle source_strip = {area.x, area.y + y, width, rows};
            gegl_buffer_get(source, &source_strip, 1.0, babl_format("A float"), alpha.data(), GEGL_AUTO_ROWSTRIDE,
                            GEGL_ABYSS_NONE);
            gegl_buffer_get(target, &strip, 1.0, rgba_format(), rgba.data(), GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
            for (size_t i = 0; i < static_cast<size_t>(width) * rows; ++i)
                rgba[i * 4 + 3] = alpha[i];
            gegl_buffer_set(target, &strip, 0, rgba_format(), rgba.data(), GEGL_AUTO_ROWSTRIDE);
        }
    }
    const bool copied = source && target;
    if (target)
        g_object_unref(target);
    if (source)
        g_object_unref(source);
    return copied && gimp_drawable_update(to, 0, 0, width, height);
}

// `values` (the drawable's size, `format`) into the drawable. False when GIMP refused its buffer.
bool write_pixels(GimpDrawable *drawable, const Babl *format, const float *values) {
    const int width = gimp_drawable_get_width(drawable), height = gimp_drawable_get_height(drawable);
    GeglBuffer *buffer = gimp_drawable_get_buffer(drawable);
    if (!buffer)
        return false;
    gegl_buffer_set(buffer, GEGL_RECTANGLE(0, 0, width, height), 0, format, values, GEGL_AUTO_ROWSTRIDE);
    g_object_unref(buffer); // flushes the tiles to GIMP
    return gimp_drawable_update(drawable, 0, 0, width, height);
}

// "<name> (stylized)", translated.
std::string result_name(const char *content_name) {
    // TRANSLATORS: the name of the result layer; %s is the name of the layer it was painted from.
    return take_text(g_strdup_printf(_("%s (stylized)"), content_name));
}

// Takes GIMP's reason for the call that just failed into `reason`, before the calls that undo the step replace it.
void take_reason(std::string &reason) { reason = gimp_reason(); }

// A new layer of `image` holding `result`, at the top of `parent` (nullptr: the image) or at `position` in it.
// nullptr when GIMP refused a step (`reason` says why), with nothing left in the image.
GimpLayer *insert_result(GimpImage *image, GimpLayer *parent, int position, const std::string &name, bool alpha,
                         const neural_style::RgbaImage &result, std::string &reason) {
    GimpLayer *layer = gimp_layer_new(image, name.c_str(), result.width, result.height,
                                      alpha ? GIMP_RGBA_IMAGE : GIMP_RGB_IMAGE, 100.0,
                                      gimp_image_get_default_new_layer_mode(image));
    if (!layer) {
        take_reason(reason);
        return nullptr;
    }
    if (!gimp_image_insert_layer(image, layer, parent, position)) {
        take_reason(reason);
        gimp_item_delete(GIMP_ITEM(layer));
        return nullptr;
    }
    if (!write_pixels(GIMP_DRAWABLE(layer), rgba_format(), result.pixels.data())) {
        take_reason(reason);
        gimp_image_remove_layer(image, layer);
        return nullptr;
    }
    return layer;
}

// The result layer at its place over `area` of the content (at `x`, `y` on the canvas), scaled to the area when
// it was computed smaller, with the content's alpha and `mask`. False when GIMP refused a step (`reason` says why).
bool place_result(GimpLayer *layer, GimpLayer *content, const GeglRectangle &area, int x, int y,
                  const neural_style::GreyImage &mask, std::string &reason) {
    GimpDrawable *drawable = GIMP_DRAWABLE(layer);
    const bool enlarged =
        gimp_drawable_get_width(drawable) != area.width || gimp_drawable_get_height(drawable) != area.height;
    const bool placed =
        gimp_layer_set_offsets(layer, x, y) &&
        (!enlarged || (gimp_layer_scale(layer, area.width, area.height, FALSE) && gimp_layer_set_offsets(layer, x, y) &&
                       (!gimp_drawable_has_alpha(GIMP_DRAWABLE(content)) ||
                        copy_alpha(GIMP_DRAWABLE(content), area, drawable))));
    if (!placed) {
        take_reason(reason);
        return false;
    }
    if (mask.empty())
        return true;
    GimpLayerMask *layer_mask = gimp_layer_create_mask(layer, GIMP_ADD_MASK_WHITE);
    if (!layer_mask) {
        take_reason(reason);
        return false;
    }
    if (!gimp_layer_add_mask(layer, layer_mask)) {
        take_reason(reason);
        gimp_item_delete(GIMP_ITEM(layer_mask));
        return false;
    }
    if (!write_pixels(GIMP_DRAWABLE(layer_mask), babl_format("Y float"), mask.values.data())) {
        take_reason(reason);
        return false;
    }
    return true;
}

} // namespace

void read_scaled(GimpDrawable *drawable, const GeglRectangle &area, neural_style::Size size, const Babl *format,
                 void *data) {
    // GEGL reads at a scale in that scale's own coordinates.
    const double scale = static_cast<double>(size.width) / area.width;
    const GeglRectangle scaled{static_cast<int>(std::floor(area.x * scale)),
                               static_cast<int>(std::floor(area.y * scale)), size.width, size.height};
    GeglBuffer *buffer = gimp_drawable_get_buffer(drawable);
    if (!buffer)
        throw neural_style::StyleError(_("GIMP did not hand over a layer's pixels: was it deleted?"));
    gegl_buffer_get(buffer, &scaled, scale, format, data, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    g_object_unref(buffer);
}

neural_style::RgbaImage read_pixels(GimpDrawable *drawable, const GeglRectangle &area, int max_side) {
    const neural_style::Size full{area.width, area.height};
    const neural_style::Size size = max_side > 0 ? neural_style::fit_within(full, max_side) : full;
    neural_style::RgbaImage pixels(size.width, size.height);
    read_scaled(drawable, area, size, rgba_format(), pixels.pixels.data());
    // A high-bit-depth image can hold colours beyond sRGB and values above 1.0; the network knows display colours
    // only, and the result is within 0..1 anyway: clip them here, so that the content it compares against is too.
    for (float &value : pixels.pixels)
        value = std::clamp(value, 0.0f, 1.0f);
    return pixels;
}

neural_style::RgbaImage read_pixels(GimpDrawable *drawable, int max_side) {
    return read_pixels(drawable, {0, 0, gimp_drawable_get_width(drawable), gimp_drawable_get_height(drawable)},
                       max_side);
}

bool fully_transparent(const neural_style::RgbaImage &pixels) {
    for (size_t i = 3; i < pixels.pixels.size(); i += 4)
        if (pixels.pixels[i] > 0)
            return false;
    return true;
}

ContentFacts content_facts(GimpLayer *content) {
    GimpDrawable *drawable = GIMP_DRAWABLE(content);
    return {take_text(gimp_item_get_name(GIMP_ITEM(content))), gimp_drawable_get_width(drawable),
            gimp_drawable_get_height(drawable), static_cast<bool>(gimp_drawable_has_alpha(drawable)),
            gimp_image_get_precision(gimp_item_get_image(GIMP_ITEM(content)))};
}

std::string gimp_reason() {
    const char *reason = gimp_pdb_get_last_error(gimp_get_pdb());
    return reason && *reason ? reason : _("no reason given");
}

std::string add_result_layer(GimpLayer *content, const GeglRectangle &area, const neural_style::RgbaImage &result,
                             const neural_style::GreyImage &mask) {
    GimpItem *content_item = GIMP_ITEM(content);
    GimpImage *image = gimp_item_get_image(content_item);
    const ContentFacts facts = content_facts(content);
    gint x = 0, y = 0;
    gimp_drawable_get_offsets(GIMP_DRAWABLE(content), &x, &y);
    x += area.x;
    y += area.y;

    std::string reason;
    gimp_image_undo_group_start(image);
    // Same parent and position as the content: the content moves one down, the result sits right above it.
    GimpItem *parent = gimp_item_get_parent(content_item);
    GimpLayer *layer = insert_result(image, parent ? GIMP_LAYER(parent) : nullptr,
                                     gimp_image_get_item_position(image, content_item), result_name(facts.name.c_str()),
                                     facts.alpha, result, reason);
    if (layer && !place_result(layer, content, area, x, y, mask, reason))
        gimp_image_remove_layer(image, layer);
    gimp_image_undo_group_end(image);
    return reason;
}

GimpImage *open_result_image(const ContentFacts &content, const neural_style::RgbaImage &result,
                             std::string &reason) {
    GimpImage *image = gimp_image_new_with_precision(content.width, content.height, GIMP_RGB, content.precision);
    if (!image) {
        take_reason(reason);
        return nullptr;
    }
    gimp_image_undo_disable(image);
    GimpLayer *layer =
        insert_result(image, nullptr, 0, result_name(content.name.c_str()), content.alpha, result, reason);
    const bool enlarged = result.width != content.width || result.height != content.height;
    if (layer && enlarged && !gimp_layer_scale(layer, content.width, content.height, FALSE))
        take_reason(reason);
    if (!reason.empty()) {
        gimp_image_delete(image);
        return nullptr;
    }
    gimp_image_undo_enable(image);
    return image;
}

} // namespace nst_plugin
