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

// Called between tiles with the tiles done and their count; returning false abandons the evaluation.
using TileCallback = std::function<bool(int done, int count)>;

class ScaleLoss {
public:
    // `content` and `style` are ImageNet-normalised [1, 3, H, W] images on the computing device; the style may
    // have a size of its own. Tiles are used when `max_tile_side` is smaller than the content's longest side
    // (0: never); the style's Gram matrices are gathered tile-wise alike.
    ScaleLoss(const Vgg19Features &vgg, const StyleOptions &options, const torch::Tensor &content,
              const torch::Tensor &style, int max_tile_side);

    // The losses at `candidate` and their gradient with respect to it (same shape). False when `between_tiles`
    // asked to stop: `losses` and `gradient` are then unset.
    bool evaluate(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                  const TileCallback &between_tiles = {}) const;

    int tile_count() const { return static_cast<int>(tiles_.size()); }

private:
    bool evaluate_whole(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient) const;
    bool evaluate_tiled(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                        const TileCallback &between_tiles) const;
    // The interior features of `tile` at `positions_`, from the image cut to the tile's padded rectangle.
    std::vector<torch::Tensor> tile_features(const torch::Tensor &padded, const Tile &tile) const;
    // The Gram matrix of each style layer over the whole image, added up tile by tile; false when `after_tile`
    // asked to stop.
    bool tiled_grams(const torch::Tensor &image, const std::vector<Tile> &tiles, std::vector<torch::Tensor> &grams,
                     const std::function<bool()> &after_tile = {}) const;
    // The tiles of `image` at this loss's tile size (one tile when untiled).
    std::vector<Tile> tiles_of(const torch::Tensor &image) const;
    torch::Tensor tv_term(const torch::Tensor &candidate) const;

    const Vgg19Features &vgg_;
    const StyleOptions &options_;
    int max_tile_side_;
    std::vector<int> style_positions_;
    std::vector<double> style_layer_weight_;
    std::vector<int> positions_; // the style layers', then the content layer's
    std::vector<Tile> tiles_;    // of the content, which is the candidate's size
    std::vector<torch::Tensor> content_targets_; // the content layer's features, one per tile
    std::vector<torch::Tensor> style_grams_;     // scaled to the candidate's number of positions
    std::vector<double> style_volume_;           // d·h·w of each style layer's feature map for the candidate
    double content_count_ = 0;                   // elements of the candidate's content-layer feature map
};

} // namespace neural_style
