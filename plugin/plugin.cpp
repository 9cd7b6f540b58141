// SPDX-License-Identifier: GPL-3.0-or-later
// The GIMP 3 plug-in: registers plug-in-neural-style-transfer (Filters > Artistic) and hands runs to run.cpp.
#include "arguments.h"
#include "i18n.h"
#include "run.h"
#include "style_memory.h"

#include <libgimp/gimp.h>

#include <cstring>

namespace {

constexpr const char *kProcedure = "plug-in-neural-style-transfer";
// The help domain of help/en/gimp-help.xml, which maps the procedure's help ID (its name) to the help page.
constexpr const char *kHelpDomain = "neural-style-transfer";

struct NeuralStyle {
    GimpPlugIn parent_instance;
};

struct NeuralStyleClass {
    GimpPlugInClass parent_class;
};

} // namespace

G_DEFINE_TYPE(NeuralStyle, neural_style, GIMP_TYPE_PLUG_IN)

namespace {

// The icon and the help pages are installed beside the binary.
GFile *installed_file(const char *name) {
    gchar *folder = g_path_get_dirname(gimp_get_progname());
    gchar *path = g_build_filename(folder, name, nullptr);
    GFile *file = g_file_new_for_path(path);
    g_free(path);
    g_free(folder);
    return file;
}

GList *query_procedures(GimpPlugIn *plug_in) {
    // The dialog's Help button asks GIMP for the procedure's help ID, which GIMP looks up in this domain.
    GFile *help = installed_file("help");
    gimp_plug_in_set_help_domain(plug_in, kHelpDomain, help);
    g_object_unref(help);
    return g_list_append(nullptr, g_strdup(kProcedure));
}

GimpProcedure *create_procedure(GimpPlugIn *plug_in, const gchar *name) {
    if (std::strcmp(name, kProcedure) != 0)
        return nullptr;
    GimpProcedure *procedure = gimp_image_procedure_new(plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                        nst_plugin::run_style_transfer, nullptr, nullptr);
    gimp_procedure_set_image_types(procedure, "RGB*");
    gimp_procedure_set_sensitivity_mask(procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
    gimp_procedure_set_menu_label(procedure, _("_Neural Style Transfer…"));
    gimp_procedure_add_menu_path(procedure, "<Image>/Filters/Artistic");
    GFile *icon = installed_file("neural-style-transfer.svg");
    gimp_procedure_set_icon_file(procedure, icon);
    g_object_unref(icon);
    gimp_procedure_set_documentation(
        procedure, _("Paint the selected layer in the style of another picture"),
        _("Takes the look of a style layer (a painting, a texture) and paints the selected layer with it, "
          "using a VGG19 network (Gatys et al.). The result is a new layer above the content; "
          "the content and style layers are not changed."),
        name);
    gimp_procedure_set_attribution(procedure, "neural-style-transfer contributors",
                                   "neural-style-transfer contributors", "2025");
    nst_plugin::add_arguments(procedure);
    nst_plugin::add_style_memory_arguments(procedure);
    return procedure;
}

gboolean set_i18n(GimpPlugIn *, const gchar *, gchar **gettext_domain, gchar **catalog_dir) {
    *gettext_domain = g_strdup(GETTEXT_PACKAGE);
    *catalog_dir = g_strdup("locale");
    return TRUE;
}

} // namespace

static void neural_style_class_init(NeuralStyleClass *klass) {
    GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS(klass);
    plug_in_class->query_procedures = query_procedures;
    plug_in_class->create_procedure = create_procedure;
    plug_in_class->set_i18n = set_i18n;
}

static void neural_style_init(NeuralStyle *) {}

GIMP_MAIN(neural_style_get_type())
