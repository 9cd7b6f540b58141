// SPDX-License-Identifier: GPL-3.0-or-later
#include "scale_loss.h"

#include "losses.h"

#include <torch/autograd.h>

#include <algorithm>

namespace neural_style {

namespace {

torch::Tensor crop(const torch::Tensor &image, const Rect &rect) {
    return image.slice(2, rect.y, rect.y + rect.height).slice(3, rect.x, rect.x + rect.width);
}

// d·h·w of the feature map a conv at `position` gives for an image of `height` x `width`: each pool floors.
double feature_volume(int position, int64_t height, int64_t width) {
    const int stride = vgg19_stride(position);
    return static_cast<double>(vgg19_convs()[position].out_channels) * (height / stride) * (width / stride);
}

torch::Tensor gradient_of(const torch::Tensor &value, const torch::Tensor &input) {
    return torch::autograd::grad({value}, {input})[0];
}

} // namespace

ScaleLoss::ScaleLoss(const Vgg19Features &vgg, const StyleOptions &options, const torch::Tensor &content,
                     const torch::Tensor &style, int max_tile_side)
    : vgg_(vgg), options_(options), max_tile_side_(max_tile_side) {
    for (int i = 0; i < kStyleLayerCount; ++i)
        if (options.style_layer_weights[i] > 0 && options.style_weight > 0) {
            style_positions_.push_back(vgg19_conv_position(kStyleLayerNames[i]));
            style_layer_weight_.push_back(options.style_layer_weights[i]);
        }
    positions_ = style_positions_;
    positions_.push_back(vgg19_conv_position(kContentLayerName));

    const int64_t height = content.size(2), width = content.size(3);
    tiles_ = tiles_of(content);
    content_count_ = feature_volume(positions_.back(), height, width);
    for (int position : style_positions_)
        style_volume_.push_back(feature_volume(position, height, width));

    // Targets never take part in backward; NoGradGuard rather than InferenceMode keeps them usable in it.
    torch::NoGradGuard no_grad;
    for (const Tile &tile : tiles_)
        content_targets_.push_back(tile_features(crop(content, tile.padded), tile).back().contiguous());
    if (style_positions_.empty())
        return;
    tiled_grams(style, tiles_of(style), style_grams_);
    // Gram matrices are sums over positions: a style of another size is brought to the candidate's count, so
    // that the seed's loss (which stretches the style to the content's shape) keeps its scale.
    for (size_t i = 0; i < style_positions_.size(); ++i) {
        const double style_volume = feature_volume(style_positions_[i], style.size(2), style.size(3));
        if (style_volume != style_volume_[i])
            style_grams_[i] = style_grams_[i] * (style_volume_[i] / style_volume);
    }
}

std::vector<Tile> ScaleLoss::tiles_of(const torch::Tensor &image) const {
    const Size size{static_cast<int>(image.size(3)), static_cast<int>(image.size(2))};
    if (max_tile_side_ <= 0 || std::max(size.width, size.height) <= max_tile_side_) {
        const Rect whole{0, 0, size.width, size.height};
        return {Tile{whole, whole}};
    }
    return tile_layout(size, max_tile_side_);
}

std::vector<torch::Tensor> ScaleLoss::tile_features(const torch::Tensor &padded, const Tile &tile) const {
    std::vector<torch::Tensor> features = vgg_.forward(padded, positions_);
    for (size_t i = 0; i < features.size(); ++i) {
        const int stride = vgg19_stride(positions_[i]);
        const FeatureSpan rows = interior_features(tile.interior.y, tile.interior.y + tile.interior.height,
                                                   tile.padded.y, stride);
        const FeatureSpan columns =
            interior_features(tile.interior.x, tile.interior.x + tile.interior.width, tile.padded.x, stride);
        features[i] = features[i].slice(2, rows.begin, rows.end).slice(3, columns.begin, columns.end);
    }
    return features;
}

bool ScaleLoss::tiled_grams(const torch::Tensor &image, const std::vector<Tile> &tiles,
                            std::vector<torch::Tensor> &grams, const std::function<bool()> &after_tile) const {
    torch::NoGradGuard no_grad;
    grams.assign(style_positions_.size(), torch::Tensor());
    for (const Tile &tile : tiles) {
        const std::vector<torch::Tensor> features = tile_features(crop(image, tile.padded), tile);
        for (size_t i = 0; i < grams.size(); ++i) {
            const torch::Tensor gram = gram_matrix(features[i]);
            grams[i] = grams[i].defined() ? grams[i] + gram : gram;
        }
        if (after_tile && !after_tile())
            return false;
    }
    return true;
}

torch::Tensor ScaleLoss::tv_term(const torch::Tensor &candidate) const {
    return options_.tv_weight > 0 ? total_variation(imagenet_denormalize(candidate))
                                  : torch::zeros({}, candidate.options());
}

bool ScaleLoss::evaluate(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                         const TileCallback &between_tiles) const {
    if (tiles_.size() == 1)
        return evaluate_whole(candidate, losses, gradient);
    return evaluate_tiled(candidate, losses, gradient, between_tiles);
}

bool ScaleLoss::evaluate_whole(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient) const {
    const torch::Tensor x = candidate.detach().requires_grad_(true);
    const std::vector<torch::Tensor> features = vgg_.forward(x, positions_);
    const torch::Tensor content = content_loss(features.back(), content_targets_[0]);
    torch::Tensor style = torch::zeros({}, x.options());
    for (size_t i = 0; i < style_positions_.size(); ++i)
        style = style +
                style_layer_weight_[i] * style_layer_loss(gram_matrix(features[i]), style_grams_[i], features[i]);
    const torch::Tensor tv = tv_term(x);
    const torch::Tensor total =
        options_.content_weight * content + options_.style_weight * style + options_.tv_weight * tv;
    gradient = gradient_of(total, x);
    losses = {total.detach(), content.detach(), style.detach(), tv.detach()};
    return true;
}

bool ScaleLoss::evaluate_tiled(const torch::Tensor &candidate, Losses &losses, torch::Tensor &gradient,
                               const TileCallback &between_tiles) const {
    const torch::Tensor image = candidate.detach();
    const int count = static_cast<int>(tiles_.size());
    const int passes = style_positions_.empty() ? 1 : 2;
    int done = 0;
    const auto tile_done = [&] { return !between_tiles || between_tiles(++done, passes * count); };

    // Pass 1, without autograd: the candidate's Gram matrices are sums over positions, so over tiles.
    std::vector<torch::Tensor> grams;
    if (!style_positions_.empty() && !tiled_grams(image, tiles_, grams, tile_done))
        return false;
    // The style loss is not a sum over tiles, but its gradient is: d/dG of mean((G - A)^2) / v is
    // 2 (G - A) / (d^2 v), so a tile whose Gram is G_t contributes exactly the gradient of sum(M * G_t) with that M.
    torch::Tensor style = torch::zeros({}, image.options());
    std::vector<torch::Tensor> gram_weights;
    for (size_t i = 0; i < grams.size(); ++i) {
        const torch::Tensor difference = grams[i] - style_grams_[i];
        const double d = static_cast<double>(difference.size(0));
        style = style + style_layer_weight_[i] * difference.pow(2).mean() / style_volume_[i];
        gram_weights.push_back(difference * (2 * style_layer_weight_[i] / (d * d * style_volume_[i])));
    }

    // Pass 2: forward and backward per tile. The content loss is a mean over positions: a sum per tile over the
    // whole map's count. Halo pixels get gradient from several tiles, which add up as in the untiled graph.
    gradient = torch::zeros_like(image);
    torch::Tensor content = torch::zeros({}, image.options());
    for (int t = 0; t < count; ++t) {
        const Tile &tile = tiles_[static_cast<size_t>(t)];
        const torch::Tensor x = crop(image, tile.padded).clone().requires_grad_(true);
        const std::vector<torch::Tensor> features = tile_features(x, tile);
        const torch::Tensor tile_content = (features.back() - content_targets_[static_cast<size_t>(t)]).pow(2).sum() /
                                           content_count_;
        torch::Tensor surrogate = options_.content_weight * tile_content;
        for (size_t i = 0; i < gram_weights.size(); ++i)
            surrogate = surrogate + options_.style_weight * (gram_weights[i] * gram_matrix(features[i])).sum();
        crop(gradient, tile.padded).add_(gradient_of(surrogate, x));
        content = content + tile_content.detach();
        if (!tile_done())
            return false;
    }

    // Total variation is a few operations on the whole image: it needs no tiles.
    torch::Tensor tv = torch::zeros({}, image.options());
    if (options_.tv_weight > 0) {
        const torch::Tensor x = image.clone().requires_grad_(true);
        tv = tv_term(x);
        gradient.add_(gradient_of(options_.tv_weight * tv, x));
        tv = tv.detach();
    }
    losses = {options_.content_weight * content + options_.style_weight * style + options_.tv_weight * tv, content,
              style, tv};
    return true;
}

} // namespace neural_style
