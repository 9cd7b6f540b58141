#include "dialog.h"

#include "arguments.h"
#include "i18n.h"

#include <libgimp/gimpui.h>

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

} // namespace

bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config) {
    GtkWidget *widget = gimp_procedure_dialog_new(procedure, config, _("Neural Style Transfer"));
    GimpProcedureDialog *dialog = GIMP_PROCEDURE_DIALOG(widget);

    GtkWidget *chooser = gimp_procedure_dialog_get_widget(dialog, "style-layer", G_TYPE_NONE);
    if (GIMP_IS_DRAWABLE_CHOOSER(chooser))
        g_signal_connect(chooser, "map", G_CALLBACK(on_chooser_mapped), nullptr);
    limit_scale(dialog, "steps", neural_style::limits::steps);
    limit_scale(dialog, "max-size", neural_style::limits::max_size);

    gimp_procedure_dialog_get_label(dialog, "layer-weights-title", _("Style at each scale"), FALSE, FALSE);
    gimp_procedure_dialog_fill_box(dialog, "layer-weights-box", kStyleLayerWeightArguments[0],
                                   kStyleLayerWeightArguments[1], kStyleLayerWeightArguments[2],
                                   kStyleLayerWeightArguments[3], kStyleLayerWeightArguments[4], nullptr);
    gimp_procedure_dialog_fill_frame(dialog, "layer-weights-frame", "layer-weights-title", FALSE,
                                     "layer-weights-box");

    gimp_procedure_dialog_fill_box(dialog, "advanced-box", "max-size", "optimizer", "tv-weight", "init", "seed",
                                   "device", "weights-file", "layer-weights-frame", nullptr);
    gimp_procedure_dialog_get_label(dialog, "advanced-title", _("_Advanced"), FALSE, TRUE);
    gimp_procedure_dialog_fill_expander(dialog, "advanced", "advanced-title", FALSE, "advanced-box");

    gimp_procedure_dialog_fill(dialog, "style-layer", "steps", "content-weight", "style-weight", "advanced",
                               nullptr);

    const bool ok = gimp_procedure_dialog_run(dialog);
    gtk_widget_destroy(widget);
    return ok;
}

} // namespace nst_plugin
