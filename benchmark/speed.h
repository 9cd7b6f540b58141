// Seconds per step, GFLOP/s and peak memory per working size: the seed preset's Adam, which makes exactly one
// loss-and-gradient evaluation per step, so steps time the model (an L-BFGS step makes a varying number of them).
#pragma once

#include "measure.h"

namespace neural_style::benchmark {

// Child "measure": warm-up and timed steps; child "memory": one cold step, for its peak only.
json child_speed(const Args &args, const ChildInputs &inputs);

// The device's "sizes" and "memory_sizes" results, each size in a child of its own. `peak_gflops` (0: unknown)
// turns GFLOP/s into a share of the CPU's peak.
void speed_section(Runner &runner, const Args &args, const std::string &device, double peak_gflops, json &dev);

} // namespace neural_style::benchmark
