// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights_dialog.h"

#include "i18n.h"
#include "weights_location.h"
#ifdef NST_HAVE_FETCH
#include "weights_download.h"
#endif

#include <libgimp/gimpui.h>

namespace nst_plugin {

namespace {

enum Response { kDownload = 1, kChoose = 2 };

std::string configured_file(GimpProcedureConfig *config) {
    GFile *file = nullptr;
    g_object_get(config, "weights-file", &file, nullptr);
    if (!file)
        return "";
    gchar *path = g_file_get_path(file);
    std::string result = path ? path : "";
    g_free(path);
    g_object_unref(file);
    return result;
}

// A file chooser for *.safetensors; sets "weights-file" when the artist picks one.
bool choose_file(GtkWindow *parent, GimpProcedureConfig *config) {
    GtkWidget *chooser = gtk_file_chooser_dialog_new(_("Choose the VGG19 weights file"), parent,
                                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Cancel"), GTK_RESPONSE_CANCEL,
                                                     _("_Open"), GTK_RESPONSE_ACCEPT, nullptr);
    GtkFileFilter *filter = gtk_file_filter_new();
    gtk_file_filter_set_name(filter, _("Weights (*.safetensors)"));
    gtk_file_filter_add_pattern(filter, "*.safetensors");
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
    const bool chosen = gtk_dialog_run(GTK_DIALOG(chooser)) == GTK_RESPONSE_ACCEPT;
    if (chosen) {
        GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(chooser));
        g_object_set(config, "weights-file", file, nullptr);
        g_object_unref(file);
    }
    gtk_widget_destroy(chooser);
    return chosen;
}

} // namespace

bool offer_weights(GimpProcedureConfig *config, std::string &error) {
    const neural_style::WeightsSearch search = neural_style::find_weights(configured_file(config));
    if (!search.found.empty())
        return true;

    std::string places;
    for (const std::string &place : search.looked_at)
        places += (places.empty() ? "" : "\n") + place;
    GtkWidget *dialog = gimp_dialog_new(_("Neural Style Transfer"), "neural-style-transfer-weights", nullptr,
                                        GTK_DIALOG_MODAL, nullptr, nullptr, nullptr);
#ifdef NST_HAVE_FETCH
    gtk_dialog_add_button(GTK_DIALOG(dialog), _("_Download"), kDownload);
#endif
    gtk_dialog_add_buttons(GTK_DIALOG(dialog), _("C_hoose File…"), kChoose, _("_Cancel"), GTK_RESPONSE_CANCEL,
                           nullptr);
    gimp_window_set_transient(GTK_WINDOW(dialog));

    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
    gtk_container_set_border_width(GTK_CONTAINER(box), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), box, TRUE, TRUE, 0);
    GtkWidget *heading = gtk_label_new(nullptr);
    gchar *markup = g_markup_printf_escaped("<b>%s</b>", _("The VGG19 network weights are not installed"));
    gtk_label_set_markup(GTK_LABEL(heading), markup);
    g_free(markup);
    gtk_label_set_xalign(GTK_LABEL(heading), 0);
    gtk_box_pack_start(GTK_BOX(box), heading, FALSE, FALSE, 0);
#ifdef NST_HAVE_FETCH
    gchar *text = g_strdup_printf(
        _("The plug-in measures style with a VGG19 network (torchvision's ImageNet weights, BSD licence). "
          "Download its weights once (%.0f MB), or choose a weights file you already have.\n\nLooked at:\n%s"),
        needed_bytes() / 1e6, places.c_str());
#else
    gchar *text = g_strdup_printf(
        _("The plug-in measures style with a VGG19 network (torchvision's ImageNet weights, BSD licence). "
          "Download its weights once with the command “neural-style fetch-weights”, or choose a weights file "
          "you already have.\n\nLooked at:\n%s"),
        places.c_str());
#endif
    GtkWidget *body = gtk_label_new(text);
    g_free(text);
    gtk_label_set_line_wrap(GTK_LABEL(body), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(body), 60);
    gtk_label_set_xalign(GTK_LABEL(body), 0);
    gtk_label_set_selectable(GTK_LABEL(body), TRUE);
    gtk_box_pack_start(GTK_BOX(box), body, FALSE, FALSE, 0);
    gtk_widget_show_all(dialog);

    bool ready = false;
    for (bool asking = true; asking;) {
        const gint response = gimp_dialog_run(GIMP_DIALOG(dialog));
        asking = false;
        if (response == kChoose) {
            ready = choose_file(GTK_WINDOW(dialog), config);
            asking = !ready; // back to the question when the file chooser was cancelled
        }
#ifdef NST_HAVE_FETCH
        else if (response == kDownload) {
            gtk_widget_hide(dialog);
            ready = download_weights(neural_style::default_weights_path(), error);
            if (!ready && error.empty()) { // the download was cancelled: ask again
                gtk_widget_show(dialog);
                asking = true;
            }
        }
#endif
    }
    gtk_widget_destroy(dialog);
    return ready;
}

} // namespace nst_plugin
