// SPDX-License-Identifier: GPL-3.0-or-later
// The settings dialog, built by GimpProcedureDialog from the procedure's arguments.
#pragma once

#include <libgimp/gimp.h>

namespace nst_plugin {

// Shows the dialog (gimp_ui_init must have been called) with what a run of its settings on `content` will take;
// true when the artist pressed OK.
bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config, GimpLayer *content);

} // namespace nst_plugin
