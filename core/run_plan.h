// SPDX-License-Identifier: GPL-3.0-or-later
// What a run will do before it starts: its scales, the steps each gets, the tiles each is evaluated in, the memory
// it will take and whether that fits. Free of LibTorch, so hosts can show it before a run.
#pragma once

#include "options.h"
#include "rgba_image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neural_style {

struct ScalePlan {
    Size size;          // of the candidate at this scale
    Size style_size;    // of the style image at this scale
    int steps = 0;
    int tile_side = 0;  // largest tile interior side; 0: the whole image at once
    int tiles = 1;      // tiles per evaluation
    int lbfgs_history = 0;
    std::uint64_t peak_bytes = 0;
};

struct RunPlan {
    std::vector<ScalePlan> scales; // coarse to fine; the last one is the result's size
    std::uint64_t memory_limit = 0;
    std::uint64_t peak_bytes = 0;  // the largest scale's estimate
};

// The finest scale is the content's own size, or the size that fits options.max_size. Coarser scales are each about
// sqrt(2) smaller, down to options.min_scale_size (options.scales of them at most; 0: as many as that gives). The
// steps go mostly to the coarse scales (see step_shares()). Each scale is evaluated whole when it fits in the memory
// limit (options.memory_limit, or default_memory_limit()) and in tiles when it does not; the L-BFGS history
// shrinks before tiles get small. Throws StyleError when even that does not fit.
RunPlan plan_run(Size content, Size style, const StyleOptions &options, bool cuda);

// What a tiled scale's heap may hold beyond its live tensors and one tile's pass (kTiledHeapShareOfPass of its
// largest tile's pass); 0 for a scale evaluated whole.
std::uint64_t heap_allowance(const ScalePlan &scale);

// What one forward pass without gradients over `scale`'s largest tile takes: a third of its pass (as the plan counts
// the style's Gram pass of a whole scale).
std::uint64_t tile_forward_bytes(const ScalePlan &scale);

// The pixels one step of `scale` runs the network over, as a measure of its cost: the image, or its tiles with
// their halos and the Gram pass's forwards (tiled_evaluation_work()). Progress and the time estimate both count
// with it.
double step_work(const ScalePlan &scale);

// Seconds the plan should take on `cpu_threads` CPU threads, from the pace measured on machines like this one
// (cpu_core_seconds_per_megapixel_step()); tiled steps add their second pass and their halos. 0 on CUDA, whose speed
// varies too much between cards to guess.
double estimated_seconds(const RunPlan &plan, bool cuda, int cpu_threads);

// Seconds the plan should take at a pace measured on this machine with the run's device and threads (PaceMeter,
// pace.h, from small untiled steps), each scale counted with its setup as kSetupStepsPerScale steps more, the whole
// times kMeasuredPaceMargin.
double estimated_seconds(const RunPlan &plan, double seconds_per_megapixel_step);

// A scale's setup runs the network forward over the content and the style: about a step (at 2560x1600 on LibTorch
// 2.6, 23.6 s against 22 s a step; 1.13 takes 1.6 steps there, and 1.0 to 1.4 at 512 px).
constexpr double kSetupStepsPerScale = 1;
// Small steps set the pace, and larger ones can take more per pixel: at the pace of the dialog's preview of the
// Autumn photo (16 steps at 256x160; the AVX-512 EPYC, 2 threads), the default run at 2560x1600 comes to 772 s on
// LibTorch 2.6 and 842 s on 1.13, and its steps took 755 s and 1071 s (1.13's at 640 to 1280 px 6.1 to 6.2 s per
// megapixel against 5.5 at 256x160, its setups 1.4 to 2.1 steps); at 512 px to 125 and 122 s, and took 127 and
// 129 s. The margin covers the worst of these, 1.27x, so that an artist waits less than told rather than more.
constexpr double kMeasuredPaceMargin = 1.3;

// The pace this machine is counted at: kCpuCoreSecondsPerMegapixelStepAvx512 when its processor runs oneDNN's
// AVX-512 kernels, else kCpuCoreSecondsPerMegapixelStep (times kCpuTimeShareOnLibTorch2 when the core is built with
// LibTorch 2).
double cpu_core_seconds_per_megapixel_step();
double cpu_core_seconds_per_megapixel_step(bool avx512, bool libtorch2);

// Whether the processor has what oneDNN's AVX-512 convolutions need (AVX-512 F, BW, DQ and VL).
bool cpu_has_avx512();

// CPU time of one step per megapixel of step_work(), the scales' setup counted in, on the slower of the machines of
// each kind this project has measured, so that an artist waits less than told rather than more. oneDNN convolves
// with AVX-512 where the processor has it, and the pace follows: on 2 threads of an idle AMD EPYC with AVX2 only,
// the default run at 2560x1600 (300 steps over 7 scales, the last two in tiles under 8 GB) took 4311 s, 45
// core-seconds per megapixel-step, and the same at 512 px 489 s, 45 as well (neural-style-benchmark --large,
// 2026-12-01, LibTorch 1.13).
constexpr double kCpuCoreSecondsPerMegapixelStep = 45;
// LibTorch 2 (Debian 13's 2.6, which GIMP 3 users run) takes this share of that time on AVX2: on the same idle EPYC,
// back to back, the default run of the Autumn wallpaper (2560x1600) in the style of Cascade (3840x2160) took 593 s
// at --max-size 1024 and 342 s at 512 on 2.6, 855 and 493 s on 1.13: 0.69x both (2026-12-02).
constexpr double kCpuTimeShareOnLibTorch2 = 0.7;
// With AVX-512 the two LibTorch versions run at one pace, about twice as fast: the same default runs on two 2-core
// machines with AVX-512 took 15 to 24 core-seconds per megapixel-step, the slower at 512 px, where a step's fixed
// costs weigh most: an Intel Xeon, LibTorch 1.13, 1513 s at 2560x1600 and 260 s at 512 px (2026-11-30); an AMD EPYC,
// 961 and 216 s on 2.6, 1117 and 194 s on 1.13 (2026-12-02).
constexpr double kCpuCoreSecondsPerMegapixelStepAvx512 = 24;

// Fewest L-BFGS pairs a fine scale keeps (jcjohnson/neural-style uses 5 at its largest sizes).
constexpr int kMinLbfgsHistory = 5;

// Each scale's steps, coarse to fine, adding up to `steps`: every scale gets kMinScaleSteps (or, with fewer steps
// than that allows, the same share), and the rest is shared with weights halving from one scale to the next. A scale
// has twice the pixels of the one before, so the shared steps take about the same time at each scale: the coarse
// scales, which set the composition, get most of the iterations. At 2560x1600 with 300 steps that is 130, 67, 38,
// 24, 17, 13, 11 over 7 scales.
constexpr double kStepDecay = 0.5;
// L-BFGS restarts at each scale with only the coarser scale's curvature scale (lbfgs.h): a scale needs several steps to
// build the curvature pairs that paint it. A 2560x1600 run that gave its full size 1 step of 60 (its first step then
// a steepest-descent step, which barely moves millions of pixels) came out as blurred as one painted at 512 px.
constexpr int kMinScaleSteps = 10;
std::vector<int> step_shares(int steps, int scale_count);

// "2560x1600": a size in messages and reports.
std::string size_text(Size size);

// The largest of the style images' sizes (by pixels): a run takes its styles one at a time, so the plan's memory
// estimate is the largest's.
Size largest_size(const std::vector<Size> &sizes);

// The style image's size at a scale whose candidate is `scale_size`: stretched to it when style_scale is 0 (the
// seed), else with its own aspect ratio and its longest side style_scale times the candidate's.
Size style_size_at(Size style, Size scale_size, double style_scale);

} // namespace neural_style
