// SPDX-License-Identifier: GPL-3.0-or-later
// The pace this machine paints at, measured from a short run's step reports (the dialog's preview), for a better
// estimate of a long run than the pace counted for machines like it (estimated_seconds(), run_plan.h). Free of
// LibTorch, like the reports.
#pragma once

#include "step_report.h"

#include <vector>

namespace neural_style {

// The short run a host's preview makes (the GIMP dialog's): the settings at this longest side, for this many
// steps. About the working size of GIMP's own filter previews, and what a 2-core CPU paints in seconds: at 256x160
// it takes 0.23 s a step (LibTorch 2.6, the AVX-512 EPYC), 16 steps about 4 s. Its steps give the pace.
constexpr int kPreviewSide = 256;
constexpr int kPreviewSteps = 16;

// Steps measured before the pace is trusted: each scale's first step is left out, since it carries the scale's
// setup (at 256x160 on 2 cores, 0.63 s against 0.23 s for the steps after it).
constexpr int kPaceSteps = 3;

class PaceMeter {
public:
    // Takes each report of a run on the CPU: whole steps evaluated untiled count, with the pixels of their scale.
    void add(const StepReport &report);

    // Seconds per megapixel-step: the median of the steps measured, since a single step now and then takes twice as
    // long (the dialog's preview of the Autumn photo at 256x160, 2 cores, LibTorch 2.6: 0.23 s a step, with single
    // steps of 0.37 and 0.59 s among 16). 0 until kPaceSteps steps are measured.
    double seconds_per_megapixel_step() const;

private:
    std::vector<double> paces_;
    StepReport last_;
    bool has_last_ = false;
};

} // namespace neural_style
