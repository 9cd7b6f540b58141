// SPDX-License-Identifier: GPL-3.0-or-later
// The words shown while a job runs, shared by the progress window and GIMP's own progress bar.
#pragma once

#include "job.h"

#include <string>

namespace nst_plugin {

// Fraction of the steps done, 0..1.
double progress_fraction(const JobProgress &progress);
// "Step 12 of 300" (steps done), or what happens before the first step ends.
std::string step_text(const JobProgress &progress);
// "Elapsed 0:42, about 3:10 left" (the estimate only once a few steps are done).
std::string time_text(const JobProgress &progress);
// "Computing on CPU (8 threads)".
std::string device_text(const JobProgress &progress);

} // namespace nst_plugin
