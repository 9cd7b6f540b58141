// What every child measurement shares: its inputs, its options, and the memory figures it reports.
#pragma once

#include "args.h"
#include "process.h"

#include "options.h"
#include "rgba_image.h"
#include "weights.h"

namespace neural_style::benchmark {

// What a child loads before it starts its clock: the images the parent wrote and the weights.
struct ChildInputs {
    RgbaImage content, style;
    Vgg19Weights weights;
};
ChildInputs load_child_inputs(const Args &args);

// A preset on the child's device and threads; its working size is --child-size (0: the content's own size).
StyleOptions child_options(const Args &args, const std::string &preset);

// Forgets the GPU's peak so far (CUDA); nothing on the CPU, whose peak is this fresh process's.
void reset_gpu_peak(bool cuda);

// Memory figures of this process so far (CPU) or of the GPU's caching allocator since the last reset (CUDA).
// `baseline_mb` is what was resident before the run: program, LibTorch, weights, images.
json memory_report(bool cuda, double baseline_mb);

} // namespace neural_style::benchmark
