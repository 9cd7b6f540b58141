// SPDX-License-Identifier: GPL-3.0-or-later
// The loss of one scale and its gradient: VGG19 features of the candidate against the content's and the style's,
// evaluated on the whole image at once, or tile by tile with the same result when that would not fit in memory.
#pragma once

#include "options.h"
#include "tiles.h"
#include "vgg19.h"

#include <torch/types.h>

#include <functional>
#include <vector>

namespace neural_style {

// Scalars on the computing device, without autograd history.
struct Losses {
    torch::Tensor total, content, style, tv;
};

// One style picture at a scale: ImageNet-normalised [1, 3, h, w] on the computing device, where it counts
// ([1, 1, h, w] in [0, 1], e.g. its alpha; undefined: everywhere) and its share of the blend (the shares sum to 1).
struct ScaleStyle {
    torch::Tensor image;
    torch::Tensor weight;
    double share = 1;
};

// Called between tiles with the tile evaluations done, their count, and the share of the evaluation's work done
// (tiled_evaluation_work(): each tile weighed by its padded pixels, a Gram pass's by kGramPassCost of them, the
// kept tile's backward by the rest); returning false abandons it.
using TileCallback = std::function<bool(int done, int count, double share)>;

class ScaleLoss {
public:
    // `content` is an ImageNet-normalised [1, 3, H, W] image on the computing device, the candidate's size;
    // `guide` ([1, 1, H, W] in [0, 1], undefined: everywhere) says where on it the style goes: the candidate's Gram
    // matrices sum over positions weighted by it and are brought back to the whole map's count, so a white guide
    // is no guide, and where it is black no style loss pulls. The target Gram matrices are the styles' blended by
    // their shares; each style may have a size of its own. Tiles are used when `max_tile_side` is smaller than the
    // content's longest side (0: never); the styles' Gram matrices are gathered tile-wise alike, and
    // `between_setup_tiles` is called after each of these tiles (stylize() keeps the heap within the plan there).
    ScaleLoss(const Vgg19Features &vgg, const StyleOptions &options, const torch::Tensor &content,
              const torch::Tensor &guide, const std::vector<ScaleStyle> &styles, int max_tile_side,
              const std::function<void()> &between_setup_tiles = {});

    // The losses at `candidate` and their gradient with respect to it (same shape; a `gradient` of that shape may
    // be written over in place). False when `between_tiles` asked to stop: `losses` and `gradient` are then unset.
    bool evaluate(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                  const TileCallback &between_tiles = {}) const;

    int tile_count() const { return static_cast<int>(tiles_.size()); }

private:
    bool evaluate_whole(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient) const;
    bool evaluate_tiled(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                        const TileCallback &between_tiles) const;
    // The interior features of `tile` at `positions_`, from the image cut to the tile's padded rectangle.
    std::vector<torch::Tensor> tile_features(const torch::Tensor &padded, const Tile &tile) const;
    // The Gram matrix of each style layer over the whole image, its features weighted by `weights` (one feature
    // map per style layer, or none), added up tile by tile; false when `after_tile` asked to stop.
    bool tiled_grams(const torch::Tensor &image, const std::vector<Tile> &tiles,
                     const std::vector<torch::Tensor> &weights, std::vector<torch::Tensor> &grams,
                     const std::function<bool(const Tile &)> &after_tile = {}) const;
    // The Gram matrix of each style layer of one tile's `features`, weighted as in tiled_grams().
    std::vector<torch::Tensor> tile_grams(const std::vector<torch::Tensor> &features,
                                          const std::vector<torch::Tensor> &weights, const Tile &tile) const;
    // `features` of style layer `i` on `tile` weighted by that layer's map in `weights` (one per style layer, or none:
    // then `features` as they are).
    torch::Tensor guided(const torch::Tensor &features, const std::vector<torch::Tensor> &weights, size_t i,
                         const Tile &tile) const;
    // The blend of the styles' Gram matrices, each brought to the candidate's number of positions.
    void blend_style_grams(const std::vector<ScaleStyle> &styles, const std::function<void()> &between_tiles);
    // The tiles of `image` at this loss's tile size (one tile when untiled).
    std::vector<Tile> tiles_of(const torch::Tensor &image) const;
    torch::Tensor tv_term(const torch::Tensor &candidate) const;

    const Vgg19Features &vgg_;
    const StyleOptions &options_;
    int max_tile_side_;
    std::vector<int> style_positions_;
    std::vector<double> style_layer_weight_;
    std::vector<torch::Tensor> guides_;          // the guide on each style layer's feature map; empty: no guide
    std::vector<double> guide_scale_;            // the map's positions over the sum of the squared guide (1: none)
    std::vector<int> positions_; // the style layers', then the content layer's
    std::vector<Tile> tiles_;    // of the content, which is the candidate's size
    std::vector<torch::Tensor> content_targets_; // the content layer's features, one per tile
    std::vector<torch::Tensor> style_grams_;     // scaled to the candidate's number of positions
    std::vector<double> style_volume_;           // d·h·w of each style layer's feature map for the candidate
    double content_count_ = 0;                   // elements of the candidate's content-layer feature map
};

} // namespace neural_style
