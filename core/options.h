// SPDX-License-Identifier: GPL-3.0-or-later
// Everything a run can be told, the named presets, and the names users type for the choices.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace neural_style {

// VGG19's style layers, conv1_1 to conv5_1: fine grain to large shapes.
constexpr int kStyleLayerCount = 5;
constexpr const char *kStyleLayerNames[kStyleLayerCount] = {"conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"};
constexpr const char *kContentLayerName = "conv4_2";

// Smallest side a scale can have: conv5_1 sits behind four 2x2 pools.
constexpr int kMinSide = 16;

// The range of a number users set. validate() enforces [min, max]; hosts declare their arguments with it and
// offer [min, useful_max] on sliders, where dragging past useful_max only makes a run longer than anyone waits.
template <typename T> struct Limit {
    T min, max, useful_max;
};

namespace limits {
constexpr Limit<int> steps{1, 1000000, 1000};
constexpr Limit<int> max_size{0, 16384, 4096}; // 0: the content's own size
constexpr Limit<int> scales{0, 12, 12};         // 0: as many as min_scale_size allows
constexpr Limit<int> min_scale_size{kMinSide, 16384, 1024};
constexpr Limit<int> lbfgs_history{1, 1000, 100};
constexpr Limit<int> threads{0, 1024, 64}; // 0: one per core
// Content and style weights span the seed's 1 and 1e6 and six orders of magnitude beyond.
constexpr Limit<double> loss_weight{0, 1e12, 1e12};
// Each style layer's weight and the smoothing weight, around the seed's 0.1 to 1.
constexpr Limit<double> layer_weight{0, 1e6, 1e6};
// Style image's longest side relative to the candidate's; 0 stretches it to the candidate's shape (the seed).
constexpr Limit<double> style_scale{0, 4, 2};
// Largest tile interior side; 0: tiles only when the memory limit calls for them.
constexpr Limit<int> tile_size{0, 16384, 4096};
// Memory a run may use, in MiB; 0: from what the machine has available.
constexpr Limit<int> memory_limit_mib{0, 1 << 24, 65536};
// The style / content balance artists set, see style_weight_at_balance().
constexpr Limit<double> balance{0, 100, 100};
// A style's share of a blend, before the shares are normalised to sum to 1.
constexpr Limit<double> style_share{0, 1e6, 100};
// Style images a run blends.
constexpr Limit<int> styles{1, 16, 3};
} // namespace limits

enum class Optimizer { adam, lbfgs };
enum class Init { content, noise };
// Whose colours the result has: the style's (Gatys et al. 2015), the content's with only the luminance stylized
// (Gatys et al. 2017, section 5.1), or the style's recoloured to the content's palette before the run (ibid.).
enum class ColorMode { style, luminance, histogram };
// The style layers' weights as stroke sizes: fine leans on conv1_1/conv2_1, coarse on conv4_1/conv5_1.
enum class StrokeSize { fine, medium, coarse };
enum class DeviceChoice { automatic, cpu, cuda };

struct StyleOptions {
    int steps = 0;                       // optimisation steps in all, over all scales
    Optimizer optimizer = Optimizer::adam;
    double learning_rate = 0;            // Adam step size; L-BFGS uses it as its initial step length
    double content_weight = 0;
    double style_weight = 0;
    std::array<double, kStyleLayerCount> style_layer_weights{}; // kStyleLayerNames' weights
    double tv_weight = 0;                // total variation: larger smooths the result
    Init init = Init::content;
    ColorMode colors = ColorMode::style;
    std::vector<double> style_shares;    // one per style image, each > 0, normalised over the styles; empty: equal
    std::uint64_t seed = 0;              // noise init and any other randomness
    int max_size = 0;                    // working size, longest side in pixels; 0: the content's own size
    int scales = 1;                      // coarse-to-fine passes at most, each about sqrt(2) larger than the
                                         // last; 0: as many as min_scale_size allows
    double style_scale = 0;              // see limits::style_scale
    std::uint64_t memory_limit = 0;      // bytes; 0: from what the machine has available
    int tile_size = 0;                   // see limits::tile_size; smaller tiles than memory needs are for tests
                                         // and for measuring the tiles' cost
    int min_scale_size = 16;             // coarser passes whose longest side would be smaller are skipped
    int lbfgs_history = 0;               // L-BFGS memory, in image-sized vector pairs
    DeviceChoice device = DeviceChoice::automatic;
    int threads = 0;                     // CPU threads; 0: one per core
};

// The seed notebook's exact settings: Adam, lr 0.003, 2000 steps, 400 px, one scale.
StyleOptions seed_preset();
// The settings the CLI and the plug-in start from.
StyleOptions default_preset();
// Looks a preset up by name ("seed", "default"); empty when unknown.
std::optional<StyleOptions> preset_by_name(const std::string &name);
std::vector<std::string> preset_names();

// The style weight an artist's style / content balance (0 to 100) makes of `style_weight`: logarithmic, 50 leaves
// it as it is, each 25 multiplies or divides it by 10. With the presets' weights (1 and 1e6) the ratio of the two
// runs from 1e4 (0: a faint texture) to 1e8 (100: the content barely holds), the span the peers' users set
// (their style/content ratios brought to this loss's scale), and 50 is the seed's reproducible 1e6.
double style_weight_at_balance(double style_weight, double balance);

// The five style layer weights of a stroke size; medium is the seed's 1, 0.8, 0.5, 0.3, 0.1.
std::array<double, kStyleLayerCount> stroke_size_weights(StrokeSize size);
// The stroke size whose weights these are; empty for any other ("custom").
std::optional<StrokeSize> stroke_size_of(const std::array<double, kStyleLayerCount> &weights);

const char *optimizer_name(Optimizer value);
const char *init_name(Init value);
const char *device_choice_name(DeviceChoice value);
const char *color_mode_name(ColorMode value);
const char *stroke_size_name(StrokeSize value);
std::optional<Optimizer> parse_optimizer(const std::string &text);
std::optional<Init> parse_init(const std::string &text);
std::optional<DeviceChoice> parse_device_choice(const std::string &text);
std::optional<ColorMode> parse_color_mode(const std::string &text);
std::optional<StrokeSize> parse_stroke_size(const std::string &text);

// Throws StyleError for the first option out of range; the message starts with the option's name as both hosts
// spell it ("max-size must be ..."), so the CLI can prefix "--".
void validate(const StyleOptions &options);

} // namespace neural_style
