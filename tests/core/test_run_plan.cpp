// SPDX-License-Identifier: GPL-3.0-or-later
// run_plan.h and memory.h: scales up to the content's own size, the step schedule, tiles and history under a
// memory limit, the style's own size, and byte sizes as users type them.
#include "error.h"
#include "memory.h"
#include "options.h"
#include "run_plan.h"
#include "tiles.h"

#include <gtest/gtest.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace ns = neural_style;

namespace {

constexpr std::uint64_t GiB = 1ull << 30;

ns::StyleOptions defaults_with_limit(std::uint64_t limit) {
    ns::StyleOptions options = ns::default_preset();
    options.memory_limit = limit;
    return options;
}

TEST(RunPlan, DefaultsPaintAtTheContentsOwnSizeCoarseToFine) {
    const ns::RunPlan plan = ns::plan_run({2560, 1600}, {1200, 900}, defaults_with_limit(64 * GiB), false);
    ASSERT_EQ(plan.scales.size(), 7u);
    EXPECT_EQ(plan.scales.back().size.width, 2560);
    EXPECT_EQ(plan.scales.back().size.height, 1600);
    EXPECT_EQ(plan.scales.front().size.width, 320);
    for (size_t i = 1; i < plan.scales.size(); ++i) {
        const double ratio = static_cast<double>(plan.scales[i].size.width) / plan.scales[i - 1].size.width;
        EXPECT_NEAR(ratio, std::sqrt(2.0), 0.01);
        EXPECT_LT(plan.scales[i].steps, plan.scales[i - 1].steps); // coarse scales do the work
    }
    int steps = 0;
    for (const ns::ScalePlan &scale : plan.scales)
        steps += scale.steps;
    EXPECT_EQ(steps, 300);
}

TEST(RunPlan, MaxSizeCapsTheFinestScale) {
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.max_size = 512;
    const ns::RunPlan plan = ns::plan_run({2560, 1600}, {512, 512}, options, false);
    ASSERT_EQ(plan.scales.size(), 3u);
    EXPECT_EQ(plan.scales[0].size.width, 256);
    EXPECT_EQ(plan.scales[1].size.width, 362);
    EXPECT_EQ(plan.scales[2].size.width, 512);
    EXPECT_EQ(plan.scales[2].size.height, 320);
}

TEST(RunPlan, SeedIsOneUntiledScaleWithTheStyleStretched) {
    ns::StyleOptions seed = ns::seed_preset();
    seed.memory_limit = 8 * GiB;
    const ns::RunPlan plan = ns::plan_run({800, 600}, {300, 500}, seed, false);
    ASSERT_EQ(plan.scales.size(), 1u);
    EXPECT_EQ(plan.scales[0].size.width, 400);
    EXPECT_EQ(plan.scales[0].tiles, 1);
    EXPECT_EQ(plan.scales[0].style_size.width, 400);
    EXPECT_EQ(plan.scales[0].style_size.height, 300);
    EXPECT_EQ(plan.scales[0].steps, 2000);
}

TEST(RunPlan, StyleKeepsItsAspectRatioScaledToTheCandidate) {
    const ns::Size s = ns::style_size_at({1000, 500}, {2000, 1500}, 1);
    EXPECT_EQ(s.width, 2000);
    EXPECT_EQ(s.height, 1000);
    const ns::Size half = ns::style_size_at({1000, 500}, {2000, 1500}, 0.5);
    EXPECT_EQ(half.width, 1000);
    EXPECT_EQ(half.height, 500);
}

TEST(RunPlan, AScalePlansNoMoreHistoryThanItsStepsFill) {
    const ns::RunPlan plan = ns::plan_run({2560, 1600}, {1200, 900}, defaults_with_limit(64 * GiB), false);
    for (const ns::ScalePlan &scale : plan.scales)
        EXPECT_EQ(scale.lbfgs_history, std::min(20, scale.steps - 1)) << ns::size_text(scale.size);
    EXPECT_EQ(plan.scales.front().lbfgs_history, 20);
    EXPECT_EQ(plan.scales.back().lbfgs_history, 10); // 11 steps
}

TEST(RunPlan, LargeScalesAreTiledWithinTheLimit) {
    const std::uint64_t limit = 8 * GiB;
    ns::StyleOptions options = defaults_with_limit(limit);
    options.steps = 2000; // enough at every scale to fill a 20-pair history
    const ns::RunPlan plan = ns::plan_run({4096, 4096}, {1024, 1024}, options, false);
    const ns::ScalePlan &finest = plan.scales.back();
    EXPECT_EQ(finest.size.width, 4096);
    EXPECT_GT(finest.tiles, 1);
    EXPECT_GE(finest.tile_side, 256);
    EXPECT_LT(finest.lbfgs_history, 20); // the history is part of the budget
    EXPECT_GE(finest.lbfgs_history, 1);
    EXPECT_LE(plan.peak_bytes, limit);
    for (const ns::ScalePlan &scale : plan.scales)
        EXPECT_LE(scale.peak_bytes, limit);
    EXPECT_EQ(plan.scales.front().tiles, 1);
    // What the heap may hold beyond the live tensors and one pass: part of a tiled scale's peak, none of a whole one's.
    EXPECT_GT(ns::heap_allowance(finest), 0u);
    EXPECT_LT(ns::heap_allowance(finest), finest.peak_bytes / 2);
    EXPECT_EQ(ns::heap_allowance(plan.scales.front()), 0u);
}

TEST(RunPlan, ATiledScalesMemoryIsThatOfItsLargestTile) {
    // 1280 and 1568 px sides both cut 2560x1600 into four 1280x800 interiors (1360x880 with their halos): one tile's
    // pass is alive at a time, so both plan the same memory; a 1024 px side cuts it into six smaller ones, and plans
    // less.
    const auto finest_with_side = [](int side) {
        ns::StyleOptions options = defaults_with_limit(64 * GiB);
        options.scales = 1;
        options.tile_size = side;
        return ns::plan_run({2560, 1600}, {1200, 900}, options, false).scales.back();
    };
    const ns::ScalePlan at1280 = finest_with_side(1280), at1568 = finest_with_side(1568);
    const ns::ScalePlan at1024 = finest_with_side(1024);
    EXPECT_EQ(at1280.tiles, 4);
    EXPECT_EQ(at1568.tiles, 4);
    EXPECT_EQ(at1280.peak_bytes, at1568.peak_bytes);
    EXPECT_EQ(at1024.tiles, 6);
    EXPECT_LT(at1024.peak_bytes, at1280.peak_bytes);
    // The setup's forwards are a tile's too, and leave room under the line a step's tiles keep to.
    EXPECT_EQ(ns::tile_forward_bytes(at1280), ns::tile_forward_bytes(at1568));
    EXPECT_LT(ns::tile_forward_bytes(at1024), ns::tile_forward_bytes(at1280));
    EXPECT_LT(ns::tile_forward_bytes(at1280) + ns::heap_allowance(at1280), at1280.peak_bytes / 2);
    // So is what the heap holds beyond the live tensors: it follows the tile, not the image.
    EXPECT_EQ(ns::heap_allowance(at1280), ns::heap_allowance(at1568));
    EXPECT_LT(ns::heap_allowance(at1024), ns::heap_allowance(at1280));
}

TEST(RunPlan, ATileSideOffTheGridTakesTheGridsSideBelowIt) {
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.scales = 1;
    for (int side : {200, 207, 1000}) {
        options.tile_size = side;
        const ns::ScalePlan scale = ns::plan_run({1272, 1208}, {500, 500}, options, false).scales.back();
        EXPECT_EQ(scale.tile_side, side / 16 * 16) << "tile-size " << side;
        EXPECT_GT(scale.tiles, 1) << "tile-size " << side;
    }
}

TEST(RunPlan, AContentPaintedSmallStillCountsItsOwnSizeAtTheStartAndTheEnd) {
    // A 10000x10000 picture painted at 64 px: reading it and writing its result took 9.9 GB (16-bit RGBA).
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.max_size = 64;
    const ns::RunPlan plan = ns::plan_run({10000, 10000}, {500, 500}, options, false);
    EXPECT_GE(plan.peak_bytes, 9'000'000'000u);
    EXPECT_LT(plan.scales.back().peak_bytes, plan.peak_bytes / 2) << "the scale itself is small";
    EXPECT_LT(ns::plan_run({10000, 10000}, {500, 500}, options, true).peak_bytes, 1'000'000'000u)
        << "on CUDA the limit is the card's; the pictures stay in the computer's memory";
    options.memory_limit = 4 * GiB;
    try {
        ns::plan_run({10000, 10000}, {500, 500}, options, false);
        FAIL() << "planned within 4 GB";
    } catch (const ns::StyleError &e) {
        EXPECT_EQ(e.kind(), ns::ErrorKind::not_enough_memory);
        EXPECT_NE(std::string(e.what()).find("10000x10000"), std::string::npos) << e.what();
    }
}

TEST(RunPlan, ARunThatCannotFitIsRefusedWithTheLimitNamed) {
    try {
        ns::plan_run({8192, 8192}, {512, 512}, defaults_with_limit(600ull << 20), false);
        FAIL() << "expected a StyleError";
    } catch (const ns::StyleError &e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("not enough memory"), std::string::npos) << message;
        EXPECT_NE(message.find("600 MB"), std::string::npos) << message;
        // A host words it itself from the kind and the values: the first scale that does not fit (here already
        // the coarsest) and the limit.
        EXPECT_EQ(e.kind(), ns::ErrorKind::not_enough_memory);
        EXPECT_EQ(e.values(), (std::vector<std::string>{"256x256", "600 MB"}));
    }
}

TEST(RunPlan, AContentBelowTheLeastSideIsRefusedWithItsKind) {
    try {
        ns::plan_run({40, 12}, {512, 512}, defaults_with_limit(0), false);
        FAIL() << "expected a StyleError";
    } catch (const ns::StyleError &e) {
        EXPECT_EQ(e.kind(), ns::ErrorKind::content_too_small) << e.what();
        EXPECT_EQ(e.values(), (std::vector<std::string>{"40x12", std::to_string(ns::kMinSide)}));
    }
}

TEST(StepShares, AddUpEveryScaleGetsItsMinimumAndTheRestHalves) {
    const std::vector<int> shares = ns::step_shares(300, 7);
    EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), 0), 300);
    EXPECT_EQ(shares, (std::vector<int>{130, 67, 38, 24, 17, 13, 11}));
    const std::vector<int> few = ns::step_shares(3, 3);
    EXPECT_EQ(few, (std::vector<int>{1, 1, 1}));
    EXPECT_EQ(ns::step_shares(10, 1), (std::vector<int>{10}));
}

TEST(RunPlan, FewerStepsThanScalesDropsTheCoarsest) {
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.steps = 2;
    const ns::RunPlan plan = ns::plan_run({2560, 1600}, {512, 512}, options, false);
    ASSERT_EQ(plan.scales.size(), 2u);
    EXPECT_EQ(plan.scales.back().size.width, 2560);
}

// The processor's flags as Linux lists them, read apart from the core's own check.
bool cpuinfo_lists(const std::vector<std::string> &flags) {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        const std::set<std::string> listed{std::istream_iterator<std::string>(words), {}};
        return std::all_of(flags.begin(), flags.end(), [&](const std::string &f) { return listed.count(f) > 0; });
    }
    return false;
}

TEST(RunPlan, TheProcessorsPaceFollowsItsAvx512AndTheLibTorchVersion) {
    EXPECT_DOUBLE_EQ(ns::cpu_core_seconds_per_megapixel_step(false, false), ns::kCpuCoreSecondsPerMegapixelStep);
    EXPECT_DOUBLE_EQ(ns::cpu_core_seconds_per_megapixel_step(false, true),
                     ns::kCpuCoreSecondsPerMegapixelStep * ns::kCpuTimeShareOnLibTorch2);
    EXPECT_LT(ns::kCpuTimeShareOnLibTorch2, 1);
    EXPECT_DOUBLE_EQ(ns::cpu_core_seconds_per_megapixel_step(true, false), ns::kCpuCoreSecondsPerMegapixelStepAvx512);
    EXPECT_DOUBLE_EQ(ns::cpu_core_seconds_per_megapixel_step(true, true), ns::kCpuCoreSecondsPerMegapixelStepAvx512);
    EXPECT_LT(ns::kCpuCoreSecondsPerMegapixelStepAvx512, ns::cpu_core_seconds_per_megapixel_step(false, true));
    EXPECT_DOUBLE_EQ(ns::cpu_core_seconds_per_megapixel_step(),
                     ns::cpu_core_seconds_per_megapixel_step(ns::cpu_has_avx512(), TORCH_VERSION_MAJOR >= 2));
#if defined(__x86_64__) && defined(__linux__)
    EXPECT_EQ(ns::cpu_has_avx512(), cpuinfo_lists({"avx512f", "avx512bw", "avx512dq", "avx512vl"}));
#else
    EXPECT_FALSE(ns::cpu_has_avx512());
#endif
}

TEST(RunPlan, TimeEstimateCountsEveryStepsPixelsAtTheMachinesPace) {
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.scales = 1;
    options.steps = 10;
    const ns::RunPlan whole = ns::plan_run({1000, 500}, {500, 500}, options, false);
    ASSERT_EQ(whole.scales.size(), 1u);
    ASSERT_EQ(whole.scales[0].tiles, 1);
    const double pace = ns::cpu_core_seconds_per_megapixel_step();
    EXPECT_DOUBLE_EQ(ns::estimated_seconds(whole, false, 2), 10 * 0.5 * pace / 2); // 10 steps of half a megapixel
    EXPECT_DOUBLE_EQ(ns::estimated_seconds(whole, false, 4), 10 * 0.5 * pace / 4);
    EXPECT_EQ(ns::estimated_seconds(whole, true, 2), 0) << "no guess on CUDA";
    // In tiles, the halos and the Gram pass come on top of the image's own pixels.
    options.tile_size = 256;
    const ns::RunPlan tiled = ns::plan_run({1000, 500}, {500, 500}, options, false);
    ASSERT_GT(tiled.scales[0].tiles, 1);
    EXPECT_GT(ns::estimated_seconds(tiled, false, 2), (1 + ns::kGramPassCost) * ns::estimated_seconds(whole, false, 2));
    const std::vector<ns::Tile> tiles = ns::tile_layout({1000, 500}, tiled.scales[0].tile_side);
    EXPECT_DOUBLE_EQ(ns::estimated_seconds(tiled, false, 2),
                     10 * ns::tiled_evaluation_work(tiles, true) / 1e6 * pace / 2);
}

TEST(RunPlan, TimeEstimateAtAMeasuredPaceCountsEachScalesSetupAsAStepAndAMargin) {
    ns::StyleOptions options = defaults_with_limit(64 * GiB);
    options.scales = 2;
    options.steps = 30;
    const ns::RunPlan plan = ns::plan_run({1000, 500}, {500, 500}, options, false);
    ASSERT_EQ(plan.scales.size(), 2u);
    double megapixel_steps = 0;
    for (const ns::ScalePlan &scale : plan.scales) {
        ASSERT_EQ(scale.tiles, 1);
        megapixel_steps += (scale.steps + 1) * scale.size.width * scale.size.height / 1e6;
    }
    EXPECT_DOUBLE_EQ(ns::estimated_seconds(plan, 6.0), ns::kMeasuredPaceMargin * megapixel_steps * 6.0);
    options.tile_size = 256; // tiled steps count their halos and their Gram pass, as the plan's own pace does
    const ns::RunPlan tiled = ns::plan_run({1000, 500}, {500, 500}, options, false);
    ASSERT_GT(tiled.scales.back().tiles, 1);
    EXPECT_GT(ns::estimated_seconds(tiled, 6.0), ns::estimated_seconds(plan, 6.0));
}

TEST(ByteSize, ParsesWhatUsersType) {
    EXPECT_EQ(ns::parse_byte_size("800M"), 800ull << 20);
    EXPECT_EQ(ns::parse_byte_size("6G"), 6 * GiB);
    EXPECT_EQ(ns::parse_byte_size("1.5G"), 3 * GiB / 2);
    EXPECT_EQ(ns::parse_byte_size("4096"), 4096u);
    EXPECT_FALSE(ns::parse_byte_size(""));
    EXPECT_FALSE(ns::parse_byte_size("-1G"));
    EXPECT_FALSE(ns::parse_byte_size("0.5")) << "under a byte: it would mean the default limit";
    EXPECT_FALSE(ns::parse_byte_size("1e-300"));
    EXPECT_FALSE(ns::parse_byte_size("6GB"));
    EXPECT_FALSE(ns::parse_byte_size("G"));
    EXPECT_FALSE(ns::parse_byte_size("nan"));
    EXPECT_EQ(ns::format_bytes(800ull << 20), "800 MB");
    EXPECT_EQ(ns::format_bytes(5 * GiB + GiB / 10), "5.1 GB");
    // Small sizes and download rates keep a decimal.
    EXPECT_EQ(ns::format_bytes(3ull << 19), "1.5 MB");
    EXPECT_EQ(ns::format_bytes(0), "0.0 MB");
}

TEST(MemoryLimit, DefaultComesFromTheMachine) {
    const std::uint64_t limit = ns::default_memory_limit(false);
    EXPECT_GT(limit, 100ull << 20);
}

// Run with tests/core/fake_cuda_runtime.cpp preloaded (see meson.build): three quarters of what the GPU has free.
TEST(GpuMemoryLimit, DefaultIsThreeQuartersOfTheGpusFreeMemory) {
    EXPECT_EQ(ns::default_memory_limit(true), 6 * GiB);
    const ns::RunPlan plan = ns::plan_run({4096, 4096}, {1024, 1024}, ns::default_preset(), true);
    EXPECT_EQ(plan.memory_limit, 6 * GiB);
    EXPECT_LE(plan.peak_bytes, 6 * GiB);
    EXPECT_GT(plan.scales.back().tiles, 1) << "4096x4096 does not fit 6 GB untiled";
}

// The same with the runtime failing (no device, no driver): no limit, as without a CUDA runtime at all.
TEST(GpuMemoryLimitUnknown, NoLimitWhenTheGpuCannotSay) { EXPECT_EQ(ns::default_memory_limit(true), 0u); }

} // namespace
