// SPDX-License-Identifier: GPL-3.0-or-later
// The style layer of the last run, for Filters > Repeat and Re-Show: GIMP remembers a procedure's last values but
// not its layer arguments, so the run keeps the style layer's ID in two auxiliary arguments of its own, which GIMP
// saves with the other last values after an interactive run.
#pragma once

#include <libgimp/gimp.h>

namespace nst_plugin {

void add_style_memory_arguments(GimpProcedure *procedure);

// Records `style_layer` in `config`; GIMP keeps it when the run ends successfully and interactively.
void remember_style_layer(GimpProcedureConfig *config, GimpLayer *style_layer);

// The remembered layer when it still exists in this GIMP session, else nullptr: never another layer that happens
// to have its ID (item IDs are unique in one session only, and last values are kept across sessions).
GimpLayer *remembered_style_layer(GimpProcedureConfig *config);

} // namespace nst_plugin
