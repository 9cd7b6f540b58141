#include "dialog.h"

#include "arguments.h"
#include "i18n.h"

#include <libgimp/gimpui.h>

namespace nst_plugin {

namespace {

// Steps and working size accept far more than is useful to drag to; the scales cover the useful part.
void limit_scale(GimpProcedureDialog *dialog, const char *property, double lower, double upper) {
    GtkWidget *scale = gimp_procedure_dialog_get_spin_scale(dialog, property, 1.0);
    gimp_spin_scale_set_scale_limits(GIMP_SPIN_SCALE(scale), lower, upper);
}

} // namespace

bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config) {
    GtkWidget *widget = gimp_procedure_dialog_new(procedure, config, _("Neural Style Transfer"));
    GimpProcedureDialog *dialog = GIMP_PROCEDURE_DIALOG(widget);

    limit_scale(dialog, "steps", 1, 1000);
    limit_scale(dialog, "max-size", 64, 2048);

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
