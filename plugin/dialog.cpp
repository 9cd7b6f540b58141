// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialog.h"

#include "arguments.h"
#include "error_text.h"
#include "glib_text.h"
#include "i18n.h"
#include "job.h"
#include "memory.h"
#include "preview.h"
#include "run_inputs.h"

#include <libgimp/gimpui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

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
    GimpLayer *content;
    GtkWidget *label;
    double pace = 0; // seconds per megapixel-step, as the preview measured it on pace_device; 0 until it has
    neural_style::DeviceChoice pace_device{};
};

// Stroke size and the five per-layer weights show the same thing: choosing a size sets the weights, and setting
// the weights by hand shows the size they make, or Custom. Each side is set only when it differs, which ends the
// back and forth.
void on_stroke_size_changed(GObject *config, GParamSpec *, gpointer) {
    const int size = gimp_procedure_config_get_choice_id(GIMP_PROCEDURE_CONFIG(config), "stroke-size");
    if (size == kCustomStrokeSize)
        return;
    const auto weights = neural_style::stroke_size_weights(static_cast<neural_style::StrokeSize>(size));
    for (int i = 0; i < neural_style::kStyleLayerCount; ++i) {
        gdouble current = 0;
        g_object_get(config, kStyleLayerWeightArguments[i], &current, nullptr);
        if (current != weights[i])
            g_object_set(config, kStyleLayerWeightArguments[i], weights[i], nullptr);
    }
}

void on_layer_weight_changed(GObject *config, GParamSpec *, gpointer) {
    std::array<double, neural_style::kStyleLayerCount> weights{};
    for (int i = 0; i < neural_style::kStyleLayerCount; ++i)
        g_object_get(config, kStyleLayerWeightArguments[i], &weights[i], nullptr);
    const auto size = neural_style::stroke_size_of(weights);
    const std::string name = size ? neural_style::stroke_size_name(*size) : "custom";
    gchar *current = nullptr;
    g_object_get(config, "stroke-size", &current, nullptr);
    if (name != take_text(current))
        g_object_set(config, "stroke-size", name.c_str(), nullptr);
}

// What the run will do with the settings as they stand: the core's own plan, so it is what the run then does.
std::string estimate_text(const Estimate &estimate) {
    Arguments arguments;
    std::string problem;
    if (!read_arguments(estimate.config, arguments, problem))
        return problem;
    const std::string gone = check_still_there(estimate.content, arguments);
    if (!gone.empty())
        return gone;
    const neural_style::StyleOptions &o = arguments.options;
    try {
        const bool cuda = computes_on_cuda(o.device);
        const neural_style::RunPlan plan = plan_run_inputs(estimate.content, arguments, cuda);
        const neural_style::Size size = plan.scales.back().size;
        std::string text = take_text(g_strdup_printf(
            // TRANSLATORS: width×height in pixels, the number of coarse-to-fine passes, then two amounts of memory
            // such as "3.1 GB".
            _("Paints %d×%d px in %d scales, with up to %s of memory (limit %s)."), size.width, size.height,
            static_cast<int>(plan.scales.size()), neural_style::format_bytes(plan.peak_bytes).c_str(),
            plan.memory_limit > 0 ? neural_style::format_bytes(plan.memory_limit).c_str() : "—"));
        // The preview's pace on the processor, once it has one. The pace counted for machines like this one is the
        // slowest measured of their kind: on this project's fastest, twice the time the run takes.
        const bool measured = !cuda && estimate.pace > 0 && estimate.pace_device == o.device;
        const double seconds = measured ? neural_style::estimated_seconds(plan, estimate.pace)
                                        : neural_style::estimated_seconds(plan, cuda, o.threads);
        const int minutes = std::max(1, static_cast<int>(std::lround(seconds / 60)));
        if (seconds > 0)
            text += " " + take_text(measured
                                        // TRANSLATORS: %d is a number of minutes.
                                        ? g_strdup_printf(_("About %d min on this processor, at the preview's pace."),
                                                          minutes)
                                        // TRANSLATORS: %d is a number of minutes.
                                        : g_strdup_printf(_("About %d min on the processor."), minutes));
        return text;
    } catch (const neural_style::StyleError &e) {
        return error_text(e);
    }
}

void on_config_changed(GObject *, GParamSpec *, gpointer data) {
    const Estimate &estimate = *static_cast<Estimate *>(data);
    gtk_label_set_text(GTK_LABEL(estimate.label), estimate_text(estimate).c_str());
}

} // namespace

bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config, GimpLayer *content) {
    GtkWidget *widget = gimp_procedure_dialog_new(procedure, config, _("Neural Style Transfer"));
    GimpProcedureDialog *dialog = GIMP_PROCEDURE_DIALOG(widget);

    GtkWidget *chooser = gimp_procedure_dialog_get_widget(dialog, "style-layer", G_TYPE_NONE);
    if (GIMP_IS_DRAWABLE_CHOOSER(chooser))
        g_signal_connect(chooser, "map", G_CALLBACK(on_chooser_mapped), nullptr);
    limit_scale(dialog, "steps", neural_style::limits::steps);
    limit_scale(dialog, "max-size", neural_style::limits::max_size);
    limit_scale(dialog, "memory-limit", neural_style::limits::memory_limit_mib);
    limit_scale(dialog, "balance", neural_style::limits::balance);

    gimp_procedure_dialog_get_label(dialog, "layer-weights-title", _("Style at each scale"), FALSE, FALSE);
    gimp_procedure_dialog_fill_box(dialog, "layer-weights-box", kStyleLayerWeightArguments[0],
                                   kStyleLayerWeightArguments[1], kStyleLayerWeightArguments[2],
                                   kStyleLayerWeightArguments[3], kStyleLayerWeightArguments[4], nullptr);
    gimp_procedure_dialog_fill_frame(dialog, "layer-weights-frame", "layer-weights-title", FALSE,
                                     "layer-weights-box");

    for (const char *property : {"style-layer-2", "style-layer-3"}) {
        GtkWidget *more = gimp_procedure_dialog_get_widget(dialog, property, G_TYPE_NONE);
        if (GIMP_IS_DRAWABLE_CHOOSER(more))
            g_signal_connect(more, "map", G_CALLBACK(on_chooser_mapped), nullptr);
    }
    limit_scale(dialog, kMoreStyleShareArguments[0], neural_style::limits::style_share);
    limit_scale(dialog, kMoreStyleShareArguments[1], neural_style::limits::style_share);
    gimp_procedure_dialog_fill_box(dialog, "more-styles-box", kMoreStyleLayerArguments[0], kMoreStyleShareArguments[0],
                                   kMoreStyleLayerArguments[1], kMoreStyleShareArguments[1], nullptr);
    gimp_procedure_dialog_get_label(dialog, "more-styles-title", _("_More styles"), FALSE, TRUE);
    gimp_procedure_dialog_fill_expander(dialog, "more-styles", "more-styles-title", FALSE, "more-styles-box");

    gimp_procedure_dialog_fill_box(dialog, "advanced-box", "content-weight", "style-weight", "max-size", "style-scale",
                                   "memory-limit", "optimizer", "tv-weight", "init", "seed", "device", "weights-file",
                                   "layer-weights-frame", nullptr);
    gimp_procedure_dialog_get_label(dialog, "advanced-title", _("_Advanced"), FALSE, TRUE);
    gimp_procedure_dialog_fill_expander(dialog, "advanced", "advanced-title", FALSE, "advanced-box");

    on_layer_weight_changed(G_OBJECT(config), nullptr, nullptr);
    std::vector<gulong> handlers;
    handlers.push_back(g_signal_connect(config, "notify::stroke-size", G_CALLBACK(on_stroke_size_changed), nullptr));
    for (const char *property : kStyleLayerWeightArguments)
        handlers.push_back(g_signal_connect(config, (std::string("notify::") + property).c_str(),
                                            G_CALLBACK(on_layer_weight_changed), nullptr));

    Estimate estimate{config, content, gimp_procedure_dialog_get_label(dialog, "estimate", "", FALSE, FALSE)};
    gtk_label_set_line_wrap(GTK_LABEL(estimate.label), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(estimate.label), 48);
    on_config_changed(nullptr, nullptr, &estimate);
    handlers.push_back(g_signal_connect(config, "notify", G_CALLBACK(on_config_changed), &estimate));

    gimp_procedure_dialog_fill(dialog, "style-layer", "colors", "balance", "stroke-size", "steps", "more-styles",
                               "advanced", "estimate", nullptr);
    const Preview preview(config, content, [&estimate](double pace, neural_style::DeviceChoice device) {
        estimate.pace = pace;
        estimate.pace_device = device;
        on_config_changed(nullptr, nullptr, &estimate);
    });
    GtkWidget *preview_box = preview.widget();
    gtk_container_set_border_width(GTK_CONTAINER(preview_box), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(widget))), preview_box, FALSE, FALSE, 0);
    gtk_widget_show_all(preview_box);

    const bool ok = gimp_procedure_dialog_run(dialog);
    for (gulong handler : handlers)
        g_signal_handler_disconnect(config, handler);
    gtk_widget_destroy(widget);
    return ok;
}

} // namespace nst_plugin
