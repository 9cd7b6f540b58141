// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_inputs.h"

#include "glib_text.h"
#include "i18n.h"
#include "pixels.h"

#include <algorithm>
#include <cmath>

namespace nst_plugin {

std::string read_run_inputs(GimpLayer *content, const Arguments &arguments, int working_side, RunInputs &inputs) {
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

} // namespace nst_plugin
