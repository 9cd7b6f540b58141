// SPDX-License-Identifier: GPL-3.0-or-later
#include "progress_text.h"

#include "glib_text.h"
#include "i18n.h"
#include "step_report.h"

#include <glib.h>

#include <algorithm>
#include <cmath>

namespace nst_plugin {

namespace {

// The first step also sets the network up; an estimate from it alone would promise far too long.
constexpr int kStepsBeforeEstimate = 3;

} // namespace

double progress_fraction(const JobProgress &progress) {
    // By computation, not steps: the coarse scales' steps are many and quick, the full size's few and slow.
    return std::min(1.0, progress.work_done);
}

std::string step_text(const JobProgress &progress) {
    if (!progress.weights_loaded)
        return _("Loading the network…");
    if (progress.step == 0)
        return _("Computing the first step…");
    return take_text(g_strdup_printf(_("Step %d of %d"), progress.step, progress.total_steps));
}

std::string time_text(const JobProgress &progress) {
    const std::string elapsed = neural_style::clock_text(progress.seconds);
    if (progress.step < kStepsBeforeEstimate)
        return take_text(g_strdup_printf(_("Elapsed %s"), elapsed.c_str()));
    const double left = progress.seconds_left - (progress.seconds - progress.step_seconds);
    // TRANSLATORS: both %s are durations such as 0:42 or 1:02:09.
    return take_text(g_strdup_printf(_("Elapsed %s, about %s left"), elapsed.c_str(), neural_style::clock_text(left).c_str()));
}

std::string device_text(const JobProgress &progress) {
    if (progress.device.empty())
        return "";
    // TRANSLATORS: %s names the device, such as "CPU (4 threads)" or "CUDA GPU 0".
    return take_text(g_strdup_printf(_("Computing on %s"), progress.device.c_str()));
}

} // namespace nst_plugin
