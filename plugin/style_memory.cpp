// SPDX-License-Identifier: GPL-3.0-or-later
#include "style_memory.h"

#include <unistd.h>

namespace nst_plugin {

namespace {

// Never shown to the artist (the dialog lists its controls by name), so their labels are not translated.
constexpr const char *kLayerId = "last-style-layer-id";
constexpr const char *kSession = "last-style-layer-session";

// GIMP starts each plug-in run itself, so its process ID tells one GIMP session from another.
int gimp_session() { return static_cast<int>(getppid()); }

} // namespace

void add_style_memory_arguments(GimpProcedure *procedure) {
    gimp_procedure_add_int_aux_argument(procedure, kLayerId, "Last style layer", "ID of the last run's style layer",
                                        0, G_MAXINT, 0, G_PARAM_READWRITE);
    gimp_procedure_add_int_aux_argument(procedure, kSession, "Last style layer's session",
                                        "Process ID of the GIMP that the layer ID belongs to", 0, G_MAXINT, 0,
                                        G_PARAM_READWRITE);
}

void remember_style_layer(GimpProcedureConfig *config, GimpLayer *style_layer) {
    g_object_set(config, kLayerId, gimp_item_get_id(GIMP_ITEM(style_layer)), kSession, gimp_session(), nullptr);
}

GimpLayer *remembered_style_layer(GimpProcedureConfig *config) {
    gint id = 0, session = 0;
    g_object_get(config, kLayerId, &id, kSession, &session, nullptr);
    if (id <= 0 || session != gimp_session() || !gimp_item_id_is_layer(id))
        return nullptr;
    return gimp_layer_get_by_id(id);
}

} // namespace nst_plugin
