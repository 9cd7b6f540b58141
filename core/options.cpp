// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.h"

#include "error.h"
#include "tiles.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace neural_style {

StyleOptions seed_preset() {
    StyleOptions o;
    o.steps = 2000;
    o.optimizer = Optimizer::adam;
    o.learning_rate = 0.003;
    o.content_weight = 1;
    o.style_weight = 1e6;
    o.style_layer_weights = {1, 0.8, 0.5, 0.3, 0.1};
    o.tv_weight = 0;
    o.init = Init::content;
    o.max_size = 400;
    o.scales = 1;
    o.min_scale_size = 256;
    o.lbfgs_history = 100;
    return o;
}

StyleOptions default_preset() {
    // Same losses and weights as the seed, so results and loss figures compare directly; what changes is how the
    // minimum is found: L-BFGS as in jcjohnson/neural-style (lr 1, no line search: one evaluation per step),
    // coarse-to-fine as in crowsonkb/style-transfer-pytorch, up to the content's own size. Coarse passes exist to
    // give the style's patterns room beyond VGG19's receptive field (about 156 px at conv5_1); up to 256 px one pass
    // already sees the whole image, so passes under 256 px are skipped: at 512 px the scales are 256, 362 and 512,
    // at 2560 px seven scales from 320 px. The style keeps its aspect ratio (jcjohnson/neural-style's style_scale 1).
    StyleOptions o = seed_preset();
    o.optimizer = Optimizer::lbfgs;
    o.learning_rate = 1;
    o.steps = 300;
    o.max_size = 0;
    o.scales = 0;
    o.style_scale = 1;
    o.lbfgs_history = 20;
    return o;
}

std::optional<StyleOptions> preset_by_name(const std::string &name) {
    if (name == "seed")
        return seed_preset();
    if (name == "default")
        return default_preset();
    return std::nullopt;
}

std::vector<std::string> preset_names() { return {"default", "seed"}; }

const char *optimizer_name(Optimizer value) { return value == Optimizer::adam ? "adam" : "lbfgs"; }
const char *init_name(Init value) { return value == Init::content ? "content" : "noise"; }
const char *device_choice_name(DeviceChoice value) {
    switch (value) {
    case DeviceChoice::cpu: return "cpu";
    case DeviceChoice::cuda: return "cuda";
    default: return "auto";
    }
}

const char *color_mode_name(ColorMode value) {
    switch (value) {
    case ColorMode::luminance: return "luminance";
    case ColorMode::histogram: return "histogram";
    default: return "style";
    }
}

const char *stroke_size_name(StrokeSize value) {
    switch (value) {
    case StrokeSize::fine: return "fine";
    case StrokeSize::coarse: return "coarse";
    default: return "medium";
    }
}

double style_weight_at_balance(double style_weight, double balance) {
    return style_weight * std::pow(10.0, (balance - 50) / 25);
}

std::array<double, kStyleLayerCount> stroke_size_weights(StrokeSize size) {
    switch (size) {
    case StrokeSize::fine: return {1, 1, 0.3, 0.05, 0.01};
    case StrokeSize::coarse: return {0.1, 0.3, 0.5, 0.8, 1};
    default: return seed_preset().style_layer_weights;
    }
}

std::optional<StrokeSize> stroke_size_of(const std::array<double, kStyleLayerCount> &weights) {
    for (StrokeSize size : {StrokeSize::fine, StrokeSize::medium, StrokeSize::coarse})
        if (stroke_size_weights(size) == weights)
            return size;
    return std::nullopt;
}

std::optional<Optimizer> parse_optimizer(const std::string &text) {
    if (text == "adam") return Optimizer::adam;
    if (text == "lbfgs") return Optimizer::lbfgs;
    return std::nullopt;
}

std::optional<Init> parse_init(const std::string &text) {
    if (text == "content") return Init::content;
    if (text == "noise") return Init::noise;
    return std::nullopt;
}

std::optional<DeviceChoice> parse_device_choice(const std::string &text) {
    if (text == "auto") return DeviceChoice::automatic;
    if (text == "cpu") return DeviceChoice::cpu;
    if (text == "cuda") return DeviceChoice::cuda;
    return std::nullopt;
}

std::optional<ColorMode> parse_color_mode(const std::string &text) {
    for (ColorMode mode : {ColorMode::style, ColorMode::luminance, ColorMode::histogram})
        if (text == color_mode_name(mode))
            return mode;
    return std::nullopt;
}

std::optional<StrokeSize> parse_stroke_size(const std::string &text) {
    for (StrokeSize size : {StrokeSize::fine, StrokeSize::medium, StrokeSize::coarse})
        if (text == stroke_size_name(size))
            return size;
    return std::nullopt;
}

namespace {

void require(bool ok, const std::string &message) {
    if (!ok)
        throw StyleError(message);
}

template <typename T> bool within(T value, const Limit<T> &limit) {
    return value >= limit.min && value <= limit.max; // false for NaN
}

template <typename T> std::string range_text(const Limit<T> &limit) {
    std::ostringstream text;
    text << limit.min << " to " << limit.max;
    return text.str();
}

} // namespace

void validate(const StyleOptions &o) {
    using namespace limits;
    require(within(o.steps, steps), "steps must be a whole number from " + range_text(steps));
    require(std::isfinite(o.learning_rate) && o.learning_rate > 0, "learning-rate must be a positive number");
    require(within(o.content_weight, loss_weight), "content-weight must be a number from " + range_text(loss_weight));
    require(within(o.style_weight, loss_weight), "style-weight must be a number from " + range_text(loss_weight));
    for (double w : o.style_layer_weights)
        require(within(w, layer_weight), "style-layer-weights must be numbers from " + range_text(layer_weight));
    require(within(o.tv_weight, layer_weight), "tv-weight must be a number from " + range_text(layer_weight));
    require(o.max_size == 0 || within(o.max_size, Limit<int>{kMinSide, max_size.max, 0}),
            "max-size must be 0 (the content's size) or from " + std::to_string(kMinSide) + " to " +
                std::to_string(max_size.max) + " pixels");
    require(within(o.scales, scales), "scales must be from " + range_text(scales));
    require(within(o.min_scale_size, min_scale_size),
            "min-scale-size must be from " + range_text(min_scale_size) + " pixels");
    require(within(o.lbfgs_history, lbfgs_history), "lbfgs-history must be from " + range_text(lbfgs_history));
    require(within(o.threads, threads), "threads must be from " + range_text(threads) + " (0: one per core)");
    require(o.tile_size == 0 || within(o.tile_size, Limit<int>{kTileAlign, tile_size.max, 0}),
            "tile-size must be 0 (automatic) or from " + std::to_string(kTileAlign) + " to " +
                std::to_string(tile_size.max) + " pixels");
    require(within(o.style_scale, style_scale),
            "style-scale must be a number from " + range_text(style_scale) + " (0: stretched to the content)");
    require(o.memory_limit / (1 << 20) <= static_cast<std::uint64_t>(memory_limit_mib.max),
            "memory-limit must be at most " + std::to_string(memory_limit_mib.max / 1024) + " GiB");
    require(o.style_shares.size() <= static_cast<size_t>(limits::styles.max),
            "style-blend must have at most " + std::to_string(limits::styles.max) + " shares");
    for (double share : o.style_shares)
        require(within(share, style_share) && share > 0,
                "style-blend shares must be positive numbers up to " +
                    std::to_string(static_cast<long>(style_share.max)));
}

} // namespace neural_style
