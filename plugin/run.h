// SPDX-License-Identifier: GPL-3.0-or-later
// One run of the procedure, from the arguments to the new layer.
#pragma once

#include <libgimp/gimp.h>

namespace nst_plugin {

GimpValueArray *run_style_transfer(GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
                                   GimpDrawable **drawables, GimpProcedureConfig *config, gpointer run_data);

} // namespace nst_plugin
