// SPDX-License-Identifier: GPL-3.0-or-later
// Cutting an image into tiles whose VGG19 features, once the halo is cropped away, are exactly the untiled ones.
#pragma once

#include "rgba_image.h"

#include <vector>

namespace neural_style {

// Tiles start on multiples of this, so that the four 2x2 max pools see the same windows as in the whole image.
constexpr int kTileAlign = 16;

// Each tile reads this many pixels beyond its interior (less at the image's own border). A zero-padded edge spoils
// one feature per 3x3 conv and half of that (rounded up) per pool: 1, 2 | 1, 2, 3 | 2, 3, 4, 5, 6 | 3 ... 7 | 4, 5
// features from conv1_1 to conv5_1, and 5 features of conv5_1 are 80 pixels (VGG19's receptive field there is 156
// pixels, 78 to each side, rounded up to kTileAlign).
constexpr int kTileHalo = 80;

// A tiled step runs each tile twice: a Gram pass (forward alone) and a forward and backward pass. The Gram pass costs
// this share of the second: a backward that computes no weight gradients (the network's weights are constants)
// costs about what its forward does. On an idle AMD EPYC, the tiled steps of neural-style-benchmark --large took
// 1.62x (2560x1600, 6 tiles) and 1.54x (4096x4096, 49 tiles) the untiled step's time per pixel of their padded tiles
// (2026-12-01); a third, as counted before, gave 1.33. The Gram pass keeps the graph of its last tile, the largest,
// so that tile's second pass is its backward alone (tiled_evaluation_work()).
constexpr double kGramPassCost = 0.5;

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    long long area() const { return static_cast<long long>(width) * height; }
};

struct Tile {
    Rect interior; // the pixels whose features this tile contributes; the interiors cover the image once
    Rect padded;   // the interior and its halo, clipped to the image: what the network is run on
};

// Interiors no larger than `max_side` (rounded down to kTileAlign, at least kTileAlign) on either side, spread
// evenly over the image; one tile covering everything when it fits.
std::vector<Tile> tile_layout(Size image, int max_side);

// The pixels the network runs over for `tiles`: their padded rectangles, halos counted as often as they are read.
double padded_pixels(const std::vector<Tile> &tiles);

// The largest of `tiles` by padded pixels (the first of equals): the one whose Gram pass keeps its graph.
size_t largest_tile(const std::vector<Tile> &tiles);

// One tiled evaluation's work in pixels of a forward and backward pass: each tile's padded pixels, and with a Gram
// pass kGramPassCost more of them for every tile but the largest, whose forward serves both passes.
double tiled_evaluation_work(const std::vector<Tile> &tiles, bool gram_pass);

// The features of `tile`'s interior inside the padded tile's feature map of a layer with the given stride, as
// [begin, end) along one axis: the halo's features are cropped away before any loss.
struct FeatureSpan {
    int begin, end;
};
FeatureSpan interior_features(int interior_begin, int interior_end, int padded_begin, int stride);

} // namespace neural_style
