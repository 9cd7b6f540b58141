// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_plan.h"

#include "error.h"
#include "memory.h"
#include "tiles.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>

namespace neural_style {

namespace {

// LibTorch 2 (Debian 13's 2.6) needs less memory and time than 1.13 for the same pass; see the shares in memory.h
// and run_plan.h.
constexpr bool kBuiltWithLibTorch2 = TORCH_VERSION_MAJOR >= 2;
// LibTorch 2.2 and later take their large blocks in huge pages when asked (device.cpp).
constexpr bool kHugePages = TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2);

// Tiles smaller than this spend most of their time on the halo (a 256 px interior reads 416 px: 2.6x the pixels).
constexpr int kMinTileSide = 256;

constexpr double kImageBytesPerPixel = 3 * sizeof(float);
// Before the first scale and after the last, a run on the CPU holds the content at its own size many times over:
// as decoded, as given (4 floats), as tensors (colour, alpha, the colour with hidden pixels filled), and at the end
// the result enlarged, clamped, finished, as an image and as the encoder's buffer. Measured with the CLI painting
// small (`neural-style --max-size 64 --steps 1`, VmHWM less the rest of the plan, LibTorch 1.13): a 6000x4000
// JPEG 74 bytes per pixel, a 10000x10000 PNG of 16-bit RGBA 93 (planned then at 28: 9.9 GB under a plan of 3.1).
constexpr double kFinishingBytesPerContentPixel = 96;

// Per pixel of the candidate, what stays allocated through a scale besides the network's passes: the candidate,
// its gradient, the content layer's targets (512 channels at 1/64 of the pixels), and the
// optimizer's state: L-BFGS's last gradient and step, its history pairs and the two temporaries of its two-loop
// recursion; Adam's two moments.
double resident_bytes_per_pixel(const StyleOptions &options, int lbfgs_history) {
    const double targets = 512.0 / 64 * sizeof(float);
    const double optimizer = options.optimizer == Optimizer::lbfgs ? (2.0 * lbfgs_history + 4) * kImageBytesPerPixel
                                                                   : 2 * kImageBytesPerPixel;
    return 2 * kImageBytesPerPixel + targets + optimizer;
}

// The L-BFGS history tried at a scale of `steps` steps, largest first: halving from the user's down to
// kMinLbfgsHistory, then, for images too large for that, down to one pair (still a quasi-Newton step, as Barzilai
// and Borwein's). A scale's steps leave one pair fewer than themselves, so no more is planned: the default run's
// full size at 2560x1600 takes 11 steps, and counting 20 pairs there would plan 0.8 GB it never holds.
std::vector<int> histories(const StyleOptions &options, int steps) {
    if (options.optimizer != Optimizer::lbfgs)
        return {0};
    std::vector<int> tried{std::min(options.lbfgs_history, std::max(1, steps - 1))};
    while (tried.back() > kMinLbfgsHistory)
        tried.push_back(std::max(kMinLbfgsHistory, tried.back() / 2));
    for (int last : {2, 1})
        if (tried.back() > last)
            tried.push_back(last);
    return tried;
}

std::uint64_t pass_bytes(long long pixels) {
    constexpr double bytes_per_pixel = kBackwardBytesPerPixel * (kBuiltWithLibTorch2 ? kBackwardShareOnLibTorch2 : 1);
    return static_cast<std::uint64_t>(bytes_per_pixel * pixels);
}

// A forward pass without gradients (the style's Gram matrices, a tiled setup's tiles) keeps no activations for a
// backward pass: about a third of a pass's memory.
std::uint64_t forward_bytes(long long pixels) { return pass_bytes(pixels) / 3; }

// One tile's pass is alive at a time, so a tiled evaluation's memory is that of its largest tile with its halos.
long long largest_padded_area(const std::vector<Tile> &tiles) { return tiles[largest_tile(tiles)].padded.area(); }

std::uint64_t base_bytes() { return kBaseBytes + (kHugePages ? kHugePageRoundingBytes : 0); }

std::uint64_t tiled_heap_bytes(long long tile_pixels) {
    return static_cast<std::uint64_t>(kTiledHeapShareOfPass * pass_bytes(tile_pixels));
}

std::vector<Size> scale_sizes(Size final_size, const StyleOptions &options) {
    std::vector<Size> sizes{final_size};
    const int most = options.scales > 0 ? options.scales : limits::scales.max;
    for (int s = 1; s < most; ++s) {
        const double factor = std::pow(std::sqrt(2.0), -s);
        const Size size{static_cast<int>(std::lround(final_size.width * factor)),
                        static_cast<int>(std::lround(final_size.height * factor))};
        if (std::min(size.width, size.height) < kMinSide ||
            std::max(size.width, size.height) < options.min_scale_size)
            break;
        sizes.insert(sizes.begin(), size);
    }
    return sizes;
}

// The tile side, history and peak for one scale, or false when nothing fits. `host_bytes` is what the run holds
// whatever the scale: the content and style images at their full size, as given and as tensors.
bool fit_scale(ScalePlan &scale, const StyleOptions &options, std::uint64_t host_bytes, std::uint64_t limit) {
    const long long pixels = static_cast<long long>(scale.size.width) * scale.size.height;
    const long long style_pixels = static_cast<long long>(scale.style_size.width) * scale.style_size.height;
    const int longest = std::max(scale.size.width, scale.size.height);
    for (int history : histories(options, scale.steps)) {
        const std::uint64_t resident = base_bytes() + host_bytes +
                                       static_cast<std::uint64_t>(resident_bytes_per_pixel(options, history) * pixels);
        // The style's Gram matrices are gathered once, before the optimizer's state exists.
        const auto whole = std::max(resident + pass_bytes(pixels), base_bytes() + forward_bytes(style_pixels));
        const bool whole_allowed = options.tile_size <= 0 || options.tile_size >= longest;
        if (whole_allowed && whole <= limit) {
            scale = {scale.size, scale.style_size, scale.steps, 0, 1, history, whole};
            return true;
        }
        // Sides on the 16 px grid: a tile-size of 200 starts at 192 (it used to start under its own smallest side,
        // and the plan refused 272x208 as not fitting in 17 GB).
        const int first_side =
            (options.tile_size > 0 ? options.tile_size : std::min(longest, 4096)) / kTileAlign * kTileAlign;
        const int smallest_side = std::min(first_side, kMinTileSide);
        for (int side = first_side; side >= smallest_side; side -= 2 * kTileAlign) {
            // The layout spreads the image evenly over its tiles, so the largest is often well under side x side: at
            // 2560x1600 a 1056 px side gives tiles of 1024x880 padded, 0.61x of the square.
            const std::vector<Tile> tiles = tile_layout(scale.size, side);
            const long long tile_pixels = largest_padded_area(tiles);
            const std::uint64_t peak = resident + pass_bytes(tile_pixels) + tiled_heap_bytes(tile_pixels);
            if (peak <= limit) {
                const int count = static_cast<int>(tiles.size());
                scale = {scale.size, scale.style_size, scale.steps, side, count, history, peak};
                return true;
            }
        }
    }
    return false;
}

} // namespace

std::vector<int> step_shares(int steps, int scale_count) {
    std::vector<double> weights;
    double sum = 0;
    for (int i = 0; i < scale_count; ++i) {
        weights.push_back(std::pow(kStepDecay, i));
        sum += weights.back();
    }
    const int floor = std::max(1, std::min(kMinScaleSteps, steps / scale_count));
    std::vector<int> shares(static_cast<size_t>(scale_count), floor);
    const int rest = steps - floor * scale_count;
    int given = 0;
    for (int i = 1; i < scale_count; ++i) {
        const int extra = static_cast<int>(rest * weights[static_cast<size_t>(i)] / sum);
        shares[static_cast<size_t>(i)] += extra;
        given += extra;
    }
    shares[0] += rest - given;
    return shares;
}

std::uint64_t heap_allowance(const ScalePlan &scale) {
    return scale.tiles > 1 ? tiled_heap_bytes(largest_padded_area(tile_layout(scale.size, scale.tile_side))) : 0;
}

std::uint64_t tile_forward_bytes(const ScalePlan &scale) {
    const int side = scale.tile_side > 0 ? scale.tile_side : std::max(scale.size.width, scale.size.height);
    return forward_bytes(largest_padded_area(tile_layout(scale.size, side)));
}

double step_work(const ScalePlan &scale) {
    if (scale.tiles <= 1)
        return static_cast<double>(scale.size.width) * scale.size.height;
    return tiled_evaluation_work(tile_layout(scale.size, scale.tile_side), true);
}

double estimated_seconds(const RunPlan &plan, bool cuda, int cpu_threads) {
    if (cuda || cpu_threads <= 0)
        return 0;
    double seconds = 0;
    for (const ScalePlan &scale : plan.scales)
        seconds += scale.steps * step_work(scale) / 1e6 * cpu_core_seconds_per_megapixel_step() / cpu_threads;
    return seconds;
}

double estimated_seconds(const RunPlan &plan, double seconds_per_megapixel_step) {
    double seconds = 0;
    for (const ScalePlan &scale : plan.scales)
        seconds += (scale.steps + kSetupStepsPerScale) * step_work(scale) / 1e6 * seconds_per_megapixel_step;
    return kMeasuredPaceMargin * seconds;
}

double cpu_core_seconds_per_megapixel_step() {
    static const double pace = cpu_core_seconds_per_megapixel_step(cpu_has_avx512(), kBuiltWithLibTorch2);
    return pace;
}

double cpu_core_seconds_per_megapixel_step(bool avx512, bool libtorch2) {
    if (avx512)
        return kCpuCoreSecondsPerMegapixelStepAvx512;
    return kCpuCoreSecondsPerMegapixelStep * (libtorch2 ? kCpuTimeShareOnLibTorch2 : 1);
}

bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return false;
#endif
}

std::string size_text(Size size) { return std::to_string(size.width) + "x" + std::to_string(size.height); }

Size largest_size(const std::vector<Size> &sizes) {
    Size largest{0, 0};
    for (const Size &size : sizes)
        if (static_cast<long long>(size.width) * size.height > static_cast<long long>(largest.width) * largest.height)
            largest = size;
    return largest;
}

Size style_size_at(Size style, Size scale_size, double style_scale) {
    if (style_scale <= 0)
        return scale_size;
    const double longest = style_scale * std::max(scale_size.width, scale_size.height);
    const double factor = longest / std::max(style.width, style.height);
    return {std::max(kMinSide, static_cast<int>(std::lround(style.width * factor))),
            std::max(kMinSide, static_cast<int>(std::lround(style.height * factor)))};
}

RunPlan plan_run(Size content, Size style, const StyleOptions &options, bool cuda) {
    const Size final_size = options.max_size > 0 ? fit_within(content, options.max_size) : content;
    if (std::min(final_size.width, final_size.height) < kMinSide)
        throw StyleError(ErrorKind::content_too_small,
                         "content image is too small: the working size " + size_text(final_size) + " needs at least " +
                             std::to_string(kMinSide) + " px on each side",
                         {size_text(final_size), std::to_string(kMinSide)});
    std::vector<Size> sizes = scale_sizes(final_size, options);
    // Every scale takes at least one step: with fewer steps than scales, the coarsest go.
    if (static_cast<int>(sizes.size()) > options.steps)
        sizes.erase(sizes.begin(), sizes.end() - options.steps);
    const std::vector<int> steps = step_shares(options.steps, static_cast<int>(sizes.size()));

    RunPlan plan;
    plan.memory_limit = options.memory_limit > 0 ? options.memory_limit : default_memory_limit(cuda);
    const std::uint64_t limit = plan.memory_limit > 0 ? plan.memory_limit : UINT64_MAX;
    // An RgbaImage (4 floats) and an RGB tensor (3 floats) of each; the CUDA tensors are on the device.
    const double host_per_pixel = cuda ? 0 : 4 * sizeof(float) + kImageBytesPerPixel;
    const double host_pixels =
        static_cast<double>(content.width) * content.height + static_cast<double>(style.width) * style.height;
    const auto host_bytes = static_cast<std::uint64_t>(host_per_pixel * host_pixels);
    for (size_t i = 0; i < sizes.size(); ++i) {
        ScalePlan scale;
        scale.size = sizes[i];
        scale.style_size = style_size_at(style, sizes[i], options.style_scale);
        scale.steps = steps[i];
        if (!fit_scale(scale, options, host_bytes, limit))
            throw StyleError(ErrorKind::not_enough_memory,
                             "not enough memory: " + size_text(scale.size) + " px needs more than the " +
                                 format_bytes(plan.memory_limit) +
                                 " allowed even in tiles; raise memory-limit or lower max-size",
                             {size_text(scale.size), format_bytes(plan.memory_limit)});
        plan.peak_bytes = std::max(plan.peak_bytes, scale.peak_bytes);
        plan.scales.push_back(scale);
    }
    if (!cuda) {
        const auto finishing = base_bytes() + static_cast<std::uint64_t>(
                                                  kFinishingBytesPerContentPixel * content.width * content.height +
                                                  host_per_pixel * style.width * style.height);
        if (finishing > limit)
            throw StyleError(ErrorKind::not_enough_memory,
                             "not enough memory: reading and writing the content's " + size_text(content) +
                                 " px needs more than the " + format_bytes(plan.memory_limit) +
                                 " allowed; raise memory-limit",
                             {size_text(content), format_bytes(plan.memory_limit)});
        plan.peak_bytes = std::max(plan.peak_bytes, finishing);
    }
    return plan;
}

} // namespace neural_style
