// SPDX-License-Identifier: GPL-3.0-or-later
// colors.h and stylize()'s artist controls: colour modes, several styles, the mask and transparency.
#include "colors.h"
#include "error.h"
#include "options.h"
#include "stylize.h"

#include "stylize_fixture.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ns = neural_style;
using test_support::pattern_image;

namespace {

// Mean and covariance of the pixels of a [1, 3, H, W] image, in float64.
std::pair<torch::Tensor, torch::Tensor> colour_statistics(const torch::Tensor &rgb) {
    const torch::Tensor pixels = rgb.to(torch::kFloat64).permute({0, 2, 3, 1}).reshape({-1, 3});
    const torch::Tensor mean = pixels.mean(0);
    const torch::Tensor centred = pixels - mean;
    return {mean, centred.t().mm(centred) / pixels.size(0)};
}

// YIQ's I and Q of each pixel of an image, as [N, 2].
torch::Tensor chroma(const ns::RgbaImage &image) {
    const torch::Tensor rgb = ns::rgb_tensor(image).to(torch::kFloat64).permute({0, 2, 3, 1}).reshape({-1, 3});
    const torch::Tensor iq = torch::tensor({0.596, -0.274, -0.322, 0.211, -0.523, 0.312}, torch::kFloat64).view({2, 3});
    return rgb.mm(iq.t());
}

// A picture whose right half is transparent, with `hidden` (a pattern variant) under the transparency.
ns::RgbaImage half_transparent(int width, int height, int variant, int hidden) {
    ns::RgbaImage image = pattern_image(width, height, variant);
    const ns::RgbaImage under = pattern_image(width, height, hidden);
    for (int y = 0; y < height; ++y)
        for (int x = width / 2; x < width; ++x) {
            const size_t i = (static_cast<size_t>(y) * width + x) * 4;
            for (int c = 0; c < 3; ++c)
                image.pixels[i + c] = under.pixels[i + c];
            image.pixels[i + 3] = 0;
        }
    return image;
}

class ArtistControls : public StylizeTest {
protected:
    // The default preset's method at one small scale, on the CPU (exact comparisons).
    static ns::StyleOptions options(int steps = 5) {
        ns::StyleOptions o = ns::default_preset();
        o.steps = steps;
        o.max_size = 48;
        o.min_scale_size = 48;
        o.device = ns::DeviceChoice::cpu;
        return o;
    }

    static ns::RgbaImage paint(const ns::RgbaImage &content, const std::vector<ns::RgbaImage> &styles,
                               const ns::StyleOptions &o, const ns::GreyImage &mask = {}) {
        return ns::stylize(content, styles, *weights_, o, {}, mask);
    }
};

TEST(Colors, MatchedColorsHaveTheTargetsMeanAndCovariance) {
    const torch::Tensor source = ns::rgb_tensor(pattern_image(40, 30, 2));
    const torch::Tensor target = ns::rgb_tensor(pattern_image(50, 20, 6)) * 0.5 + 0.2;
    const auto [mean, covariance] = colour_statistics(ns::matched_colors(source, {}, target, {}));
    const auto [target_mean, target_covariance] = colour_statistics(target);
    EXPECT_LE((mean - target_mean).abs().max().item<double>(), 1e-5);
    EXPECT_LE((covariance - target_covariance).abs().max().item<double>(), 1e-5);
    const auto [source_mean, source_covariance] = colour_statistics(source);
    EXPECT_GT((source_covariance - target_covariance).abs().max().item<double>(), 1e-3); // it had to move
}

TEST(Colors, WeightsLeaveHiddenPixelsOutOfTheStatistics) {
    // The right half of the source is weightless: matching with it equals matching the left half alone.
    const torch::Tensor source = ns::rgb_tensor(half_transparent(40, 30, 2, 9));
    const torch::Tensor weight = ns::alpha_tensor(half_transparent(40, 30, 2, 9));
    ASSERT_TRUE(weight.defined());
    const torch::Tensor target = ns::rgb_tensor(pattern_image(50, 20, 6));
    const torch::Tensor whole = ns::matched_colors(source, weight, target, {});
    const torch::Tensor left = ns::matched_colors(source.slice(3, 0, 20).contiguous(), {}, target, {});
    EXPECT_LE((whole.slice(3, 0, 20) - left).abs().max().item<double>(), 1e-5);
}

TEST(Colors, ChromaIsKeptExactlyEvenWhereTheLuminanceWouldClip) {
    const torch::Tensor content = ns::rgb_tensor(pattern_image(30, 20, 1));
    const torch::Tensor bright = torch::ones({1, 3, 20, 30}); // would push every channel out of range
    const torch::Tensor result = ns::with_chroma_of(bright, content);
    EXPECT_GE(result.min().item<double>(), -1e-6);
    EXPECT_LE(result.max().item<double>(), 1 + 1e-6);
    const torch::Tensor iq = torch::tensor({0.596, -0.274, -0.322, 0.211, -0.523, 0.312}).view({2, 3});
    const auto chroma_of = [&](const torch::Tensor &rgb) {
        return rgb.permute({0, 2, 3, 1}).reshape({-1, 3}).mm(iq.t());
    };
    EXPECT_LE((chroma_of(result) - chroma_of(content)).abs().max().item<double>(), 1e-5);
}

TEST_F(ArtistControls, LuminanceModeKeepsTheContentsChroma) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    ns::StyleOptions o = options();
    o.colors = ns::ColorMode::luminance;
    const ns::RgbaImage result = paint(content, {style}, o);
    EXPECT_LE((chroma(result) - chroma(content)).abs().max().item<double>(), 1.0 / 255);
    EXPECT_GT(max_difference(result, content), 0.05); // and the luminance was painted
}

TEST_F(ArtistControls, HistogramModeDiffersFromTheStylesColours) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    ns::StyleOptions o = options();
    const ns::RgbaImage styled = paint(content, {style}, o);
    o.colors = ns::ColorMode::histogram;
    EXPECT_GT(max_difference(paint(content, {style}, o), styled), 0.01);
}

TEST_F(ArtistControls, AFullyTransparentContentIsPaintedInEveryColourMode) {
    ns::RgbaImage content = pattern_image(48, 40, 0);
    for (size_t i = 3; i < content.pixels.size(); i += 4)
        content.pixels[i] = 0;
    for (ns::ColorMode mode : {ns::ColorMode::style, ns::ColorMode::luminance, ns::ColorMode::histogram}) {
        ns::StyleOptions o = options(2);
        o.colors = mode;
        const ns::RgbaImage result = paint(content, {pattern_image(40, 40, 4)}, o);
        ASSERT_EQ(result.pixels.size(), content.pixels.size());
        for (size_t i = 0; i < result.pixels.size(); ++i)
            ASSERT_TRUE(i % 4 == 3 ? result.pixels[i] == 0 : std::isfinite(result.pixels[i]))
                << "mode " << static_cast<int>(mode) << ", value " << i;
    }
}

TEST_F(ArtistControls, TwoIdenticalStylesBlendedAreOneStyle) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    const ns::RgbaImage one = paint(content, {style}, options());
    ns::StyleOptions o = options();
    o.style_shares = {1, 3};
    // Blending two identical Gram targets gives the one target up to float rounding (a quarter of G plus three
    // quarters of G is G to an ulp), which the optimizer's steps amplify: with OpenBLAS on one thread the results
    // differ by 8.4e-4 (LibTorch 1.13), a fifth of an 8-bit level. A different second style moves it far more.
    const double same = max_difference(paint(content, {style, style}, o), one);
    const double other = max_difference(paint(content, {style, pattern_image(40, 40, 7)}, o), one);
    EXPECT_LT(same, 0.5 / 255);
    EXPECT_GT(other, 0.05) << "(measured 0.2)";
}

TEST_F(ArtistControls, ABlackMaskIsContentOnlyAndKeepsTheContent) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    const ns::RgbaImage masked = paint(content, {style}, options(), ns::GreyImage(48, 40, 0));
    ns::StyleOptions content_only = options();
    content_only.style_weight = 0;
    EXPECT_LE(max_difference(masked, paint(content, {style}, content_only)), 1e-6);
    EXPECT_LE(max_difference(masked, content), 1e-6);
}

TEST_F(ArtistControls, AWhiteMaskIsNoMask) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    const ns::RgbaImage white = paint(content, {style}, options(), ns::GreyImage(7, 5, 1));
    EXPECT_EQ(max_difference(white, paint(content, {style}, options())), 0);
}

TEST_F(ArtistControls, OutsideTheMaskTheContentIsKept) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    ns::GreyImage mask(48, 40, 0);
    for (int y = 0; y < 40; ++y)
        for (int x = 24; x < 48; ++x)
            mask.values[static_cast<size_t>(y) * 48 + x] = 1;
    const ns::RgbaImage result = paint(content, {style}, options(), mask);
    double inside = 0, outside = 0;
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 48; ++x)
            for (int c = 0; c < 3; ++c) {
                const size_t i = (static_cast<size_t>(y) * 48 + x) * 4 + c;
                const double d = std::abs(result.pixels[i] - content.pixels[i]);
                (x < 24 ? outside : inside) = std::max(x < 24 ? outside : inside, d);
            }
    EXPECT_EQ(outside, 0);
    EXPECT_GT(inside, 0.05);
}

TEST_F(ArtistControls, WhatHidesUnderTheStylesTransparencyChangesNothing) {
    const ns::RgbaImage content = pattern_image(48, 40, 0);
    const ns::RgbaImage a = paint(content, {half_transparent(40, 40, 4, 1)}, options());
    const ns::RgbaImage b = paint(content, {half_transparent(40, 40, 4, 8)}, options());
    EXPECT_EQ(max_difference(a, b), 0);
    EXPECT_GT(max_difference(a, content), 0.05);
}

TEST_F(ArtistControls, WhatHidesUnderTheContentsTransparencyPullsNothing) {
    const ns::RgbaImage style = pattern_image(40, 40, 4);
    const ns::RgbaImage a = paint(half_transparent(48, 40, 0, 1), {style}, options());
    const ns::RgbaImage b = paint(half_transparent(48, 40, 0, 8), {style}, options());
    EXPECT_EQ(max_difference(a, b), 0);
}

TEST_F(ArtistControls, ThePictureShownWhileItPaintsIsWhatAStopKeeps) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    ns::GreyImage mask(48, 40, 0.5f);
    ns::StyleOptions o = options(6);
    o.colors = ns::ColorMode::luminance;
    ns::RgbaImage first, shown, small;
    const ns::RgbaImage kept = ns::stylize(
        content, {style}, *weights_, o,
        [&](const ns::StepReport &report) {
            if (report.step == 1)
                first = report.picture(100);
            if (report.step == 4) {
                shown = report.picture(100);
                small = report.picture(24);
                return false;
            }
            return true;
        },
        mask);
    ASSERT_EQ(shown.width, 48);
    EXPECT_LE(max_difference(shown, kept), 1e-6); // finished alike: luminance and mask
    EXPECT_GT(max_difference(first, kept), 1e-3);  // and it changed while it painted
    EXPECT_EQ(small.width, 24);
    EXPECT_EQ(small.height, 20);
}

TEST_F(ArtistControls, RefusesWhatCannotBePainted) {
    const ns::RgbaImage content = pattern_image(48, 40, 0), style = pattern_image(40, 40, 4);
    ns::RgbaImage clear = style;
    for (size_t i = 3; i < clear.pixels.size(); i += 4)
        clear.pixels[i] = 0;
    const auto message = [&](const std::vector<ns::RgbaImage> &styles, const ns::StyleOptions &o,
                             const ns::GreyImage &mask = {}) {
        try {
            paint(content, styles, o, mask);
        } catch (const ns::StyleError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({clear}, options()), "the style image is fully transparent");
    EXPECT_EQ(message({style, clear}, options()), "style image 2 is fully transparent");
    ns::StyleOptions shares = options();
    shares.style_shares = {1, 2};
    EXPECT_EQ(message({style}, shares), "style-blend has 2 shares for 1 style images");
    EXPECT_NE(message({}, options()).find("style images"), std::string::npos);
    ns::GreyImage bad(4, 4, 0.5f);
    bad.values[3] = 2;
    EXPECT_EQ(message({style}, options(), bad), "mask: values must be from 0 to 1");
    bad.values.pop_back();
    EXPECT_NE(message({style}, options(), bad).find("mask: values do not match its size"), std::string::npos);
}

} // namespace
