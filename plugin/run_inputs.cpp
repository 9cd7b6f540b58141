// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_inputs.h"

#include "error_text.h"
#include "glib_text.h"
#include "i18n.h"
#include "pixels.h"

#include <algorithm>
#include <cmath>
#include <new>

namespace nst_plugin {

namespace {

neural_style::Size drawable_size(GimpDrawable *drawable) {
    return {gimp_drawable_get_width(drawable), gimp_drawable_get_height(drawable)};
}

std::string read_layers(GimpLayer *content, const Arguments &arguments, int working_side, RunInputs &inputs) {
    const double style_scale = arguments.options.style_scale;
    const int style_side =
        working_side > 0 ? static_cast<int>(std::ceil(working_side * std::max(1.0, style_scale))) : 0;
    inputs.styles.clear();
    for (GimpLayer *layer : style_layers(arguments)) {
        inputs.styles.push_back(read_pixels(GIMP_DRAWABLE(layer), style_side));
        if (fully_transparent(inputs.styles.back()))
            return take_text(g_strdup_printf(_("The style layer “%s” is fully transparent: there is no style to "
                                               "take from it. Choose a layer with a picture on it."),
                                             gimp_item_get_name(GIMP_ITEM(layer))));
    }
    inputs.area = paint_area(content);
    inputs.content = read_pixels(GIMP_DRAWABLE(content), inputs.area.rect, working_side);
    inputs.mask = read_mask(content, inputs.area, {inputs.content.width, inputs.content.height});
    return "";
}

} // namespace

std::string check_still_there(GimpLayer *content, const Arguments &arguments) {
    if (!gimp_item_is_valid(GIMP_ITEM(content)))
        return _("The layer to paint was deleted, or its image closed, before the painting began.");
    for (GimpLayer *style_layer : style_layers(arguments))
        if (!gimp_item_is_valid(GIMP_ITEM(style_layer)))
            return _("The style layer was deleted, or its image closed, before the painting began.");
    return "";
}

neural_style::RunPlan plan_run_inputs(GimpLayer *content, const Arguments &arguments, bool cuda) {
    std::vector<neural_style::Size> style_sizes;
    for (GimpLayer *layer : style_layers(arguments))
        style_sizes.push_back(drawable_size(GIMP_DRAWABLE(layer)));
    const GeglRectangle area = paint_area(content).rect;
    return neural_style::plan_run({area.width, area.height}, neural_style::largest_size(style_sizes),
                                  arguments.options, cuda);
}

std::string read_run_inputs(GimpLayer *content, const Arguments &arguments, int working_side, RunInputs &inputs) {
    const std::string gone = check_still_there(content, arguments);
    if (!gone.empty())
        return gone;
    try {
        return read_layers(content, arguments, working_side, inputs);
    } catch (const neural_style::StyleError &e) {
        return error_text(e);
    } catch (const std::bad_alloc &) {
        return error_text(out_of_memory_error());
    }
}

} // namespace nst_plugin
