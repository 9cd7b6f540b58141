// SPDX-License-Identifier: GPL-3.0-or-later
#include "run.h"

#include "arguments.h"
#include "dialog.h"
#include "error_text.h"
#include "glib_text.h"
#include "i18n.h"
#include "job.h"
#include "pixels.h"
#include "progress_text.h"
#include "progress_window.h"
#include "region.h"
#include "run_inputs.h"
#include "style_layer.h"
#include "style_memory.h"
#include "weights_dialog.h"
#include "weights_location.h"

#include <gegl.h>
#include <libgimp/gimpui.h>

#include <new>
#include <string>
#include <vector>

namespace nst_plugin {

namespace {

GimpValueArray *fail(GimpProcedure *procedure, GimpPDBStatusType status, const std::string &message) {
    GError *error = g_error_new_literal(GIMP_PLUG_IN_ERROR, 0, message.c_str());
    return gimp_procedure_new_return_values(procedure, status, error);
}

std::string weights_missing_message(const neural_style::WeightsSearch &search, GimpRunMode run_mode) {
    std::string message = take_text(g_strdup_printf(
        // TRANSLATORS: %s is a list of file paths.
        _("The VGG19 network weights were not found (looked at: %s). "
          "Download them once with the command “neural-style fetch-weights”."),
        neural_style::looked_at_text(search).c_str()));
    if (run_mode == GIMP_RUN_INTERACTIVE)
        message += std::string(" ") + _("Or choose the file under Advanced ▸ Weights file.");
    return message;
}

// The content: the one selected drawable, a layer of an RGB image. Empty message when usable.
std::string check_content(GimpImage *image, GimpDrawable **drawables) {
    if (gimp_core_object_array_get_length(reinterpret_cast<GObject **>(drawables)) != 1)
        return _("Select exactly one layer: it is the picture that gets the new style.");
    if (!GIMP_IS_LAYER(drawables[0]))
        return _("The selected item is a channel or a layer mask; select a layer instead.");
    if (gimp_image_get_base_type(image) != GIMP_RGB)
        return _("Neural Style Transfer works on RGB images. Convert this one first with Image ▸ Mode ▸ RGB.");
    return "";
}

// GIMP's status-bar progress for runs without a window; cancelling it there kills the plug-in, which leaves
// the image untouched since nothing is written before the job has ended.
void run_with_gimp_progress(StyleJob &job) {
    gimp_progress_init(_("Neural style transfer"));
    double shown = -1;
    while (!job.wait(std::chrono::milliseconds(100))) {
        const JobProgress progress = job.progress();
        if (progress.work_done == shown)
            continue;
        shown = progress.work_done;
        gimp_progress_set_text(step_text(progress).c_str());
        gimp_progress_update(progress_fraction(progress));
    }
    gimp_progress_end();
}

// A finished result that cannot go into its image opens as a new one, rather than being lost; the run still
// fails with `message`, which says so.
GimpValueArray *open_instead(GimpProcedure *procedure, GimpRunMode run_mode, const ContentFacts &facts,
                             const neural_style::RgbaImage &result, const std::string &message) {
    std::string reason;
    GimpImage *result_image = open_result_image(facts, result, reason);
    if (!result_image)
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR,
                    take_text(g_strdup_printf(
                        // TRANSLATORS: %s is GIMP's reason.
                        _("GIMP refused to open the result as a new image (%s): it is lost."), reason.c_str())));
    if (run_mode != GIMP_RUN_NONINTERACTIVE)
        gimp_display_new(result_image);
    return fail(procedure, GIMP_PDB_EXECUTION_ERROR, message);
}

} // namespace

GimpValueArray *run_style_transfer(GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
                                   GimpDrawable **drawables, GimpProcedureConfig *config, gpointer) {
    gegl_init(nullptr, nullptr);

    const std::string content_problem = check_content(image, drawables);
    if (!content_problem.empty())
        return fail(procedure, GIMP_PDB_CALLING_ERROR, content_problem);
    GimpLayer *content = GIMP_LAYER(drawables[0]);

    if (run_mode != GIMP_RUN_NONINTERACTIVE) {
        // GIMP does not remember layer arguments: Repeat takes the last run's style layer while it exists, and
        // only the dialog, where the artist sees it, may offer a suggestion instead.
        GimpLayer *style_layer = remembered_style_layer(config);
        if (!style_layer && run_mode == GIMP_RUN_WITH_LAST_VALS)
            return fail(procedure, GIMP_PDB_EXECUTION_ERROR,
                        _("The style layer of the last run no longer exists. "
                          "Choose one with Filters ▸ Re-Show Last."));
        g_object_set(config, "style-layer", style_layer ? style_layer : suggest_style_layer(content), nullptr);
        gimp_ui_init("neural-style-transfer");
    }
    if (run_mode == GIMP_RUN_INTERACTIVE) {
        std::string download_problem;
        if (!offer_weights(config, download_problem)) {
            if (download_problem.empty())
                return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
            return fail(procedure, GIMP_PDB_EXECUTION_ERROR,
                        take_text(g_strdup_printf(_("Downloading the weights failed: %s"), download_problem.c_str())));
        }
        if (!run_settings_dialog(procedure, config, content))
            return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
    }

    Arguments arguments;
    std::string problem;
    if (!read_arguments(config, arguments, problem))
        return fail(procedure, GIMP_PDB_CALLING_ERROR, problem);
    // The dialog leaves the image editable: any of the layers may have been deleted meanwhile.
    const std::string gone_problem = check_still_there(content, arguments);
    if (!gone_problem.empty())
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR, gone_problem);
    const neural_style::WeightsSearch weights = neural_style::find_weights(arguments.weights_file);
    if (weights.found.empty())
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR, weights_missing_message(weights, run_mode));
    // The plan before the pixels: a layer too large for the memory is refused before it is read, and the run keeps
    // the memory limit the plan settled on, as the CLI does.
    try {
        arguments.options.memory_limit =
            plan_run_inputs(content, arguments, computes_on_cuda(arguments.options.device)).memory_limit;
    } catch (const neural_style::StyleError &e) {
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR, error_text(e));
    }

    RunInputs inputs;
    const std::string input_problem = read_run_inputs(content, arguments, arguments.options.max_size, inputs);
    if (!input_problem.empty())
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR, input_problem);
    const PaintArea area = inputs.area;

    // A result painted from a selection's box opens, when the layer is gone, at that box's size.
    ContentFacts facts = content_facts(content);
    facts.width = area.rect.width;
    facts.height = area.rect.height;
    // The view the run was started from (a menu, Repeat). GIMP keeps an image that the artist closes, and its
    // layers, valid until the run ends, so a closed image shows only as its view gone.
    GimpDisplay *view = run_mode == GIMP_RUN_NONINTERACTIVE ? nullptr : gimp_default_display();
    if (view && !gimp_display_is_valid(view))
        view = nullptr;
    StyleJob job(std::move(inputs.content), std::move(inputs.styles), std::move(inputs.mask), arguments.options,
                 weights.found);
    // Repeat too gets the window: GIMP's own progress can only be cancelled by killing the plug-in.
    if (run_mode != GIMP_RUN_NONINTERACTIVE) {
        if (run_progress_window(job, facts.name.c_str()) == WindowOutcome::cancelled)
            return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
    } else {
        run_with_gimp_progress(job);
    }
    if (const auto failure = job.failure()) {
        return fail(procedure, GIMP_PDB_EXECUTION_ERROR,
                    take_text(g_strdup_printf(_("Neural style transfer failed: %s"), error_text(*failure).c_str())));
    }
    const neural_style::RgbaImage result = job.take_result();
    if (result.pixels.empty()) // stopped before the first step: nothing to keep
        return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);

    remember_style_layer(config, arguments.style_layer.get());

    // The image stays editable while the job works. The style was read before it began; without its content
    // layer, deleted or closed with its image, the result has no place to go but a new image.
    if (!gimp_item_is_valid(GIMP_ITEM(content)) || (view && !gimp_display_is_valid(view)))
        return open_instead(procedure, run_mode, facts, result,
                            take_text(g_strdup_printf(
                                // TRANSLATORS: %s is the name of the layer that was being painted.
                                _("The layer “%s” was deleted, or its image closed, while it was being painted: "
                                  "the result opens as a new image instead."),
                                facts.name.c_str())));
    std::string refusal;
    try {
        refusal = add_result_layer(content, area.rect, result,
                                   read_mask(content, area, {area.rect.width, area.rect.height}));
    } catch (const neural_style::StyleError &e) {
        refusal = error_text(e);
    } catch (const std::bad_alloc &) {
        refusal = error_text(out_of_memory_error());
    }
    if (!refusal.empty())
        return open_instead(procedure, run_mode, facts, result,
                            take_text(g_strdup_printf(
                                // TRANSLATORS: %s is GIMP's reason.
                                _("GIMP refused to add the result to the image (%s): it opens as a new image "
                                  "instead."),
                                refusal.c_str())));
    if (run_mode != GIMP_RUN_NONINTERACTIVE)
        gimp_displays_flush();
    return gimp_procedure_new_return_values(procedure, GIMP_PDB_SUCCESS, nullptr);
}

} // namespace nst_plugin
