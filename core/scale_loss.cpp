// SPDX-License-Identifier: GPL-3.0-or-later
#include "scale_loss.h"

#include "guides.h"
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

// `features` of a tile's interior weighted by the part of a whole-image feature weight map under them; tile
// interiors start on the 16 px grid, so at a multiple of every stride.
torch::Tensor weighted(const torch::Tensor &features, const torch::Tensor &weight, const Tile &tile, int position) {
    const int stride = vgg19_stride(position);
    return features * weight.slice(2, tile.interior.y / stride, tile.interior.y / stride + features.size(2))
                          .slice(3, tile.interior.x / stride, tile.interior.x / stride + features.size(3));
}

// The factor that brings a Gram matrix over positions weighted by `weight` to the whole map's count: a white map
// gives 1, so a guide that covers everything changes nothing. 0 when the map is black.
double count_scale(const torch::Tensor &weight) {
    const double sum = weight.pow(2).sum().item<double>();
    return sum > 0 ? static_cast<double>(weight.numel()) / sum : 0;
}

// Adds `terms` to `sums` (undefined ones start at their term), without autograd history.
void add_up(std::vector<torch::Tensor> &sums, const std::vector<torch::Tensor> &terms) {
    for (size_t i = 0; i < sums.size(); ++i)
        sums[i] = sums[i].defined() ? sums[i] + terms[i].detach() : terms[i].detach();
}

torch::Tensor gradient_of(const torch::Tensor &value, const torch::Tensor &input) {
    return torch::autograd::grad({value}, {input})[0];
}

} // namespace

ScaleLoss::ScaleLoss(const Vgg19Features &vgg, const StyleOptions &options, const torch::Tensor &content,
                     const torch::Tensor &guide, const std::vector<ScaleStyle> &styles, int max_tile_side,
                     const std::function<void()> &between_setup_tiles)
    : vgg_(vgg), options_(options), max_tile_side_(max_tile_side) {
    for (int i = 0; i < kStyleLayerCount; ++i) {
        if (options.style_layer_weights[i] <= 0 || options.style_weight <= 0)
            continue;
        const int position = vgg19_conv_position(kStyleLayerNames[i]);
        if (guide.defined()) {
            const torch::Tensor layer_guide = feature_weight(guide, position);
            const double scale = count_scale(layer_guide);
            if (scale == 0)
                continue; // no position of this layer is styled: its loss would only pull towards nothing
            guides_.push_back(layer_guide);
            guide_scale_.push_back(scale);
        } else {
            guide_scale_.push_back(1);
        }
        style_positions_.push_back(position);
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
    for (const Tile &tile : tiles_) {
        content_targets_.push_back(tile_features(crop(content, tile.padded), tile).back().contiguous());
        if (between_setup_tiles)
            between_setup_tiles();
    }
    if (!style_positions_.empty())
        blend_style_grams(styles, between_setup_tiles);
}

void ScaleLoss::blend_style_grams(const std::vector<ScaleStyle> &styles, const std::function<void()> &between_tiles) {
    const auto after_tile = [&](const Tile &) {
        if (between_tiles)
            between_tiles();
        return true;
    };
    for (const ScaleStyle &style : styles) {
        std::vector<torch::Tensor> weights, grams;
        if (style.weight.defined())
            for (int position : style_positions_)
                weights.push_back(feature_weight(style.weight, position));
        tiled_grams(style.image, tiles_of(style.image), weights, grams, after_tile);
        for (size_t i = 0; i < style_positions_.size(); ++i) {
            // Gram matrices are sums over positions: a style of another size is brought to the candidate's count,
            // so that the seed's loss (which stretches the style to the content's shape) keeps its scale.
            const double style_volume = feature_volume(style_positions_[i], style.image.size(2), style.image.size(3));
            double factor = style.share * style_volume_[i] / style_volume;
            if (!weights.empty())
                factor *= count_scale(weights[i]);
            const torch::Tensor gram = factor == 1 ? grams[i] : grams[i] * factor;
            if (style_grams_.size() <= i)
                style_grams_.push_back(gram);
            else
                style_grams_[i] = style_grams_[i] + gram;
        }
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

torch::Tensor ScaleLoss::guided(const torch::Tensor &features, const std::vector<torch::Tensor> &weights, size_t i,
                                const Tile &tile) const {
    return weights.empty() ? features : weighted(features, weights[i], tile, style_positions_[i]);
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
                            const std::vector<torch::Tensor> &weights, std::vector<torch::Tensor> &grams,
                            const std::function<bool(const Tile &)> &after_tile) const {
    torch::NoGradGuard no_grad;
    grams.assign(style_positions_.size(), torch::Tensor());
    for (const Tile &tile : tiles) {
        add_up(grams, tile_grams(tile_features(crop(image, tile.padded), tile), weights, tile));
        if (after_tile && !after_tile(tile))
            return false;
    }
    return true;
}

std::vector<torch::Tensor> ScaleLoss::tile_grams(const std::vector<torch::Tensor> &features,
                                                 const std::vector<torch::Tensor> &weights, const Tile &tile) const {
    std::vector<torch::Tensor> grams;
    for (size_t i = 0; i < style_positions_.size(); ++i)
        grams.push_back(gram_matrix(guided(features[i], weights, i, tile)));
    return grams;
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
    for (size_t i = 0; i < style_positions_.size(); ++i) {
        const torch::Tensor gram = guides_.empty() ? gram_matrix(features[i])
                                                   : gram_matrix(guided(features[i], guides_, i, tiles_[0])) *
                                                         guide_scale_[i];
        style = style + style_layer_weight_[i] * style_layer_loss(gram, style_grams_[i], features[i]);
    }
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
    const bool gram_pass = !style_positions_.empty();
    const int passes = gram_pass ? 2 : 1;
    const double work = tiled_evaluation_work(tiles_, gram_pass);
    int done = 0;
    double work_done = 0;
    const auto tile_done = [&](const Tile &tile, double cost) {
        work_done += static_cast<double>(tile.padded.area()) * cost;
        ++done;
        return !between_tiles || between_tiles(done, passes * count, work_done / work);
    };
    // A tile's input and what its forward pass gave, with autograd history.
    struct TileForward {
        torch::Tensor input;
        std::vector<torch::Tensor> features, grams;
    };
    const auto forward = [&](const Tile &tile) {
        TileForward pass;
        pass.input = crop(image, tile.padded).clone().requires_grad_(true);
        pass.features = tile_features(pass.input, tile);
        pass.grams = tile_grams(pass.features, guides_, tile);
        return pass;
    };

    // Pass 1, the Gram pass: the candidate's Gram matrices are sums over positions, so over tiles. Every tile but
    // the largest runs without autograd; the largest runs last and keeps its graph, which pass 2 then runs
    // backward without a second forward.
    const size_t kept = largest_tile(tiles_);
    std::vector<torch::Tensor> grams;
    TileForward kept_pass;
    if (gram_pass) {
        std::vector<Tile> others = tiles_;
        others.erase(others.begin() + static_cast<std::ptrdiff_t>(kept));
        const auto gram_pass_done = [&](const Tile &tile) { return tile_done(tile, kGramPassCost); };
        if (!tiled_grams(image, others, guides_, grams, gram_pass_done))
            return false;
        kept_pass = forward(tiles_[kept]);
        add_up(grams, kept_pass.grams);
        if (!gram_pass_done(tiles_[kept]))
            return false;
    }
    // The style loss is not a sum over tiles, but its gradient is: d/dG of mean((G - A)^2) / v is
    // 2 (G - A) / (d^2 v), so a tile whose Gram is G_t contributes exactly the gradient of sum(M * G_t) with that M.
    torch::Tensor style = torch::zeros({}, image.options());
    std::vector<torch::Tensor> gram_weights;
    // With a guide, G = s * sum of the tiles' weighted Gram matrices, so M takes the factor s as well.
    for (size_t i = 0; i < grams.size(); ++i) {
        const torch::Tensor difference = grams[i] * guide_scale_[i] - style_grams_[i];
        const double d = static_cast<double>(difference.size(0));
        style = style + style_layer_weight_[i] * difference.pow(2).mean() / style_volume_[i];
        gram_weights.push_back(difference *
                               (2 * style_layer_weight_[i] * guide_scale_[i] / (d * d * style_volume_[i])));
    }

    // Pass 2: backward per tile, the kept tile first (its graph is the one alive), then forward and backward for
    // each other tile. The content loss is a mean over positions: a sum per tile over the whole map's count. Halo
    // pixels get gradient from several tiles, which add up as in the untiled graph.
    // The last step's gradient is written over: an image-sized block allocated at every step would land among the
    // tiles' freed activations and grow the heap.
    if (gradient.defined() && gradient.sizes() == image.sizes())
        gradient.zero_();
    else
        gradient = torch::zeros_like(image);
    torch::Tensor content = torch::zeros({}, image.options());
    std::vector<size_t> order{kept};
    for (size_t t = 0; t < tiles_.size(); ++t)
        if (t != kept)
            order.push_back(t);
    for (size_t t : order) {
        const Tile &tile = tiles_[t];
        const bool was_kept = gram_pass && t == kept;
        TileForward pass = was_kept ? std::move(kept_pass) : forward(tile);
        const torch::Tensor tile_content =
            (pass.features.back() - content_targets_[t]).pow(2).sum() / content_count_;
        torch::Tensor surrogate = options_.content_weight * tile_content;
        for (size_t i = 0; i < gram_weights.size(); ++i)
            surrogate = surrogate + options_.style_weight * (gram_weights[i] * pass.grams[i]).sum();
        crop(gradient, tile.padded).add_(gradient_of(surrogate, pass.input));
        content = content + tile_content.detach();
        if (!tile_done(tile, was_kept ? 1 - kGramPassCost : 1))
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
