// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview.h"

#include "arguments.h"
#include "error_text.h"
#include "i18n.h"
#include "job.h"
#include "pace.h"
#include "picture_view.h"
#include "run_inputs.h"
#include "weights_location.h"

#include <string>
#include <utility>

namespace nst_plugin {

namespace {

constexpr guint kPollMs = 200;

} // namespace

struct PreviewState {
    GimpProcedureConfig *config;
    GimpLayer *content;
    Preview::PaceCallback on_pace;
    GtkWidget *box, *toggle, *picture, *status;
    std::unique_ptr<StyleJob> job;
    neural_style::DeviceChoice device{}; // the job's
    double pace_told = 0;
    int shown_serial = 0;
    bool settings_changed = true;
    gulong notify_handler = 0;
    guint timer = 0;

    void stop() {
        job.reset(); // asks the worker to stop and waits for its step to end: well under a second at this size
        shown_serial = 0;
    }

    void say(const std::string &text) { gtk_label_set_text(GTK_LABEL(status), text.c_str()); }

    // A fresh run of the settings as they stand, replacing the one under way.
    void restart() {
        stop();
        settings_changed = false;
        Arguments arguments;
        std::string problem;
        if (!read_arguments(config, arguments, problem))
            return say(problem);
        const neural_style::WeightsSearch weights = neural_style::find_weights(arguments.weights_file);
        if (weights.found.empty())
            return say(_("No preview without the VGG19 weights."));
        RunInputs inputs;
        problem = read_run_inputs(content, arguments, neural_style::kPreviewSide, inputs);
        if (!problem.empty())
            return say(problem);
        neural_style::StyleOptions options = arguments.options;
        options.steps = neural_style::kPreviewSteps;
        options.max_size = 0; // the inputs are read at the preview's size
        say(_("Painting the preview…"));
        device = options.device;
        pace_told = 0;
        job = std::make_unique<StyleJob>(std::move(inputs.content), std::move(inputs.styles), std::move(inputs.mask),
                                         options, weights.found);
    }

    void poll() {
        if (settings_changed && gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(toggle)))
            restart();
        if (!job)
            return;
        const JobProgress progress = job->progress();
        if (progress.seconds_per_megapixel_step > 0 && progress.seconds_per_megapixel_step != pace_told) {
            pace_told = progress.seconds_per_megapixel_step;
            on_pace(pace_told, device);
        }
        if (progress.picture_serial != shown_serial) {
            shown_serial = progress.picture_serial;
            show_picture(picture, job->picture());
        }
        if (job->wait(std::chrono::milliseconds(0))) {
            if (const auto failure = job->failure()) {
                say(error_text(*failure));
            } else {
                show_picture(picture, job->take_result());
                say(_("Preview: a small, short run of these settings."));
            }
            job.reset();
        }
    }
};

namespace {

gboolean on_poll(gpointer data) {
    static_cast<PreviewState *>(data)->poll();
    return G_SOURCE_CONTINUE;
}

void on_settings_changed(GObject *, GParamSpec *, gpointer data) {
    static_cast<PreviewState *>(data)->settings_changed = true;
}

void on_toggled(GtkToggleButton *toggle, gpointer data) {
    auto *state = static_cast<PreviewState *>(data);
    gtk_widget_set_visible(state->picture, gtk_toggle_button_get_active(toggle));
    if (gtk_toggle_button_get_active(toggle)) {
        state->settings_changed = true;
    } else {
        state->stop();
        state->say("");
    }
}

} // namespace

Preview::Preview(GimpProcedureConfig *config, GimpLayer *content, PaceCallback on_pace)
    : state_(std::make_unique<PreviewState>()) {
    PreviewState &s = *state_;
    s.config = config;
    s.content = content;
    s.on_pace = std::move(on_pace);
    s.box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
    // On from the start, as in GIMP's own filters.
    s.toggle = gtk_check_button_new_with_mnemonic(_("_Preview"));
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(s.toggle), TRUE);
    s.picture = gtk_image_new();
    gtk_widget_set_size_request(s.picture, neural_style::kPreviewSide, neural_style::kPreviewSide * 5 / 8);
    s.status = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(s.status), 0);
    gtk_label_set_line_wrap(GTK_LABEL(s.status), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(s.status), 48);
    gtk_box_pack_start(GTK_BOX(s.box), s.toggle, FALSE, FALSE, 0);
    gtk_box_pack_start(GTK_BOX(s.box), s.picture, FALSE, FALSE, 0);
    gtk_box_pack_start(GTK_BOX(s.box), s.status, FALSE, FALSE, 0);
    g_signal_connect(s.toggle, "toggled", G_CALLBACK(on_toggled), &s);
    s.notify_handler = g_signal_connect(config, "notify", G_CALLBACK(on_settings_changed), &s);
    s.timer = g_timeout_add(kPollMs, on_poll, &s);
}

Preview::~Preview() {
    g_source_remove(state_->timer);
    g_signal_handler_disconnect(state_->config, state_->notify_handler);
    state_->stop();
}

GtkWidget *Preview::widget() const { return state_->box; }

} // namespace nst_plugin
