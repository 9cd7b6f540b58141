// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights_download.h"

#include "i18n.h"

#include <libgimp/gimpui.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace nst_plugin {

namespace {

constexpr guint kRefreshMs = 100;

struct Download {
    std::atomic<bool> cancel{false};
    std::mutex mutex;
    neural_style::FetchProgress progress;
    bool ended = false;
    std::string error;

    GMainLoop *loop = nullptr;
    GtkWidget *dialog = nullptr;
    GtkWidget *bar = nullptr;
    GtkWidget *status = nullptr;
};

std::string megabytes(double bytes) {
    gchar *text = g_strdup_printf(_("%.1f MB"), bytes / 1e6);
    std::string result = text;
    g_free(text);
    return result;
}

gboolean refresh(gpointer data) {
    auto *d = static_cast<Download *>(data);
    std::lock_guard<std::mutex> lock(d->mutex);
    const neural_style::FetchProgress &p = d->progress;
    if (p.bytes_total == 0) {
        gtk_progress_bar_pulse(GTK_PROGRESS_BAR(d->bar));
    } else {
        gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(d->bar), static_cast<double>(p.bytes_done) / p.bytes_total);
        if (!d->cancel) {
            gchar *text = g_strdup_printf(_("%s of %s"), megabytes(p.bytes_done).c_str(),
                                          megabytes(p.bytes_total).c_str());
            gtk_label_set_text(GTK_LABEL(d->status), text);
            g_free(text);
        }
    }
    if (!d->ended)
        return G_SOURCE_CONTINUE;
    g_main_loop_quit(d->loop);
    return G_SOURCE_REMOVE;
}

void on_response(GtkDialog *, gint, gpointer data) {
    auto *d = static_cast<Download *>(data);
    d->cancel = true;
    gtk_dialog_set_response_sensitive(GTK_DIALOG(d->dialog), GTK_RESPONSE_CANCEL, FALSE);
    gtk_label_set_text(GTK_LABEL(d->status), _("Cancelling…"));
}

gboolean on_delete(GtkWidget *, GdkEvent *, gpointer data) {
    on_response(nullptr, GTK_RESPONSE_CANCEL, data);
    return TRUE;
}

} // namespace

double needed_bytes() { return static_cast<double>(neural_style::f32_data_bytes(needed_tensors())); }

bool download_weights(const std::string &destination, std::string &error) {
    neural_style::FetchRequest request;
    request.output = destination;
    request.tensors = needed_tensors();

    Download d;
    d.dialog = gimp_dialog_new(_("Downloading the VGG19 weights"), "neural-style-transfer-download", nullptr,
                               GTK_DIALOG_MODAL, nullptr, nullptr, _("_Cancel"), GTK_RESPONSE_CANCEL, nullptr);
    gtk_window_set_default_size(GTK_WINDOW(d.dialog), 420, -1);
    gimp_window_set_transient(GTK_WINDOW(d.dialog));
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_container_set_border_width(GTK_CONTAINER(box), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(d.dialog))), box, TRUE, TRUE, 0);
    GtkWidget *from = gtk_label_new(request.url.c_str());
    gtk_label_set_ellipsize(GTK_LABEL(from), PANGO_ELLIPSIZE_MIDDLE);
    gtk_label_set_xalign(GTK_LABEL(from), 0);
    gtk_box_pack_start(GTK_BOX(box), from, FALSE, FALSE, 0);
    d.bar = gtk_progress_bar_new();
    gtk_box_pack_start(GTK_BOX(box), d.bar, FALSE, FALSE, 0);
    d.status = gtk_label_new(_("Connecting…"));
    gtk_label_set_xalign(GTK_LABEL(d.status), 0);
    gtk_box_pack_start(GTK_BOX(box), d.status, FALSE, FALSE, 0);
    g_signal_connect(d.dialog, "response", G_CALLBACK(on_response), &d);
    g_signal_connect(d.dialog, "delete-event", G_CALLBACK(on_delete), &d);
    gtk_widget_show_all(d.dialog);

    std::thread worker([&d, &request] {
        std::string failure;
        try {
            neural_style::fetch_weights(request, [&d](const neural_style::FetchProgress &progress) {
                std::lock_guard<std::mutex> lock(d.mutex);
                d.progress = progress;
                return !d.cancel.load();
            });
        } catch (const neural_style::FetchCancelled &) {
        } catch (const std::exception &e) {
            failure = e.what();
        }
        std::lock_guard<std::mutex> lock(d.mutex);
        d.error = failure;
        d.ended = true;
    });
    d.loop = g_main_loop_new(nullptr, FALSE);
    g_timeout_add(kRefreshMs, refresh, &d);
    g_main_loop_run(d.loop);
    worker.join();
    g_main_loop_unref(d.loop);
    gtk_widget_destroy(d.dialog);

    error = d.error;
    return error.empty() && !d.cancel;
}

} // namespace nst_plugin
