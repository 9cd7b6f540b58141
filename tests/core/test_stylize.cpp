// SPDX-License-Identifier: GPL-3.0-or-later
// stylize.h: the seed's loss against an independent computation written out here with plain LibTorch ops, and the
// behaviour of the optimisation loop (optimizers, stopping, sizes, alpha, noise, scales, devices, bad input).
#include "error.h"
#include "lbfgs.h"
#include "options.h"
#include "stylize.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/optim/lbfgs.h>
#include <torch/utils.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace ns = neural_style;
using test_support::pattern_image;

namespace {

// --- the independent computation ------------------------------------------------------------------------------
// Everything below is written from the seed notebook's definitions, in float64, without the core's code.

constexpr int kContentLayer = 9;                              // conv4_2 among the 13 convs
constexpr int kStyleLayers[5] = {0, 2, 4, 8, 12};            // conv1_1, conv2_1, conv3_1, conv4_1, conv5_1
constexpr double kStyleLayerWeights[5] = {1, 0.8, 0.5, 0.3, 0.1};
constexpr double kContentWeight = 1;
constexpr double kStyleWeight = 1e6;

// [1, 3, H, W] float64 from the RGB channels of an image.
torch::Tensor own_rgb(const ns::RgbaImage &image) {
    torch::Tensor t = torch::empty({1, 3, image.height, image.width}, torch::kFloat64);
    auto a = t.accessor<double, 4>();
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            for (int c = 0; c < 3; ++c)
                a[0][c][y][x] = image.pixels[(static_cast<size_t>(y) * image.width + x) * 4 + c];
    return t;
}

torch::Tensor own_normalize(const torch::Tensor &rgb) {
    const torch::Tensor mean = torch::tensor({0.485, 0.456, 0.406}, torch::kFloat64).view({1, 3, 1, 1});
    const torch::Tensor std = torch::tensor({0.229, 0.224, 0.225}, torch::kFloat64).view({1, 3, 1, 1});
    return (rgb - mean) / std;
}

// conv 3x3 (padding 1) + ReLU for each of the 13 layers, 2x2 max pool after conv1_2, conv2_2, conv3_4, conv4_4.
std::vector<torch::Tensor> own_features(torch::Tensor x, const std::vector<torch::Tensor> &w,
                                        const std::vector<torch::Tensor> &b) {
    std::vector<torch::Tensor> out;
    for (int i = 0; i < 13; ++i) {
        x = at::relu(at::conv2d(x, w[i], b[i], /*stride=*/{1, 1}, /*padding=*/{1, 1}));
        out.push_back(x);
        if (i == 1 || i == 3 || i == 7 || i == 11)
            x = at::max_pool2d(x, {2, 2}, {2, 2});
    }
    return out;
}

torch::Tensor own_gram(const torch::Tensor &f) {
    const torch::Tensor m = f.reshape({f.size(1), f.size(2) * f.size(3)});
    return m.mm(m.t());
}

struct OwnLosses {
    torch::Tensor content, style, total;
};

// The content's features and the style's Gram matrices, computed once.
struct OwnTargets {
    torch::Tensor content_features;
    std::vector<torch::Tensor> style_grams;
};

OwnTargets own_targets(const torch::Tensor &content, const torch::Tensor &style, const std::vector<torch::Tensor> &w,
                       const std::vector<torch::Tensor> &b) {
    torch::NoGradGuard no_grad;
    OwnTargets targets;
    targets.content_features = own_features(content, w, b)[kContentLayer];
    const std::vector<torch::Tensor> s = own_features(style, w, b);
    for (int layer : kStyleLayers)
        targets.style_grams.push_back(own_gram(s[layer]));
    return targets;
}

OwnLosses own_losses(const torch::Tensor &target, const OwnTargets &targets, const std::vector<torch::Tensor> &w,
                     const std::vector<torch::Tensor> &b, const double (&layer_weights)[5] = kStyleLayerWeights) {
    const std::vector<torch::Tensor> t = own_features(target, w, b);
    OwnLosses losses;
    losses.content = (t[kContentLayer] - targets.content_features).pow(2).mean();
    losses.style = torch::zeros({}, torch::kFloat64);
    for (int i = 0; i < 5; ++i) {
        const torch::Tensor &f = t[kStyleLayers[i]];
        const double dhw = static_cast<double>(f.size(1) * f.size(2) * f.size(3));
        losses.style = losses.style + layer_weights[i] * (own_gram(f) - targets.style_grams[i]).pow(2).mean() / dhw;
    }
    losses.total = kContentWeight * losses.content + kStyleWeight * losses.style;
    return losses;
}

void expect_relative(double got, double want, double tolerance, const char *what) {
    EXPECT_LE(std::abs(got - want), tolerance * std::abs(want))
        << what << ": core " << got << ", independent " << want << ", relative difference "
        << std::abs(got - want) / std::abs(want);
}

// --- fixture --------------------------------------------------------------------------------------------------

struct Result {
    ns::RgbaImage image;
    std::vector<ns::StepReport> reports;
};

class Stylize : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto tensors = test_support::random_vgg19_tensors(21);
        weights_ = new ns::Vgg19Weights(test_support::weights_from(tensors));
        own_w_ = new std::vector<torch::Tensor>();
        own_b_ = new std::vector<torch::Tensor>();
        for (size_t i = 0; i < tensors.size(); i += 2) {
            own_w_->push_back(tensors[i].second.to(torch::kFloat64));
            own_b_->push_back(tensors[i + 1].second.to(torch::kFloat64));
        }
    }
    static void TearDownTestSuite() {
        delete weights_;
        delete own_w_;
        delete own_b_;
    }

    // The seed's settings at a test-sized working size.
    static ns::StyleOptions small_options(int steps) {
        ns::StyleOptions o = ns::seed_preset();
        o.steps = steps;
        o.max_size = 32;
        o.min_scale_size = 16;
        o.device = ns::DeviceChoice::cpu; // exact comparisons; a GPU run reports in batches and may use TF32
        return o;
    }

    static Result run(const ns::RgbaImage &content, const ns::RgbaImage &style, const ns::StyleOptions &options,
                   int stop_after = 0) {
        Result r;
        r.image = ns::stylize(content, {style}, *weights_, options, [&](const ns::StepReport &report) {
            r.reports.push_back(report);
            return stop_after == 0 || report.step < stop_after;
        });
        return r;
    }

    static OwnTargets targets(const ns::RgbaImage &content, const ns::RgbaImage &style) {
        return own_targets(own_normalize(own_rgb(content)), own_normalize(own_rgb(style)), *own_w_, *own_b_);
    }
    static OwnLosses own(const torch::Tensor &target, const OwnTargets &targets,
                         const double (&layer_weights)[5] = kStyleLayerWeights) {
        return own_losses(target, targets, *own_w_, *own_b_, layer_weights);
    }

    static double max_difference(const ns::RgbaImage &a, const ns::RgbaImage &b) {
        double d = 0;
        for (size_t i = 0; i < std::min(a.pixels.size(), b.pixels.size()); ++i)
            d = std::max(d, static_cast<double>(std::abs(a.pixels[i] - b.pixels[i])));
        return d;
    }

    static ns::Vgg19Weights *weights_;
    static std::vector<torch::Tensor> *own_w_;
    static std::vector<torch::Tensor> *own_b_;
};
ns::Vgg19Weights *Stylize::weights_ = nullptr;
std::vector<torch::Tensor> *Stylize::own_w_ = nullptr;
std::vector<torch::Tensor> *Stylize::own_b_ = nullptr;

// --- the seed loss --------------------------------------------------------------------------------------------

TEST_F(Stylize, SeedLossAtSteps1And2MatchesIndependentComputation) {
    const ns::RgbaImage content = pattern_image(32, 32, 0);
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    ns::StyleOptions options = ns::seed_preset(); // 400 px: 32x32 is used as it is
    options.device = ns::DeviceChoice::cpu;
    options.steps = 2;
    const Result r = run(content, style, options);
    ASSERT_EQ(r.reports.size(), 2u);

    // Step 1: the target starts as the content, so there is no content loss yet; the style term is compared.
    torch::Tensor x0 = own_normalize(own_rgb(content)).requires_grad_(true);
    const OwnTargets t = targets(content, style);
    const OwnLosses at0 = own(x0, t);
    const ns::StepReport &first = r.reports[0];
    EXPECT_EQ(first.step, 1);
    EXPECT_EQ(first.width, 32);
    EXPECT_EQ(first.height, 32);
    EXPECT_EQ(at0.content.item<double>(), 0.0);
    EXPECT_EQ(first.content, 0.0);
    ASSERT_GT(at0.style.item<double>(), 0.0);
    expect_relative(first.style, at0.style.item<double>(), 1e-4, "style at step 1");
    expect_relative(first.total, at0.total.item<double>(), 1e-4, "total at step 1");
    EXPECT_EQ(first.tv, 0.0);

    // Step 2 is measured after one Adam step. Adam's first step with bias correction has m̂ = g and v̂ = g², so
    // x₁ = x₀ − lr·g / (|g| + ε).
    at0.total.backward();
    const torch::Tensor g = x0.grad();
    const torch::Tensor x1 = (x0.detach() - options.learning_rate * g / (g.abs() + 1e-8)).detach();
    const OwnLosses at1 = own(x1, t);
    const ns::StepReport &second = r.reports[1];
    EXPECT_EQ(second.step, 2);
    ASSERT_GT(at1.content.item<double>(), 0.0);
    EXPECT_GT(second.content, 0.0);
    expect_relative(second.content, at1.content.item<double>(), 1e-4, "content at step 2");
    expect_relative(second.style, at1.style.item<double>(), 1e-4, "style at step 2");
    expect_relative(second.total, at1.total.item<double>(), 1e-4, "total at step 2");
    EXPECT_LT(second.total, first.total);
}

TEST_F(Stylize, DeepStyleLayerTermsMatchIndependentComputation) {
    // With the seed's layer weights conv1_1..conv3_1 dominate the sum (conv5_1's term is about 1e-4 of conv1_1's
    // here), so the comparison above cannot see the deep layers: check conv4_1 and conv5_1 one at a time.
    const ns::RgbaImage content = pattern_image(32, 32, 0);
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    const OwnTargets t = targets(content, style);
    const torch::Tensor x0 = own_normalize(own_rgb(content));
    const char *const names[5] = {"conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"};
    for (int layer : {3, 4}) {
        SCOPED_TRACE(names[layer]);
        ns::StyleOptions options = small_options(1);
        options.style_layer_weights = {0, 0, 0, 0, 0};
        options.style_layer_weights[layer] = 1;
        const Result r = run(content, style, options);
        ASSERT_EQ(r.reports.size(), 1u);
        double one_hot[5] = {0, 0, 0, 0, 0};
        one_hot[layer] = 1;
        const double want = own(x0, t, one_hot).style.item<double>();
        ASSERT_GT(want, 0.0);
        expect_relative(r.reports[0].style, want, 1e-4, "style term");
    }
}

TEST_F(Stylize, SeedLossFromNoiseMatchesIndependentComputation) {
    const ns::RgbaImage content = pattern_image(32, 32, 0);
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    ns::StyleOptions options = ns::seed_preset();
    options.device = ns::DeviceChoice::cpu;
    options.steps = 1;
    options.init = ns::Init::noise;
    options.seed = 1234;
    const Result r = run(content, style, options);
    ASSERT_EQ(r.reports.size(), 1u);

    // The noise the core starts from (stylize.cpp): uniform [0,1) RGB from LibTorch's generator seeded with `seed`.
    torch::manual_seed(1234);
    const torch::Tensor noise = torch::rand({1, 3, 32, 32}).to(torch::kFloat64);
    const OwnLosses want = own(own_normalize(noise), targets(content, style));
    ASSERT_GT(want.content.item<double>(), 0.0);
    expect_relative(r.reports[0].content, want.content.item<double>(), 1e-4, "content");
    expect_relative(r.reports[0].style, want.style.item<double>(), 1e-4, "style");
    expect_relative(r.reports[0].total, want.total.item<double>(), 1e-4, "total");
}

TEST_F(Stylize, TotalVariationTerm) {
    const ns::RgbaImage content = pattern_image(16, 16, 0);
    const ns::RgbaImage style = pattern_image(16, 16, 5);
    ns::StyleOptions options = small_options(1);
    options.tv_weight = 0.5;
    const Result r = run(content, style, options);
    ASSERT_EQ(r.reports.size(), 1u);
    // Mean squared neighbour differences of the content image itself (the starting target), in [0,1] RGB.
    const torch::Tensor rgb = own_rgb(content);
    const double dx = (rgb.narrow(3, 1, 15) - rgb.narrow(3, 0, 15)).pow(2).mean().item<double>();
    const double dy = (rgb.narrow(2, 1, 15) - rgb.narrow(2, 0, 15)).pow(2).mean().item<double>();
    ASSERT_GT(dx + dy, 0.0);
    expect_relative(r.reports[0].tv, dx + dy, 1e-4, "tv");
    expect_relative(r.reports[0].total, 1e6 * r.reports[0].style + 0.5 * r.reports[0].tv, 1e-5, "total");
}

// --- optimisation ---------------------------------------------------------------------------------------------

TEST_F(Stylize, AdamLowersTheLoss) {
    ns::StyleOptions options = small_options(20);
    options.learning_rate = 0.02;
    const Result r = run(pattern_image(24, 24, 0), pattern_image(24, 24, 5), options);
    ASSERT_EQ(r.reports.size(), 20u);
    for (size_t i = 0; i < r.reports.size(); ++i) {
        const ns::StepReport &report = r.reports[i];
        EXPECT_EQ(report.step, static_cast<int>(i) + 1);
        EXPECT_EQ(report.total_steps, 20);
        EXPECT_EQ(report.width, 24);
        EXPECT_EQ(report.height, 24);
        expect_relative(report.total, report.content + 1e6 * report.style, 1e-5, "total = content + 1e6 style");
        if (i > 0) {
            EXPECT_GE(report.seconds, r.reports[i - 1].seconds);
        }
    }
    EXPECT_LT(r.reports.back().total, 0.8 * r.reports.front().total)
        << "first " << r.reports.front().total << ", last " << r.reports.back().total;
}

TEST_F(Stylize, LbfgsLowersTheLoss) {
    ns::StyleOptions options = ns::default_preset();
    options.steps = 10;
    options.max_size = 32;
    options.scales = 1;
    options.lbfgs_history = 5;
    options.device = ns::DeviceChoice::cpu;
    const Result r = run(pattern_image(24, 24, 0), pattern_image(24, 24, 5), options);
    ASSERT_EQ(r.reports.size(), 10u);
    EXPECT_EQ(r.reports.back().step, 10);
    EXPECT_LT(r.reports.back().total, 0.8 * r.reports.front().total)
        << "first " << r.reports.front().total << ", last " << r.reports.back().total;
}

// An ill-conditioned quadratic plus a quartic term: curvature that changes, so every history pair matters.
torch::Tensor bumpy_bowl(const torch::Tensor &x) {
    const torch::Tensor scale = torch::linspace(0.5, 20, x.numel(), x.options()).view(x.sizes());
    return (scale * x * x).sum() + 0.1 * (x * x * x * x).sum();
}

TEST(Lbfgs, FollowsTorchsLbfgsWithoutLineSearch) {
    // The same iterations as torch::optim::LBFGS with no line search, the form the PyTorch peers run (up to float
    // rounding: the two sum in different orders).
    const torch::Tensor start = torch::linspace(-2, 3, 24).view({1, 2, 3, 4});
    torch::Tensor ours = start.clone().requires_grad_(true);
    ns::Lbfgs lbfgs(0.5, 4);
    for (int i = 0; i < 12; ++i) {
        ours.mutable_grad() = torch::Tensor();
        bumpy_bowl(ours).backward();
        lbfgs.step(ours, ours.grad());
    }

    torch::Tensor theirs = start.clone().requires_grad_(true);
    torch::optim::LBFGS reference({theirs}, torch::optim::LBFGSOptions(0.5).max_iter(12).max_eval(13).history_size(4)
                                               .tolerance_grad(-1).tolerance_change(-1));
    reference.step([&] {
        reference.zero_grad();
        torch::Tensor loss = bumpy_bowl(theirs);
        loss.backward();
        return loss;
    });
    EXPECT_TRUE(torch::allclose(ours.detach(), theirs.detach(), 1e-3, 1e-4))
        << "ours " << ours << "\ntheirs " << theirs;
    EXPECT_LT(bumpy_bowl(ours.detach()).item<double>(), 1e-3 * bumpy_bowl(start).item<double>());
}

TEST(Lbfgs, SkipsPairsWithoutCurvature) {
    // Along a flat direction the gradient never changes: y . s = 0, no pair is usable, and the steps stay plain
    // gradient steps instead of dividing by zero.
    torch::Tensor x = torch::zeros({4});
    const torch::Tensor constant_gradient = torch::tensor({1.0f, -2.0f, 0.5f, 0.0f});
    ns::Lbfgs lbfgs(1, 3);
    for (int i = 0; i < 5; ++i)
        lbfgs.step(x, constant_gradient);
    EXPECT_TRUE(torch::isfinite(x).all().item<bool>()) << x;
    EXPECT_LT(x[0].item<float>(), 0);
    EXPECT_GT(x[1].item<float>(), 0);
    EXPECT_EQ(x[3].item<float>(), 0);
}

TEST_F(Stylize, CallbackStopsTheRun) {
    const ns::RgbaImage content = pattern_image(24, 24, 0);
    const ns::RgbaImage style = pattern_image(24, 24, 5);
    ns::StyleOptions options = small_options(20);
    options.learning_rate = 0.02;
    const Result stopped = run(content, style, options, /*stop_after=*/3);
    ASSERT_EQ(stopped.reports.size(), 3u);
    EXPECT_EQ(stopped.reports.back().step, 3);
    EXPECT_EQ(stopped.reports.back().total_steps, 20);
    EXPECT_EQ(stopped.image.width, content.width);
    EXPECT_EQ(stopped.image.height, content.height);
    ASSERT_EQ(stopped.image.pixels.size(), content.pixels.size());
    EXPECT_GT(max_difference(stopped.image, content), 1e-3) << "the current result, not the content";

    // The image as it is after three steps: the same as a run of three steps.
    options.steps = 3;
    const Result three = run(content, style, options);
    EXPECT_LE(max_difference(stopped.image, three.image), 1e-6);
}

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
    const Result r = run(content, style, options);
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
    const Result r = run(content, pattern_image(30, 50, 5), small_options(1)); // style of another size
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
    const Result a = run(content, style, options);
    torch::manual_seed(999); // the global generator's state must not matter
    const Result b = run(content, style, options);
    EXPECT_EQ(a.image.pixels, b.image.pixels);
    ASSERT_EQ(a.reports.size(), 1u);
    EXPECT_EQ(a.reports[0].total, b.reports[0].total);
    EXPECT_GT(a.reports[0].content, 0.0) << "noise is not the content";

    options.seed = 6;
    const Result c = run(content, style, options);
    EXPECT_GT(max_difference(a.image, c.image), 0.05);
    EXPECT_NE(a.reports[0].total, c.reports[0].total);
}

TEST_F(Stylize, MultiScaleGrowsToTheFullWorkingSize) {
    ns::StyleOptions options = small_options(3);
    options.max_size = 40;
    options.scales = 3;
    const ns::RgbaImage content = pattern_image(40, 32, 0);
    const Result r = run(content, pattern_image(40, 32, 5), options);
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

TEST_F(Stylize, ScalesBelowTheMinimumAreSkipped) {
    // 32x32 with 4 scales: 11, 16, 23, 32; the 11 px one is dropped and its steps go to the others.
    ns::StyleOptions options = small_options(3);
    options.scales = 4;
    const Result r = run(pattern_image(32, 32, 0), pattern_image(32, 32, 5), options);
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
    const Result r = run(pattern_image(64, 48, 0), pattern_image(64, 48, 5), options);
    ASSERT_EQ(r.reports.size(), 4u);
    EXPECT_EQ(r.reports.front().width, 45);
    EXPECT_EQ(r.reports.front().height, 34);
    EXPECT_EQ(r.reports.back().width, 64);

    options.min_scale_size = 1000;
    const Result single = run(pattern_image(64, 48, 0), pattern_image(64, 48, 5), options);
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
    const Result r = run(pattern_image(16, 16, 0), pattern_image(16, 16, 5), options);
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
    const Result r = run(pattern_image(16, 16, 0), pattern_image(16, 16, 5), options);
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

} // namespace

// --- full resolution and tiles ----------------------------------------------------------------------------------

namespace {

TEST_F(Stylize, DefaultsPaintAtTheContentsOwnSize) {
    ns::StyleOptions options = ns::default_preset();
    options.steps = 3;
    options.device = ns::DeviceChoice::cpu;
    const ns::RgbaImage content = pattern_image(300, 200, 0);
    const Result r = run(content, pattern_image(90, 120, 5), options);
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
    const Result whole = run(content, style, options);
    options.tile_size = 96;
    const Result tiled = run(content, style, options);
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
    const Result one = run(content, style, options);
    EXPECT_LE(max_difference(stopped, one.image), 1e-6) << "the image after step 1, the last whole step";
}

} // namespace
