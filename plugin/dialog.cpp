// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialog.h"

#include "arguments.h"
#include "error.h"
#include "glib_text.h"
#include "i18n.h"
#include "memory.h"
#include "run_plan.h"

#include <libgimp/gimpui.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace nst_plugin {

namespace {

// Steps and working size accept far more than is useful to drag to; the slider covers the useful part.
template <typename T>
void limit_scale(GimpProcedureDialog *dialog, const char *property, const neural_style::Limit<T> &limit) {
    GtkWidget *scale = gimp_procedure_dialog_get_spin_scale(dialog, property, 1.0);
    gimp_spin_scale_set_scale_limits(GIMP_SPIN_SCALE(scale), limit.min, limit.useful_max);
}

// GIMP 3.0's layer chooser draws its thumbnail only when its layer is set, which for a pre-set layer happens
// before it has a size: the thumbnail stays empty. Setting the same layer again once it is shown draws it.
gboolean redraw_chooser(gpointer chooser) {
    gimp_drawable_chooser_set_drawable(GIMP_DRAWABLE_CHOOSER(chooser),
                                       gimp_drawable_chooser_get_drawable(GIMP_DRAWABLE_CHOOSER(chooser)));
    return G_SOURCE_REMOVE;
}

void on_chooser_mapped(GtkWidget *chooser, gpointer) { g_idle_add(redraw_chooser, chooser); }

struct Estimate {
    GimpProcedureConfig *config;
    GimpDrawable *content;
    GtkWidget *label;
};

// What the run will do with the settings as they stand: the core's own plan, so it is what the run then does.
std::string estimate_text(const Estimate &estimate) {
    Arguments arguments;
    std::string problem;
    if (!read_arguments(estimate.config, arguments, problem))
        return problem;
    GimpDrawable *style = GIMP_DRAWABLE(arguments.style_layer.get());
    const neural_style::StyleOptions &o = arguments.options;
    // Without LibTorch here, "automatic" is estimated as the CPU it falls back to.
    const bool cuda = o.device == neural_style::DeviceChoice::cuda;
    try {
        const neural_style::RunPlan plan = neural_style::plan_run(
            {gimp_drawable_get_width(estimate.content), gimp_drawable_get_height(estimate.content)},
            {gimp_drawable_get_width(style), gimp_drawable_get_height(style)}, o, cuda);
        const neural_style::Size size = plan.scales.back().size;
        std::string text = take_text(g_strdup_printf(
            // TRANSLATORS: width×height in pixels, the number of coarse-to-fine passes, then two amounts of memory
            // such as "3.1 GB".
            _("Paints %d×%d px in %d scales, with up to %s of memory (limit %s)."), size.width, size.height,
            static_cast<int>(plan.scales.size()), neural_style::format_bytes(plan.peak_bytes).c_str(),
            plan.memory_limit > 0 ? neural_style::format_bytes(plan.memory_limit).c_str() : "—"));
        const double seconds = neural_style::estimated_seconds(plan, cuda, o.threads);
        if (seconds > 0)
            // TRANSLATORS: %d is a number of minutes.
            text += " " + take_text(g_strdup_printf(_("About %d min on the processor."),
                                                    std::max(1, static_cast<int>(std::lround(seconds / 60)))));
        return text;
    } catch (const neural_style::StyleError &e) {
        return e.what();
    }
}

void on_config_changed(GObject *, GParamSpec *, gpointer data) {
    const Estimate &estimate = *static_cast<Estimate *>(data);
    gtk_label_set_text(GTK_LABEL(estimate.label), estimate_text(estimate).c_str());
}

} // namespace

bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config, GimpDrawable *content) {
    GtkWidget *widget = gimp_procedure_dialog_new(procedure, config, _("Neural Style Transfer"));
    GimpProcedureDialog *dialog = GIMP_PROCEDURE_DIALOG(widget);

    GtkWidget *chooser = gimp_procedure_dialog_get_widget(dialog, "style-layer", G_TYPE_NONE);
    if (GIMP_IS_DRAWABLE_CHOOSER(chooser))
        g_signal_connect(chooser, "map", G_CALLBACK(on_chooser_mapped), nullptr);
    limit_scale(dialog, "steps", neural_style::limits::steps);
    limit_scale(dialog, "max-size", neural_style::limits::max_size);
    limit_scale(dialog, "memory-limit", neural_style::limits::memory_limit_mib);

    gimp_procedure_dialog_get_label(dialog, "layer-weights-title", _("Style at each scale"), FALSE, FALSE);
    gimp_procedure_dialog_fill_box(dialog, "layer-weights-box", kStyleLayerWeightArguments[0],
                                   kStyleLayerWeightArguments[1], kStyleLayerWeightArguments[2],
                                   kStyleLayerWeightArguments[3], kStyleLayerWeightArguments[4], nullptr);
    gimp_procedure_dialog_fill_frame(dialog, "layer-weights-frame", "layer-weights-title", FALSE,
                                     "layer-weights-box");

    gimp_procedure_dialog_fill_box(dialog, "advanced-box", "max-size", "style-scale", "memory-limit", "optimizer",
                                   "tv-weight", "init", "seed", "device", "weights-file", "layer-weights-frame",
                                   nullptr);
    gimp_procedure_dialog_get_label(dialog, "advanced-title", _("_Advanced"), FALSE, TRUE);
    gimp_procedure_dialog_fill_expander(dialog, "advanced", "advanced-title", FALSE, "advanced-box");

    Estimate estimate{config, content, gimp_procedure_dialog_get_label(dialog, "estimate", "", FALSE, FALSE)};
    gtk_label_set_line_wrap(GTK_LABEL(estimate.label), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(estimate.label), 48);
    on_config_changed(nullptr, nullptr, &estimate);
    const gulong handler = g_signal_connect(config, "notify", G_CALLBACK(on_config_changed), &estimate);

    gimp_procedure_dialog_fill(dialog, "style-layer", "steps", "content-weight", "style-weight", "advanced",
                               "estimate", nullptr);

    const bool ok = gimp_procedure_dialog_run(dialog);
    g_signal_handler_disconnect(config, handler);
    gtk_widget_destroy(widget);
    return ok;
}

} // namespace nst_plugin
