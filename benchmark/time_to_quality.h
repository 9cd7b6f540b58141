// Time to quality: how soon the default settings reach, at their full working size, the total loss the seed
// preset ends with; and the same for the default optimizer written in PyTorch (benchmark/pytorch_reference.py).
#pragma once

#include "measure.h"

namespace neural_style::benchmark {

// Child "ttq": one run of --child-preset with its loss curve; the time --child-target was reached.
json child_time_to_quality(const Args &args, const ChildInputs &inputs);

// The device's "time_to_quality" results for args.ttq_sizes, each run in a child of its own.
json time_to_quality_section(Runner &runner, const Args &args, const std::string &device, int threads);

} // namespace neural_style::benchmark
