// SPDX-License-Identifier: GPL-3.0-or-later
// stylize.h: a run's behaviour beyond the loss: sizes, alpha, noise, scales, devices, bad input, full resolution
// and tiles.
#include "error.h"
#include "options.h"
#include "pace.h"
#include "stylize.h"
#include "tiles.h"

#include "stylize_fixture.h"

#include <gtest/gtest.h>

#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace ns = neural_style;
using test_support::pattern_image;

namespace {

using Stylize = StylizeTest;

// --- sizes and alpha ------------------------------------------------------------------------------------------

TEST_F(Stylize, AlphaIsCarriedUnchanged) {
    ns::RgbaImage content = pattern_image(40, 32, 0);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 40; ++x)
            content.pixels[(y * 40 + x) * 4 + 3] = static_cast<float>(x + y) / (40 + 32 - 2);
    ns::RgbaImage style = pattern_image(32, 32, 5);
    style.pixels[3] = 0.0f; // the style's alpha plays no part
    ns::StyleOptions options = small_options(1);
    options.max_size = 20; // works at 20x16
    const StylizeResult r = run(content, style, options);
    ASSERT_EQ(r.reports.size(), 1u);
    EXPECT_EQ(r.reports[0].width, 20);
    EXPECT_EQ(r.reports[0].height, 16);
    ASSERT_EQ(r.image.width, 40);
    ASSERT_EQ(r.image.height, 32);
    ASSERT_EQ(r.image.pixels.size(), content.pixels.size());
    for (size_t i = 0; i < content.pixels.size(); i += 4) {
        ASSERT_EQ(r.image.pixels[i + 3], content.pixels[i + 3]) << "pixel " << i / 4;
        for (int c = 0; c < 3; ++c) {
            ASSERT_GE(r.image.pixels[i + c], 0.0f);
            ASSERT_LE(r.image.pixels[i + c], 1.0f);
        }
    }
}

TEST_F(Stylize, ResultHasTheOriginalSizeWhenWorkingSizeIsSmaller) {
    const ns::RgbaImage content = pattern_image(64, 40, 0);
    const StylizeResult r = run(content, pattern_image(30, 50, 5), small_options(1)); // style of another size
    ASSERT_EQ(r.reports.size(), 1u);
    for (const ns::StepReport &report : r.reports) {
        EXPECT_EQ(report.width, 32);
        EXPECT_EQ(report.height, 20);
    }
    EXPECT_EQ(r.image.width, 64);
    EXPECT_EQ(r.image.height, 40);
    EXPECT_EQ(r.image.pixels.size(), content.pixels.size());
    // Still close to the content after one small step: the enlargement is not garbage.
    EXPECT_LT(max_difference(r.image, content), 0.5);
}

TEST_F(Stylize, NoiseInitIsReproducible) {
    const ns::RgbaImage content = pattern_image(24, 24, 0);
    const ns::RgbaImage style = pattern_image(24, 24, 5);
    ns::StyleOptions options = small_options(1);
    options.init = ns::Init::noise;
    options.seed = 5;
    const StylizeResult a = run(content, style, options);
    torch::manual_seed(999); // the global generator's state must not matter
    const StylizeResult b = run(content, style, options);
    EXPECT_EQ(a.image.pixels, b.image.pixels);
    ASSERT_EQ(a.reports.size(), 1u);
    EXPECT_EQ(a.reports[0].total, b.reports[0].total);
    EXPECT_GT(a.reports[0].content, 0.0) << "noise is not the content";

    options.seed = 6;
    const StylizeResult c = run(content, style, options);
    EXPECT_GT(max_difference(a.image, c.image), 0.05);
    EXPECT_NE(a.reports[0].total, c.reports[0].total);
}

TEST_F(Stylize, MultiScaleGrowsToTheFullWorkingSize) {
    ns::StyleOptions options = small_options(3);
    options.max_size = 40;
    options.scales = 3;
    const ns::RgbaImage content = pattern_image(40, 32, 0);
    const StylizeResult r = run(content, pattern_image(40, 32, 5), options);
    ASSERT_EQ(r.reports.size(), 3u);
    std::vector<std::pair<int, int>> sizes;
    for (size_t i = 0; i < r.reports.size(); ++i) {
        EXPECT_EQ(r.reports[i].step, static_cast<int>(i) + 1);
        EXPECT_EQ(r.reports[i].total_steps, 3);
        if (sizes.empty() || sizes.back() != std::make_pair(r.reports[i].width, r.reports[i].height))
            sizes.emplace_back(r.reports[i].width, r.reports[i].height);
    }
    ASSERT_EQ(sizes.size(), 3u) << "three scales";
    for (size_t i = 1; i < sizes.size(); ++i) {
        EXPECT_GT(sizes[i].first, sizes[i - 1].first);
        EXPECT_GT(sizes[i].second, sizes[i - 1].second);
    }
    EXPECT_EQ(sizes.back(), std::make_pair(40, 32));
    // The coarsest is half the size (two steps of sqrt 2).
    EXPECT_NEAR(sizes.front().first, 20, 1);
    EXPECT_NEAR(sizes.front().second, 16, 1);
    // Work done counts each step by its pixels: the fine step weighs as much as the coarse ones together.
    double pixels = 0;
    for (const ns::StepReport &report : r.reports)
        pixels += static_cast<double>(report.width) * report.height;
    double done = 0;
    for (const ns::StepReport &report : r.reports) {
        done += report.width * report.height / pixels;
        EXPECT_NEAR(report.work_done, done, 1e-12) << "step " << report.step;
    }
    EXPECT_DOUBLE_EQ(r.reports.back().work_done, 1.0);
    ns::StepReport halfway = r.reports.back();
    halfway.seconds = 10;
    halfway.work_done = 0.25;
    EXPECT_DOUBLE_EQ(ns::estimated_seconds_left(halfway), 30) << "a quarter of the work in 10 s: 30 s to go";
    EXPECT_EQ(r.image.width, 40);
    EXPECT_EQ(r.image.height, 32);
}

TEST_F(Stylize, FinerScaleStartsFromTheCoarserScalesCurvature) {
    // L-BFGS's first step at a finer scale takes the curvature scale the coarser one measured, and moves the picture;
    // a fresh start's steepest-descent step of L1 length 1 barely does (here it lowers the style loss by 0.03%, where
    // the carried scale lowers it by 7%).
    ns::StyleOptions options = ns::default_preset();
    options.steps = 20;
    options.max_size = 64;
    options.min_scale_size = 32;
    options.scales = 2;
    options.device = ns::DeviceChoice::cpu;
    const StylizeResult r = run(pattern_image(64, 48, 0), pattern_image(64, 48, 5), options);
    const auto finer = std::find_if(r.reports.begin(), r.reports.end(),
                                    [](const ns::StepReport &report) { return report.width == 64; });
    ASSERT_NE(finer, r.reports.begin()) << "a coarser scale first";
    ASSERT_LT(finer + 1, r.reports.end());
    EXPECT_LT(finer[1].style, 0.98 * finer[0].style) << "before " << finer[0].style << ", after " << finer[1].style;
}

TEST_F(Stylize, ScalesBelowTheMinimumAreSkipped) {
    // 32x32 with 4 scales: 11, 16, 23, 32; the 11 px one is dropped and its steps go to the others.
    ns::StyleOptions options = small_options(3);
    options.scales = 4;
    const StylizeResult r = run(pattern_image(32, 32, 0), pattern_image(32, 32, 5), options);
    ASSERT_EQ(r.reports.size(), 3u);
    EXPECT_EQ(r.reports.front().width, 16);
    for (const ns::StepReport &report : r.reports)
        EXPECT_GE(std::min(report.width, report.height), 16);
    EXPECT_EQ(r.reports.back().width, 32);
}

TEST_F(Stylize, CoarseScalesUnderTheMinimumScaleSizeAreSkipped) {
    // 64x48 with 3 scales: 32x24, 45x34, 64x48; a minimum of 40 px drops the first, never the finest.
    ns::StyleOptions options = small_options(4);
    options.max_size = 64;
    options.scales = 3;
    options.min_scale_size = 40;
    const StylizeResult r = run(pattern_image(64, 48, 0), pattern_image(64, 48, 5), options);
    ASSERT_EQ(r.reports.size(), 4u);
    EXPECT_EQ(r.reports.front().width, 45);
    EXPECT_EQ(r.reports.front().height, 34);
    EXPECT_EQ(r.reports.back().width, 64);

    options.min_scale_size = 1000;
    const StylizeResult single = run(pattern_image(64, 48, 0), pattern_image(64, 48, 5), options);
    for (const ns::StepReport &report : single.reports)
        EXPECT_EQ(report.width, 64) << "only the finest scale is left";
}

// --- devices --------------------------------------------------------------------------------------------------

TEST_F(Stylize, CudaWithoutAGpuIsAStyleError) {
    if (torch::cuda::is_available())
        GTEST_SKIP() << "this machine has a CUDA GPU";
    ns::StyleOptions options = small_options(1);
    options.device = ns::DeviceChoice::cuda;
    try {
        run(pattern_image(16, 16, 0), pattern_image(16, 16, 5), options);
        ADD_FAILURE() << "device cuda accepted without a GPU";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("cuda"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("GPU"), std::string::npos) << e.what();
    }
}

TEST_F(Stylize, AutomaticDeviceFallsBackToTheCpu) {
    ns::StyleOptions options = small_options(1);
    options.device = ns::DeviceChoice::automatic;
    const StylizeResult r = run(pattern_image(16, 16, 0), pattern_image(16, 16, 5), options);
    ASSERT_EQ(r.reports.size(), 1u);
    if (torch::cuda::is_available()) {
        EXPECT_EQ(r.reports[0].device.rfind("CUDA", 0), 0u) << r.reports[0].device;
    } else {
        EXPECT_EQ(r.reports[0].device.rfind("CPU (", 0), 0u) << r.reports[0].device;
    }
}

TEST_F(Stylize, ThreadCountIsAppliedAndReported) {
    const int before = torch::get_num_threads();
    ns::StyleOptions options = small_options(1);
    options.device = ns::DeviceChoice::cpu;
    options.threads = 1;
    const StylizeResult r = run(pattern_image(16, 16, 0), pattern_image(16, 16, 5), options);
    torch::set_num_threads(before);
    ASSERT_EQ(r.reports.size(), 1u);
    EXPECT_EQ(r.reports[0].device, "CPU (1 thread)");
}

// --- bad input ------------------------------------------------------------------------------------------------

void expect_style_error(const std::function<void()> &call, const std::vector<std::string> &parts) {
    try {
        call();
        ADD_FAILURE() << "no StyleError";
    } catch (const ns::StyleError &e) {
        for (const std::string &part : parts)
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "no '" << part << "' in: " << e.what();
    }
}

TEST_F(Stylize, TooSmallImagesAreRejected) {
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    expect_style_error([&] { run(pattern_image(8, 8, 0), style, small_options(1)); }, {"too small", "8x8"});
    expect_style_error([&] { run(pattern_image(64, 12, 0), style, small_options(1)); }, {"too small"});
    // Big enough, but the working size is not: 64x20 at 32 px is 32x10.
    expect_style_error([&] { run(pattern_image(64, 20, 0), style, small_options(1)); }, {"too small", "32x10"});
}

TEST_F(Stylize, MismatchedPixelBuffersAreRejected) {
    ns::RgbaImage content = pattern_image(32, 32, 0);
    ns::RgbaImage style = pattern_image(32, 32, 5);
    content.pixels.resize(content.pixels.size() - 4);
    expect_style_error([&] { run(content, style, small_options(1)); }, {"content"});
    content = pattern_image(32, 32, 0);
    style.width = 33;
    expect_style_error([&] { run(content, style, small_options(1)); }, {"style"});
    expect_style_error([&] { run(ns::RgbaImage(), pattern_image(32, 32, 5), small_options(1)); }, {"content"});
}

TEST_F(Stylize, InvalidOptionsAndWeightsAreRejected) {
    const ns::RgbaImage content = pattern_image(32, 32, 0);
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    ns::StyleOptions options = small_options(0);
    expect_style_error([&] { run(content, style, options); }, {"steps"});
    options = small_options(1);
    options.max_size = 8;
    expect_style_error([&] { run(content, style, options); }, {"max", "size"});

    ns::Vgg19Weights incomplete = *weights_;
    incomplete.conv_weight.pop_back();
    incomplete.conv_bias.pop_back();
    expect_style_error([&] { ns::stylize(content, {style}, incomplete, small_options(1)); }, {"weights"});
    // Weights of the wrong shape surface as a StyleError, not as a LibTorch exception.
    ns::Vgg19Weights wrong = *weights_;
    wrong.conv_weight[3] = torch::zeros({128, 64, 3, 3});
    expect_style_error([&] { ns::stylize(content, {style}, wrong, small_options(1)); }, {});
}

TEST_F(Stylize, WorksWithoutACallback) {
    const ns::RgbaImage content = pattern_image(16, 16, 0);
    const ns::RgbaImage result = ns::stylize(content, {pattern_image(16, 16, 5)}, *weights_, small_options(1));
    EXPECT_EQ(result.width, 16);
    EXPECT_EQ(result.height, 16);
    EXPECT_GT(max_difference(result, content), 0.0);
}

// --- full resolution and tiles ----------------------------------------------------------------------------------


TEST_F(Stylize, DefaultsPaintAtTheContentsOwnSize) {
    ns::StyleOptions options = ns::default_preset();
    options.steps = 3;
    options.device = ns::DeviceChoice::cpu;
    const ns::RgbaImage content = pattern_image(300, 200, 0);
    const StylizeResult r = run(content, pattern_image(90, 120, 5), options);
    ASSERT_FALSE(r.reports.empty());
    EXPECT_EQ(r.reports.back().width, 300) << "the last scale is computed at the content's size, not enlarged";
    EXPECT_EQ(r.reports.back().height, 200);
    EXPECT_EQ(r.reports.front().width, 300) << "under min-scale-size (256 px) there is one scale";
}

// Each step's loss is measured at the image the steps before made, so equal losses at steps 1 and 2 show the
// tiled run follows the untiled one. (From the second update on, L-BFGS's curvature pairs amplify the last digits:
// by step 3 the two differ by about 1e-3 of the loss.)
TEST_F(Stylize, TiledRunEqualsUntiledRun) {
    ns::StyleOptions options = small_options(2);
    options.optimizer = ns::Optimizer::lbfgs; // its steps follow the gradient smoothly; Adam's follow its sign
    options.learning_rate = 1;
    options.max_size = 0;
    options.style_scale = 1;
    const ns::RgbaImage content = pattern_image(272, 208, 0);
    const ns::RgbaImage style = pattern_image(160, 200, 5);
    const StylizeResult whole = run(content, style, options);
    options.tile_size = 96;
    const StylizeResult tiled = run(content, style, options);
    std::vector<ns::StepReport> steps;
    for (const ns::StepReport &report : tiled.reports)
        if (!report.in_step)
            steps.push_back(report);
    ASSERT_EQ(whole.reports.size(), steps.size());
    EXPECT_EQ(tiled.reports.size(), steps.size() * 18) << "17 between the tiles of each step";
    EXPECT_EQ(whole.reports.back().tiles, 1);
    EXPECT_EQ(steps.back().tiles, 9);
    for (size_t i = 0; i < whole.reports.size(); ++i)
        EXPECT_NEAR(steps[i].total, whole.reports[i].total, 1e-4 * whole.reports[i].total) << "step " << i + 1;
    EXPECT_LE(max_difference(tiled.image, whole.image), 1e-2);
    EXPECT_GT(max_difference(whole.image, content), 1e-3) << "the run changed the picture";
}

// Within a tiled step, progress counts each tile by its padded pixels, and the Gram pass at kGramPassCost of the
// second pass: when the Gram pass is done, that share of the step's work (tiled_evaluation_work()) is.
TEST_F(Stylize, ProgressBetweenTilesCountsTheGramPassAtItsCost) {
    ns::StyleOptions options = small_options(2);
    options.max_size = 0;
    options.tile_size = 96;
    const StylizeResult r = run(pattern_image(272, 208, 0), pattern_image(160, 200, 5), options);
    const std::vector<ns::Tile> tiles = ns::tile_layout({272, 208}, 96);
    const double gram_pass_share =
        ns::kGramPassCost * ns::padded_pixels(tiles) / ns::tiled_evaluation_work(tiles, true);
    double last = 0;
    int checked = 0;
    for (const ns::StepReport &report : r.reports) {
        EXPECT_GT(report.work_done, last) << "step " << report.step << ", tile " << report.tiles_done;
        last = report.work_done;
        if (report.in_step && report.tiles_done == report.tiles / 2) {
            EXPECT_NEAR(report.work_done, (report.step - 1 + gram_pass_share) / 2, 1e-9) << "step " << report.step;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 2) << "one report at the end of each step's Gram pass";
    EXPECT_DOUBLE_EQ(r.reports.back().work_done, 1.0);
}

// A learning rate far too large overflows the candidate; the run stops with the step, not with a black picture.
TEST_F(Stylize, ARunThatDivergesFailsNamingTheStep) {
    ns::StyleOptions options = small_options(5);
    options.learning_rate = 1e9; // Adam moves every pixel by about this much
    try {
        run(pattern_image(32, 24, 0), pattern_image(32, 32, 5), options);
        FAIL() << "a diverged run returned a picture";
    } catch (const ns::StyleError &e) {
        EXPECT_EQ(e.kind(), ns::ErrorKind::diverged) << e.what();
        ASSERT_EQ(e.values().size(), 1u);
        EXPECT_GE(std::stoi(e.values()[0]), 2) << "the first step's loss is the content's own";
        EXPECT_NE(std::string(e.what()).find("learning rate"), std::string::npos) << e.what();
    }
}

// The dialog's preview measures the pace from a run's reports: a scale in tiles tells none (its steps' work is
// more than their pixels), a scale evaluated whole does.
TEST_F(Stylize, APaceMeterTakesARunsUntiledSteps) {
    ns::StyleOptions options = small_options(8);
    options.max_size = 0;
    options.scales = 2;
    options.tile_size = 200;
    const StylizeResult r = run(pattern_image(272, 208, 0), pattern_image(160, 200, 5), options);
    ns::PaceMeter all, tiled_scale;
    std::vector<double> whole_paces;
    const ns::StepReport *last = nullptr;
    for (const ns::StepReport &report : r.reports) {
        all.add(report);
        if (report.width == 272)
            tiled_scale.add(report);
        if (report.in_step)
            continue;
        if (last && last->width == report.width && report.tiles == 1)
            whole_paces.push_back((report.seconds - last->seconds) / (report.width * report.height / 1e6));
        last = &report;
    }
    ASSERT_LT(r.reports.front().width, 200) << "the coarse scale is evaluated whole";
    ASSERT_GT(r.reports.back().tiles, 1) << "the finest scale is in tiles";
    ASSERT_GE(whole_paces.size(), static_cast<size_t>(ns::kPaceSteps));
    EXPECT_GE(all.seconds_per_megapixel_step(), *std::min_element(whole_paces.begin(), whole_paces.end()));
    EXPECT_LE(all.seconds_per_megapixel_step(), *std::max_element(whole_paces.begin(), whole_paces.end()));
    EXPECT_EQ(tiled_scale.seconds_per_megapixel_step(), 0);
}

TEST_F(Stylize, StopBetweenTilesKeepsTheLastWholeStep) {
    ns::StyleOptions options = small_options(3);
    options.max_size = 0;
    options.tile_size = 96;
    const ns::RgbaImage content = pattern_image(272, 208, 0);
    const ns::RgbaImage style = pattern_image(160, 200, 5);
    std::vector<ns::StepReport> reports;
    const ns::RgbaImage stopped = ns::stylize(content, {style}, *weights_, options, [&](const ns::StepReport &r) {
        reports.push_back(r);
        return !(r.in_step && r.step == 2 && r.tiles_done == 4);
    });
    ASSERT_FALSE(reports.empty());
    EXPECT_TRUE(reports.back().in_step);
    EXPECT_EQ(reports.back().tiles, 2 * 9);
    EXPECT_LT(reports.back().work_done, 2.0 / 3);
    EXPECT_GT(reports.back().work_done, 1.0 / 3);
    options.steps = 1;
    const StylizeResult one = run(content, style, options);
    EXPECT_LE(max_difference(stopped, one.image), 1e-6) << "the image after step 1, the last whole step";
}

} // namespace
