// SPDX-License-Identifier: GPL-3.0-or-later
#include "progress_window.h"

#include "glib_text.h"
#include "i18n.h"
#include "picture_view.h"
#include "progress_text.h"

#include <libgimp/gimpui.h>

namespace nst_plugin {

namespace {

constexpr int kStopAndKeep = 1;
constexpr guint kRefreshMs = 100;

struct Window {
    StyleJob *job = nullptr;
    GMainLoop *loop = nullptr;
    GtkWidget *dialog = nullptr;
    GtkWidget *picture = nullptr;
    int picture_serial = 0;
    GtkWidget *bar = nullptr;
    GtkWidget *steps = nullptr;
    GtkWidget *times = nullptr;
    GtkWidget *device = nullptr;
    WindowOutcome outcome = WindowOutcome::finished;
};

GtkWidget *add_label(GtkWidget *box) {
    GtkWidget *label = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
    return label;
}

void show_progress(Window *w) {
    const JobProgress progress = w->job->progress();
    if (progress.picture_serial != w->picture_serial) {
        w->picture_serial = progress.picture_serial;
        show_picture(w->picture, w->job->picture());
    }
    if (progress.step == 0)
        gtk_progress_bar_pulse(GTK_PROGRESS_BAR(w->bar));
    else
        gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->bar), progress_fraction(progress));
    if (w->outcome == WindowOutcome::finished)
        gtk_label_set_text(GTK_LABEL(w->steps), step_text(progress).c_str());
    gtk_label_set_text(GTK_LABEL(w->times), time_text(progress).c_str());
    gtk_label_set_text(GTK_LABEL(w->device), device_text(progress).c_str());
    // The title tells how far it is while the window is behind others or minimised; from the first step on, so
    // that a title with a share done also says there is a result to keep (the GUI test waits for that).
    if (progress.step > 0) {
        const int percent = static_cast<int>(100 * progress_fraction(progress));
        // TRANSLATORS: the progress window's title; %d%% is the share done, such as 37%.
        gtk_window_set_title(GTK_WINDOW(w->dialog),
                             take_text(g_strdup_printf(_("%d%% – Neural Style Transfer"), percent)).c_str());
    }
}

// The only way out of the main loop: it ends once the job has.
gboolean refresh(gpointer data) {
    auto *w = static_cast<Window *>(data);
    show_progress(w);
    if (w->job->wait(std::chrono::milliseconds(0))) {
        g_main_loop_quit(w->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

// Both buttons stop the job after the step in progress; the window stays until the job has ended.
void on_response(GtkDialog *, gint response, gpointer data) {
    auto *w = static_cast<Window *>(data);
    if (w->outcome != WindowOutcome::finished)
        return;
    w->outcome = response == kStopAndKeep ? WindowOutcome::kept_early : WindowOutcome::cancelled;
    w->job->request_stop();
    gtk_dialog_set_response_sensitive(GTK_DIALOG(w->dialog), kStopAndKeep, FALSE);
    gtk_dialog_set_response_sensitive(GTK_DIALOG(w->dialog), GTK_RESPONSE_CANCEL, FALSE);
    gtk_label_set_text(GTK_LABEL(w->steps), w->outcome == WindowOutcome::kept_early
                                                ? _("Stopping after this step, keeping the result…")
                                                : _("Cancelling after this step…"));
}

// Closing the window is Cancel.
gboolean on_delete(GtkWidget *, GdkEvent *, gpointer data) {
    on_response(nullptr, GTK_RESPONSE_CANCEL, data);
    return TRUE;
}

} // namespace

WindowOutcome run_progress_window(StyleJob &job, const char *content_name) {
    Window w;
    w.job = &job;
    w.dialog = gimp_dialog_new(_("Neural Style Transfer"), "neural-style-transfer-progress", nullptr,
                               GTK_DIALOG_MODAL, nullptr, nullptr, _("Stop and _keep"), kStopAndKeep,
                               _("_Cancel"), GTK_RESPONSE_CANCEL, nullptr);
    gtk_window_set_default_size(GTK_WINDOW(w.dialog), 420, -1);
    gimp_window_set_transient(GTK_WINDOW(w.dialog));

    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_container_set_border_width(GTK_CONTAINER(box), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(w.dialog))), box, TRUE, TRUE, 0);
    GtkWidget *heading = add_label(box);
    gtk_label_set_text(GTK_LABEL(heading), take_text(g_strdup_printf(_("Stylizing “%s”"), content_name)).c_str());
    // Room for the picture from the start, so the window does not jump when the first one arrives.
    w.picture = gtk_image_new();
    gtk_widget_set_size_request(w.picture, kPictureSide, kPictureSide * 5 / 8);
    gtk_box_pack_start(GTK_BOX(box), w.picture, TRUE, TRUE, 0);
    w.bar = gtk_progress_bar_new();
    gtk_box_pack_start(GTK_BOX(box), w.bar, FALSE, FALSE, 0);
    w.steps = add_label(box);
    w.times = add_label(box);
    w.device = add_label(box);

    g_signal_connect(w.dialog, "response", G_CALLBACK(on_response), &w);
    g_signal_connect(w.dialog, "delete-event", G_CALLBACK(on_delete), &w);
    gtk_widget_show_all(w.dialog);

    w.loop = g_main_loop_new(nullptr, FALSE);
    show_progress(&w);
    g_timeout_add(kRefreshMs, refresh, &w);
    g_main_loop_run(w.loop);
    g_main_loop_unref(w.loop);
    gtk_widget_destroy(w.dialog);
    return w.outcome;
}

} // namespace nst_plugin
