// The settings dialog, built by GimpProcedureDialog from the procedure's arguments.
#pragma once

#include <libgimp/gimp.h>

namespace nst_plugin {

// Shows the dialog (gimp_ui_init must have been called); true when the artist pressed OK.
bool run_settings_dialog(GimpProcedure *procedure, GimpProcedureConfig *config);

} // namespace nst_plugin
