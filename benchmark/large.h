// Large images (issue 9, "Show it"): one step at full size per content size under a memory limit, with the run
// plan's estimates beside what was measured; the cost of tiles against the untiled step; and the default run's
// time at full size against a 512 px working size. CPU only.
#pragma once

#include "measure.h"

namespace neural_style::benchmark {

// Child "large-step": one L-BFGS step of the default settings at the content's own size (one scale), evaluated as
// the plan says (whole or in tiles; --child-tile-size forces tiles), with its setup, step time and peak memory.
json child_large_step(const Args &args, const ChildInputs &inputs);

// Child "large-run": the default settings, all their scales, at --child-size (0: the content's own size).
json child_large_run(const Args &args, const ChildInputs &inputs);

// Writes the images the section needs and runs each measurement in a child: the "large" results.
json large_section(Runner &runner, const Args &args);

} // namespace neural_style::benchmark
