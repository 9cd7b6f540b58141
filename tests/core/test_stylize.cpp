// SPDX-License-Identifier: GPL-3.0-or-later
// stylize.h: the seed's loss against an independent computation written out here with plain LibTorch ops, and the
// optimizers and stopping. test_stylize_runs.cpp has the rest of a run's behaviour.
#include "error.h"
#include "lbfgs.h"
#include "options.h"
#include "stylize.h"

#include "stylize_fixture.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/optim/lbfgs.h>

#include <algorithm>
#include <cmath>
#include <limits>
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

// StylizeTest with the weights in float64 for the independent computation.
class Stylize : public StylizeTest {
protected:
    static void SetUpTestSuite() {
        StylizeTest::SetUpTestSuite();
        own_w_ = new std::vector<torch::Tensor>();
        own_b_ = new std::vector<torch::Tensor>();
        for (size_t i = 0; i < tensors_->size(); i += 2) {
            own_w_->push_back((*tensors_)[i].second.to(torch::kFloat64));
            own_b_->push_back((*tensors_)[i + 1].second.to(torch::kFloat64));
        }
    }
    static void TearDownTestSuite() {
        delete own_w_;
        delete own_b_;
        StylizeTest::TearDownTestSuite();
    }

    static OwnTargets targets(const ns::RgbaImage &content, const ns::RgbaImage &style) {
        return own_targets(own_normalize(own_rgb(content)), own_normalize(own_rgb(style)), *own_w_, *own_b_);
    }
    static OwnLosses own(const torch::Tensor &target, const OwnTargets &targets,
                         const double (&layer_weights)[5] = kStyleLayerWeights) {
        return own_losses(target, targets, *own_w_, *own_b_, layer_weights);
    }

    static std::vector<torch::Tensor> *own_w_;
    static std::vector<torch::Tensor> *own_b_;
};
std::vector<torch::Tensor> *Stylize::own_w_ = nullptr;
std::vector<torch::Tensor> *Stylize::own_b_ = nullptr;

// --- the seed loss --------------------------------------------------------------------------------------------

TEST_F(Stylize, SeedLossAtSteps1And2MatchesIndependentComputation) {
    const ns::RgbaImage content = pattern_image(32, 32, 0);
    const ns::RgbaImage style = pattern_image(32, 32, 5);
    ns::StyleOptions options = ns::seed_preset(); // 400 px: 32x32 is used as it is
    options.device = ns::DeviceChoice::cpu;
    options.steps = 2;
    const StylizeResult r = run(content, style, options);
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
        const StylizeResult r = run(content, style, options);
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
    const StylizeResult r = run(content, style, options);
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
    const StylizeResult r = run(content, style, options);
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
    const StylizeResult r = run(pattern_image(24, 24, 0), pattern_image(24, 24, 5), options);
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
    const StylizeResult r = run(pattern_image(24, 24, 0), pattern_image(24, 24, 5), options);
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

TEST(Lbfgs, HandsOnTheSmallestCurvatureScaleOfItsHistory) {
    // The scale a finer scale starts from is the smallest (s . y) / (y . y) of the pairs still in the history,
    // computed here from the steps taken and the gradients given.
    const int history = 3;
    torch::Tensor x = torch::linspace(-2, 3, 24).view({1, 2, 3, 4}).requires_grad_(true);
    ns::Lbfgs lbfgs(0.5, history);
    EXPECT_FALSE(lbfgs.curvature_scale().defined());
    std::vector<torch::Tensor> points, gradients;
    for (int i = 0; i < 8; ++i) {
        x.mutable_grad() = torch::Tensor();
        bumpy_bowl(x).backward();
        points.push_back(x.detach().clone());
        gradients.push_back(x.grad().clone());
        lbfgs.step(x, x.grad());
        if (i == 0) {
            EXPECT_TRUE(std::isnan(lbfgs.curvature_scale().item<double>())) << "no pair yet";
        }
    }
    double smallest = std::numeric_limits<double>::infinity();
    for (size_t i = points.size() - history; i < points.size(); ++i) {
        const torch::Tensor s = points[i] - points[i - 1], y = gradients[i] - gradients[i - 1];
        smallest = std::min(smallest, (s * y).sum().item<double>() / (y * y).sum().item<double>());
    }
    EXPECT_NEAR(lbfgs.curvature_scale().item<double>(), smallest, 1e-4 * smallest);

    // A flat direction never gives a pair with curvature: nothing measured to hand on.
    torch::Tensor flat = torch::zeros({2});
    ns::Lbfgs on_flat(1, 3);
    for (int i = 0; i < 3; ++i)
        on_flat.step(flat, torch::tensor({1.0f, -1.0f}));
    EXPECT_TRUE(std::isnan(on_flat.curvature_scale().item<double>()));
}

TEST(Lbfgs, StartsFromACarriedCurvatureScale) {
    // A coarser scale's curvature scale makes the first step -lr * scale * g; without one measured (NaN) the first
    // step stays the steepest-descent step of L1 length lr.
    const torch::Tensor gradient = torch::tensor({1.0f, -2.0f, 0.5f, 0.0f});
    torch::Tensor carried = torch::zeros({4});
    ns::Lbfgs with_scale(0.5, 3, torch::tensor(4.0f));
    with_scale.step(carried, gradient);
    EXPECT_TRUE(torch::allclose(carried, -2 * gradient)) << carried;
    EXPECT_NEAR(with_scale.curvature_scale().item<double>(), 4, 1e-6) << "handed on until a pair has curvature";

    torch::Tensor unmeasured = torch::zeros({4});
    ns::Lbfgs without(0.5, 3, torch::tensor(std::numeric_limits<float>::quiet_NaN()));
    without.step(unmeasured, gradient);
    EXPECT_TRUE(torch::allclose(unmeasured, -0.5 * gradient / 3.5)) << unmeasured;
}

TEST_F(Stylize, CallbackStopsTheRun) {
    const ns::RgbaImage content = pattern_image(24, 24, 0);
    const ns::RgbaImage style = pattern_image(24, 24, 5);
    ns::StyleOptions options = small_options(20);
    options.learning_rate = 0.02;
    const StylizeResult stopped = run(content, style, options, /*stop_after=*/3);
    ASSERT_EQ(stopped.reports.size(), 3u);
    EXPECT_EQ(stopped.reports.back().step, 3);
    EXPECT_EQ(stopped.reports.back().total_steps, 20);
    EXPECT_EQ(stopped.image.width, content.width);
    EXPECT_EQ(stopped.image.height, content.height);
    ASSERT_EQ(stopped.image.pixels.size(), content.pixels.size());
    EXPECT_GT(max_difference(stopped.image, content), 1e-3) << "the current result, not the content";

    // The image as it is after three steps: the same as a run of three steps.
    options.steps = 3;
    const StylizeResult three = run(content, style, options);
    EXPECT_LE(max_difference(stopped.image, three.image), 1e-6);
}

} // namespace
