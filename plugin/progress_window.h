// SPDX-License-Identifier: GPL-3.0-or-later
// The plug-in's own progress window for interactive runs. GIMP's status-bar progress cannot be used for a
// long run: cancelling it kills the plug-in. This window has a Cancel that ends the run cleanly and a
// "Stop and keep" that ends it early with the result reached so far.
#pragma once

#include "job.h"

namespace nst_plugin {

enum class WindowOutcome { finished, kept_early, cancelled };

// Shows the window (gimp_ui_init must have been called) and runs a main loop until the job has ended.
WindowOutcome run_progress_window(StyleJob &job, const char *content_name);

} // namespace nst_plugin
