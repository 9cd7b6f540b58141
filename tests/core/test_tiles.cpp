// SPDX-License-Identifier: GPL-3.0-or-later
// tiles.h and scale_loss.h: the tile layout, and the tiled loss and gradient against the untiled ones for every
// loss term, from the content and from noise.
#include "image.h"
#include "options.h"
#include "scale_loss.h"
#include "tiles.h"
#include "vgg19.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace ns = neural_style;

namespace {

TEST(TileLayout, InteriorsCoverTheImageOnceOnTheAlignmentGrid) {
    const ns::Size image{1000, 700};
    const std::vector<ns::Tile> tiles = ns::tile_layout(image, 300);
    std::vector<int> covered(static_cast<size_t>(image.width) * image.height, 0);
    for (const ns::Tile &tile : tiles) {
        const ns::Rect &in = tile.interior, &pad = tile.padded;
        EXPECT_LE(in.width, 288);
        EXPECT_LE(in.height, 288);
        EXPECT_EQ(in.x % ns::kTileAlign, 0);
        EXPECT_EQ(in.y % ns::kTileAlign, 0);
        EXPECT_EQ(pad.x % ns::kTileAlign, 0);
        EXPECT_EQ(pad.y % ns::kTileAlign, 0);
        // The halo is whole where the image goes on, and stops at the image's border.
        EXPECT_EQ(pad.x, std::max(0, in.x - ns::kTileHalo));
        EXPECT_EQ(pad.y, std::max(0, in.y - ns::kTileHalo));
        EXPECT_EQ(pad.x + pad.width, std::min(image.width, in.x + in.width + ns::kTileHalo));
        EXPECT_EQ(pad.y + pad.height, std::min(image.height, in.y + in.height + ns::kTileHalo));
        for (int y = in.y; y < in.y + in.height; ++y)
            for (int x = in.x; x < in.x + in.width; ++x)
                ++covered[static_cast<size_t>(y) * image.width + x];
    }
    EXPECT_EQ(tiles.size(), 4u * 3u);
    EXPECT_TRUE(std::all_of(covered.begin(), covered.end(), [](int n) { return n == 1; }));
}

TEST(TileLayout, OneTileWhenTheImageFits) {
    const std::vector<ns::Tile> tiles = ns::tile_layout({200, 120}, 256);
    ASSERT_EQ(tiles.size(), 1u);
    EXPECT_EQ(tiles[0].interior.width, 200);
    EXPECT_EQ(tiles[0].padded.height, 120);
}

TEST(TileLayout, TheLargestTileTakesOneForwardFewer) {
    // 288x224 in 96 px tiles: 3 x 3, the middle one has halos on all four sides.
    const std::vector<ns::Tile> tiles = ns::tile_layout({288, 224}, 96);
    ASSERT_EQ(tiles.size(), 9u);
    EXPECT_EQ(ns::largest_tile(tiles), 4u);
    const double pixels = ns::padded_pixels(tiles), largest = static_cast<double>(tiles[4].padded.area());
    EXPECT_DOUBLE_EQ(ns::tiled_evaluation_work(tiles, false), pixels);
    EXPECT_DOUBLE_EQ(ns::tiled_evaluation_work(tiles, true), pixels + ns::kGramPassCost * (pixels - largest));
    // One tile: its forward serves both passes, so a Gram pass adds nothing.
    const std::vector<ns::Tile> one = ns::tile_layout({200, 120}, 256);
    EXPECT_DOUBLE_EQ(ns::tiled_evaluation_work(one, true), 200.0 * 120);
}

TEST(TileLayout, HaloCoversConv5ReceptiveField) {
    // 156 px at conv5_1 (VGG19), half to each side, on the alignment grid.
    EXPECT_GE(ns::kTileHalo, 78);
    EXPECT_EQ(ns::kTileHalo % ns::kTileAlign, 0);
    EXPECT_EQ(ns::vgg19_stride(ns::vgg19_conv_position("conv5_1")), 16);
    EXPECT_EQ(ns::vgg19_stride(ns::vgg19_conv_position("conv4_2")), 8);
    EXPECT_EQ(ns::vgg19_stride(ns::vgg19_conv_position("conv1_1")), 1);
}

class TiledLoss : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        weights_ = new ns::Vgg19Weights(test_support::weights_from(test_support::random_vgg19_tensors(11)));
        vgg_ = new ns::Vgg19Features(*weights_, torch::kCPU);
    }
    static void TearDownTestSuite() {
        delete vgg_;
        delete weights_;
    }

    static torch::Tensor normalized(int width, int height, int variant) {
        return ns::imagenet_normalize(ns::rgb_tensor(test_support::pattern_image(width, height, variant)));
    }

    struct Evaluation {
        ns::Losses losses;
        torch::Tensor gradient;
        int tiles;
    };

    static Evaluation evaluate(const ns::StyleOptions &options, const torch::Tensor &content,
                               const torch::Tensor &style, const torch::Tensor &candidate, int tile_side,
                               const torch::Tensor &guide = {}, const torch::Tensor &style_weight = {}) {
        const ns::ScaleLoss loss(*vgg_, options, content, guide, {{style, style_weight, 1.0}}, tile_side);
        Evaluation e;
        e.tiles = loss.tile_count();
        EXPECT_TRUE(loss.evaluate(candidate, e.losses, e.gradient));
        return e;
    }

    static double relative(const torch::Tensor &a, const torch::Tensor &b) {
        const double scale = std::max(b.abs().max().item<double>(), 1e-30);
        return (a - b).abs().max().item<double>() / scale;
    }

    // The tiled evaluation against the untiled one: each loss term and the gradient within 1e-4.
    static void expect_same(const ns::StyleOptions &options, const torch::Tensor &candidate,
                            const torch::Tensor &guide = {}, const torch::Tensor &style_weight = {}) {
        const torch::Tensor content = normalized(288, 224, 0);
        const torch::Tensor style = normalized(176, 208, 3); // a size and shape of its own
        const Evaluation whole = evaluate(options, content, style, candidate, 0, guide, style_weight);
        const Evaluation tiled = evaluate(options, content, style, candidate, 96, guide, style_weight);
        ASSERT_EQ(whole.tiles, 1);
        ASSERT_EQ(tiled.tiles, 3 * 3);
        EXPECT_LE(relative(tiled.losses.content, whole.losses.content), 1e-4);
        EXPECT_LE(relative(tiled.losses.style, whole.losses.style), 1e-4);
        EXPECT_LE(relative(tiled.losses.tv, whole.losses.tv), 1e-4);
        EXPECT_LE(relative(tiled.losses.total, whole.losses.total), 1e-4);
        EXPECT_LE(relative(tiled.gradient, whole.gradient), 1e-4);
        EXPECT_GT(whole.gradient.abs().max().item<double>(), 0);
    }

    static ns::StyleOptions options_with_every_term() {
        ns::StyleOptions options = ns::default_preset();
        options.tv_weight = 10;
        return options;
    }

    static ns::Vgg19Weights *weights_;
    static ns::Vgg19Features *vgg_;
};
ns::Vgg19Weights *TiledLoss::weights_ = nullptr;
ns::Vgg19Features *TiledLoss::vgg_ = nullptr;

TEST_F(TiledLoss, EqualsUntiledFromAStylizedStart) {
    // Not the content itself, where the content loss and its gradient vanish.
    expect_same(options_with_every_term(), normalized(288, 224, 0) * 0.8 + normalized(288, 224, 5) * 0.2);
}

TEST_F(TiledLoss, EqualsUntiledFromNoise) {
    torch::manual_seed(3);
    expect_same(options_with_every_term(), ns::imagenet_normalize(torch::rand({1, 3, 224, 288})));
}

TEST_F(TiledLoss, EqualsUntiledForEachTermAlone) {
    const torch::Tensor candidate = normalized(288, 224, 7);
    ns::StyleOptions content_only = options_with_every_term();
    content_only.style_weight = 0;
    content_only.tv_weight = 0;
    expect_same(content_only, candidate);
    ns::StyleOptions deepest_style_only = options_with_every_term();
    deepest_style_only.content_weight = 0;
    deepest_style_only.tv_weight = 0;
    deepest_style_only.style_layer_weights = {0, 0, 0, 0, 1};
    expect_same(deepest_style_only, candidate);
    ns::StyleOptions shallowest_style_only = deepest_style_only;
    shallowest_style_only.style_layer_weights = {1, 0, 0, 0, 0};
    expect_same(shallowest_style_only, candidate);
}

TEST_F(TiledLoss, EqualsUntiledWithASoftGuideAndATransparentStyle) {
    // A soft-edged disc where the style goes, and a style whose left third is transparent: the guided Gram matrices
    // are weighted per feature position, which the tiles must cut exactly where the whole image does.
    const torch::Tensor y = torch::arange(224, torch::kFloat32).view({1, 1, 224, 1});
    const torch::Tensor x = torch::arange(288, torch::kFloat32).view({1, 1, 1, 288});
    const torch::Tensor distance = ((x - 150).pow(2) + (y - 100).pow(2)).sqrt();
    const torch::Tensor guide = (1 - (distance - 80) / 40).clamp(0, 1);
    torch::Tensor style_alpha = torch::ones({1, 1, 208, 176});
    style_alpha.slice(3, 0, 60).zero_();
    expect_same(options_with_every_term(), normalized(288, 224, 7), guide, style_alpha);
}

TEST_F(TiledLoss, AWhiteGuideIsNoGuide) {
    const torch::Tensor content = normalized(288, 224, 0), style = normalized(176, 208, 3);
    const torch::Tensor candidate = normalized(288, 224, 7);
    const Evaluation plain = evaluate(options_with_every_term(), content, style, candidate, 0);
    const Evaluation white = evaluate(options_with_every_term(), content, style, candidate, 0,
                                      torch::ones({1, 1, 224, 288}), torch::ones({1, 1, 208, 176}));
    EXPECT_TRUE(torch::equal(plain.losses.total, white.losses.total));
    EXPECT_TRUE(torch::equal(plain.gradient, white.gradient));
}

TEST_F(TiledLoss, TwoEqualStylesBlendedAreOneStyle) {
    const torch::Tensor content = normalized(288, 224, 0), style = normalized(176, 208, 3);
    const torch::Tensor candidate = normalized(288, 224, 7);
    const ns::StyleOptions options = options_with_every_term();
    const ns::ScaleLoss one(*vgg_, options, content, {}, {{style, {}, 1.0}}, 0);
    const ns::ScaleLoss two(*vgg_, options, content, {}, {{style, {}, 0.3}, {style, {}, 0.7}}, 0);
    Evaluation a, b;
    ASSERT_TRUE(one.evaluate(candidate, a.losses, a.gradient));
    ASSERT_TRUE(two.evaluate(candidate, b.losses, b.gradient));
    EXPECT_LE(relative(b.losses.style, a.losses.style), 1e-5);
    EXPECT_LE(relative(b.gradient, a.gradient), 1e-5);
    // And two different styles are not: the blend is a real mix.
    const ns::ScaleLoss other(*vgg_, options, content, {}, {{style, {}, 0.5}, {normalized(176, 208, 4), {}, 0.5}}, 0);
    Evaluation c;
    ASSERT_TRUE(other.evaluate(candidate, c.losses, c.gradient));
    EXPECT_GT(relative(c.losses.style, a.losses.style), 1e-3);
}

TEST_F(TiledLoss, TheSetupCallsBackAfterEachOfItsTiles) {
    // The content's targets over its nine tiles, then each style's Gram matrices over its own: 200x200 in 96 px
    // tiles is nine more, 80x80 fits in one.
    int calls = 0;
    const ns::ScaleLoss loss(*vgg_, ns::default_preset(), normalized(288, 224, 0), {},
                             {{normalized(200, 200, 1), {}, 0.5}, {normalized(80, 80, 2), {}, 0.5}}, 96,
                             [&] { ++calls; });
    EXPECT_EQ(ns::tile_layout({200, 200}, 96).size(), 9u);
    EXPECT_EQ(calls, 9 + 9 + 1);
    EXPECT_EQ(loss.tile_count(), 9);
}

TEST_F(TiledLoss, StopsBetweenTiles) {
    const torch::Tensor content = normalized(288, 224, 0);
    const ns::ScaleLoss loss(*vgg_, ns::default_preset(), content, {}, {{normalized(200, 200, 1), {}, 1.0}}, 96);
    std::vector<std::pair<int, int>> calls;
    double last_share = 0;
    ns::Losses losses;
    torch::Tensor gradient;
    EXPECT_FALSE(loss.evaluate(content, losses, gradient, [&](int done, int count, double share) {
        calls.emplace_back(done, count);
        EXPECT_GT(share, last_share);
        last_share = share;
        return done < 3;
    }));
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls.back(), std::make_pair(3, 2 * 9)); // two passes over nine tiles
    // The Gram pass begins with the top row (the largest tile, in the middle, comes last), at its padded pixels.
    const std::vector<ns::Tile> tiles = ns::tile_layout({288, 224}, 96);
    double top_row = 0;
    for (size_t t = 0; t < 3; ++t)
        top_row += static_cast<double>(tiles[t].padded.area());
    EXPECT_NEAR(last_share, ns::kGramPassCost * top_row / ns::tiled_evaluation_work(tiles, true), 1e-12);
}

} // namespace
