// SPDX-License-Identifier: GPL-3.0-or-later
#include "tiles.h"

#include <algorithm>

namespace neural_style {

namespace {

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

// Splits [0, length) into spans no longer than `max_span`, all but the last a multiple of kTileAlign.
std::vector<std::pair<int, int>> spans(int length, int max_span) {
    const int count = (length + max_span - 1) / max_span;
    const int span = std::min(max_span, round_up((length + count - 1) / count, kTileAlign));
    std::vector<std::pair<int, int>> result;
    for (int begin = 0; begin < length; begin += span)
        result.emplace_back(begin, std::min(length, begin + span));
    return result;
}

} // namespace

std::vector<Tile> tile_layout(Size image, int max_side) {
    const int side = std::max(kTileAlign, max_side / kTileAlign * kTileAlign);
    std::vector<Tile> tiles;
    for (const auto &[y0, y1] : spans(image.height, side))
        for (const auto &[x0, x1] : spans(image.width, side)) {
            Tile tile;
            tile.interior = {x0, y0, x1 - x0, y1 - y0};
            const int px0 = std::max(0, x0 - kTileHalo), py0 = std::max(0, y0 - kTileHalo);
            const int px1 = std::min(image.width, x1 + kTileHalo), py1 = std::min(image.height, y1 + kTileHalo);
            tile.padded = {px0, py0, px1 - px0, py1 - py0};
            tiles.push_back(tile);
        }
    return tiles;
}

double padded_pixels(const std::vector<Tile> &tiles) {
    double pixels = 0;
    for (const Tile &tile : tiles)
        pixels += static_cast<double>(tile.padded.area());
    return pixels;
}

size_t largest_tile(const std::vector<Tile> &tiles) {
    const auto largest = std::max_element(tiles.begin(), tiles.end(), [](const Tile &a, const Tile &b) {
        return a.padded.area() < b.padded.area();
    });
    return static_cast<size_t>(largest - tiles.begin());
}

double tiled_evaluation_work(const std::vector<Tile> &tiles, bool gram_pass) {
    const double pixels = padded_pixels(tiles);
    if (!gram_pass)
        return pixels;
    return pixels + kGramPassCost * (pixels - static_cast<double>(tiles[largest_tile(tiles)].padded.area()));
}

FeatureSpan interior_features(int interior_begin, int interior_end, int padded_begin, int stride) {
    // Begins are multiples of kTileAlign, so of every stride; each pool floors, so the whole image's feature map
    // ends at floor(end / stride), and an interior ending inside the image ends on a multiple of kTileAlign.
    const int offset = padded_begin / stride;
    return {interior_begin / stride - offset, interior_end / stride - offset};
}

} // namespace neural_style
