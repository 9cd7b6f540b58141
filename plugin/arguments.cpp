// SPDX-License-Identifier: GPL-3.0-or-later
#include "arguments.h"

#include "error_text.h"
#include "glib_text.h"
#include "i18n.h"

#include <glib.h>

namespace nst_plugin {

using neural_style::DeviceChoice;
using neural_style::Init;
using neural_style::Optimizer;
using neural_style::ColorMode;
using neural_style::StrokeSize;

const char *const kStyleLayerWeightArguments[neural_style::kStyleLayerCount] = {
    "style-weight-1", "style-weight-2", "style-weight-3", "style-weight-4", "style-weight-5"};

const char *const kMoreStyleLayerArguments[kMoreStyles] = {"style-layer-2", "style-layer-3"};
const char *const kMoreStyleShareArguments[kMoreStyles] = {"style-share-2", "style-share-3"};

namespace {

namespace limits = neural_style::limits;
constexpr GParamFlags kFlags = G_PARAM_READWRITE;

GimpChoice *optimizer_choice() {
    return gimp_choice_new_with_values(
        neural_style::optimizer_name(Optimizer::lbfgs), static_cast<int>(Optimizer::lbfgs), _("L-BFGS"),
        _("Reaches a finished look in few steps"),
        neural_style::optimizer_name(Optimizer::adam), static_cast<int>(Optimizer::adam), _("Adam"),
        _("Changes the picture gently and evenly; needs many more steps"), nullptr);
}

GimpChoice *init_choice() {
    return gimp_choice_new_with_values(
        neural_style::init_name(Init::content), static_cast<int>(Init::content), _("The content layer"),
        _("Starts from the picture itself, which keeps it recognisable"),
        neural_style::init_name(Init::noise), static_cast<int>(Init::noise), _("Noise"),
        _("Starts from random pixels, for a freer, more abstract result"), nullptr);
}

GimpChoice *device_choice() {
    return gimp_choice_new_with_values(
        neural_style::device_choice_name(DeviceChoice::automatic), static_cast<int>(DeviceChoice::automatic),
        _("Automatic"), _("The graphics card when there is one, else the processor"),
        neural_style::device_choice_name(DeviceChoice::cpu), static_cast<int>(DeviceChoice::cpu),
        _("Processor (CPU)"), _("Works everywhere, slowly"),
        neural_style::device_choice_name(DeviceChoice::cuda), static_cast<int>(DeviceChoice::cuda),
        _("Graphics card (CUDA)"), _("Many times faster; needs an NVIDIA card and a CUDA build"), nullptr);
}

GimpChoice *colors_choice() {
    return gimp_choice_new_with_values(
        neural_style::color_mode_name(ColorMode::style), static_cast<int>(ColorMode::style), _("The style's"),
        _("The result takes the style picture's colours"),
        neural_style::color_mode_name(ColorMode::luminance), static_cast<int>(ColorMode::luminance),
        _("The layer's own"), _("Only light and dark are painted; the colours stay the layer's exactly"),
        neural_style::color_mode_name(ColorMode::histogram), static_cast<int>(ColorMode::histogram),
        _("The layer's palette"), _("The style is recoloured to the layer's colours before it is painted"), nullptr);
}

GimpChoice *stroke_size_choice() {
    return gimp_choice_new_with_values(
        neural_style::stroke_size_name(StrokeSize::fine), static_cast<int>(StrokeSize::fine), _("Fine"),
        _("Grain and small strokes"),
        neural_style::stroke_size_name(StrokeSize::medium), static_cast<int>(StrokeSize::medium), _("Medium"),
        _("Strokes and patterns, as the original method"),
        neural_style::stroke_size_name(StrokeSize::coarse), static_cast<int>(StrokeSize::coarse), _("Coarse"),
        _("Large motifs and swirls"),
        "custom", kCustomStrokeSize, _("Custom"), _("As the five weights under Advanced ▸ Style at each scale"),
        nullptr);
}

// The core's learning rate belongs to its optimizer: take it from a preset that uses the chosen one.
double learning_rate_for(Optimizer optimizer) {
    for (const std::string &name : neural_style::preset_names()) {
        const auto preset = neural_style::preset_by_name(name);
        if (preset && preset->optimizer == optimizer)
            return preset->learning_rate;
    }
    return neural_style::default_preset().learning_rate;
}

} // namespace

std::vector<GimpLayer *> style_layers(const Arguments &arguments) {
    std::vector<GimpLayer *> layers{arguments.style_layer.get()};
    for (const LayerRef &layer : arguments.more_style_layers)
        layers.push_back(layer.get());
    return layers;
}

void add_arguments(GimpProcedure *p) {
    const neural_style::StyleOptions d = neural_style::default_preset();

    // TRANSLATORS: in the labels below, the underscore marks the key that goes to its control with Alt. Each
    // letter may be used once in the dialog, whose buttons (Help, Reset, Cancel, OK, Load and Save Settings) and
    // Preview, Advanced and More styles take theirs; the alphabet runs out, so some labels have none.
    gimp_procedure_add_layer_argument(p, "style-layer", _("Style la_yer"),
        _("The picture whose look (colours, brush strokes, textures) is painted onto the content. "
          "Any layer of any open image."),
        TRUE, kFlags);
    const char *const more_labels[kMoreStyles] = {_("Second style layer"), _("Third style layer")};
    const char *const share_labels[kMoreStyles] = {_("Second style's share"), _("Third style's share")};
    for (int i = 0; i < kMoreStyles; ++i) {
        gimp_procedure_add_layer_argument(p, kMoreStyleLayerArguments[i], more_labels[i],
            _("Another picture whose style is blended in; unset for none."), TRUE, kFlags);
        gimp_procedure_add_double_argument(p, kMoreStyleShareArguments[i], share_labels[i],
            _("How much of the blend this style makes, against the first style's 100; 0 leaves it out."),
            limits::style_share.min, limits::style_share.max, kFirstStyleShare, kFlags);
    }
    gimp_procedure_add_choice_argument(p, "colors", _("Colo_urs"),
        _("Whose colours the result has: the style's, the layer's own (only light and dark are painted), or the "
          "layer's palette given to the style before it is painted."),
        colors_choice(), neural_style::color_mode_name(d.colors), kFlags);
    gimp_procedure_add_double_argument(p, "balance", _("Style / content balance"),
        _("More style or more of the original: 50 is the standard mix; each 25 more multiplies the style "
          "strength by 10, each 25 less divides it by 10."),
        limits::balance.min, limits::balance.max, 50, kFlags);
    gimp_procedure_add_choice_argument(p, "stroke-size", _("Stroke size"),
        _("The size of the style's strokes and patterns that are painted; Custom uses the five weights under "
          "Advanced."),
        stroke_size_choice(), "custom", kFlags);
    gimp_procedure_add_int_argument(p, "steps", _("S_teps"),
        _("How long the picture is worked on. More steps let the style settle in further; "
          "every step takes time."),
        limits::steps.min, limits::steps.max, d.steps, kFlags);
    gimp_procedure_add_choice_argument(p, "optimizer", _("Metho_d"),
        _("How the result is searched for. L-BFGS reaches a finished look in few steps; "
          "Adam changes the picture more gently per step and needs many more."),
        optimizer_choice(), neural_style::optimizer_name(d.optimizer), kFlags);
    gimp_procedure_add_double_argument(p, "content-weight", _("Co_ntent strength"),
        _("How firmly the shapes of the original are kept. Larger keeps the picture more recognisable."),
        limits::loss_weight.min, limits::loss_weight.max, d.content_weight, kFlags);
    gimp_procedure_add_double_argument(p, "style-weight", _("Style stren_gth"),
        _("How strongly the style is applied. Larger gives bolder strokes and textures "
          "and loses more of the original's detail."),
        limits::loss_weight.min, limits::loss_weight.max, d.style_weight, kFlags);

    const char *const labels[neural_style::kStyleLayerCount] = {_("Fine grain"), _("Small stro_kes"), _("Patterns"),
                                                                _("Motifs"), _("_Big shapes")};
    const char *const blurbs[neural_style::kStyleLayerCount] = {
        _("Style of the finest detail (conv1_1): grain, speckle, colour. Larger makes the surface texture stronger."),
        _("Style of small brush strokes (conv2_1). Larger makes them more visible."),
        _("Style of mid-sized patterns (conv3_1). Larger brings more of them into the picture."),
        _("Style of larger motifs (conv4_1). Larger carries bigger elements of the style over."),
        _("Style of the largest shapes and swirls (conv5_1). Larger reshapes the picture more boldly.")};
    for (int i = 0; i < neural_style::kStyleLayerCount; ++i)
        gimp_procedure_add_double_argument(p, kStyleLayerWeightArguments[i], labels[i], blurbs[i],
                                           limits::layer_weight.min, limits::layer_weight.max,
                                           d.style_layer_weights[i], kFlags);

    gimp_procedure_add_double_argument(p, "tv-weight", _("Smooth_ing"),
        _("Evens out noise and speckles. Larger gives a smoother, flatter picture; 0 leaves it off."),
        limits::layer_weight.min, limits::layer_weight.max, d.tv_weight, kFlags);
    gimp_procedure_add_int_argument(p, "max-size", _("Working si_ze"),
        _("Longest side, in pixels, at which the picture is painted; 0 paints at the layer's own size. "
          "A smaller size is quicker, and its result is enlarged to the layer."),
        limits::max_size.min, limits::max_size.max, d.max_size, kFlags);
    gimp_procedure_add_double_argument(p, "style-scale", _("Style scal_e"),
        _("Size of the style's strokes and patterns: the style picture's longest side relative to the working "
          "size. Smaller gives finer strokes; 0 stretches the style to the layer's shape."),
        limits::style_scale.min, limits::style_scale.max, d.style_scale, kFlags);
    // TRANSLATORS: MB is megabytes (French: Mo).
    gimp_procedure_add_int_argument(p, "memory-limit", _("Memory limit (MB)"),
        _("Most memory the painting may take; larger pictures are computed in parts to stay within it. "
          "0 takes three quarters of what the computer has free."),
        limits::memory_limit_mib.min, limits::memory_limit_mib.max, 0, kFlags);
    gimp_procedure_add_choice_argument(p, "init", _("Start _from"),
        _("What the computation starts from: the content keeps the picture recognisable, "
          "noise gives a freer, more abstract result."),
        init_choice(), neural_style::init_name(d.init), kFlags);
    gimp_procedure_add_int_argument(p, "seed", _("_Variant"),
        _("Only matters when starting from noise: another number gives another variant of the result."),
        0, G_MAXINT, static_cast<int>(d.seed), kFlags);
    gimp_procedure_add_choice_argument(p, "device", _("Compute on"),
        _("Where the work is done. A graphics card is many times faster than the processor."),
        device_choice(), neural_style::device_choice_name(d.device), kFlags);
    gimp_procedure_add_file_argument(p, "weights-file", _("_Weights file"),
        _("The VGG19 network the style is measured with (a .safetensors file). "
          "Leave it unset to use the standard location."),
        GIMP_FILE_CHOOSER_ACTION_OPEN, TRUE, nullptr, kFlags);
}

bool read_arguments(GimpProcedureConfig *config, Arguments &arguments, std::string &error) {
    GimpLayer *style_layer = nullptr;
    GFile *weights_file = nullptr;
    gint steps = 0, max_size = 0, seed = 0, memory_limit_mib = 0;
    gdouble content_weight = 0, style_weight = 0, tv_weight = 0, style_scale = 0;
    g_object_get(config, "style-layer", &style_layer, "steps", &steps, "content-weight", &content_weight,
                 "style-weight", &style_weight, "tv-weight", &tv_weight, "max-size", &max_size, "seed", &seed,
                 "weights-file", &weights_file, "style-scale", &style_scale, "memory-limit", &memory_limit_mib,
                 nullptr);
    arguments.style_layer.reset(style_layer);
    if (weights_file) {
        arguments.weights_file = take_text(g_file_get_path(weights_file));
        g_object_unref(weights_file);
    }

    neural_style::StyleOptions &o = arguments.options;
    o = neural_style::default_preset();
    o.steps = steps;
    o.content_weight = content_weight;
    o.style_weight = style_weight;
    for (int i = 0; i < neural_style::kStyleLayerCount; ++i)
        g_object_get(config, kStyleLayerWeightArguments[i], &o.style_layer_weights[i], nullptr);
    o.tv_weight = tv_weight;
    o.max_size = max_size;
    o.style_scale = style_scale;
    o.memory_limit = static_cast<std::uint64_t>(memory_limit_mib) << 20;
    o.seed = static_cast<std::uint64_t>(seed);
    o.threads = gimp_get_num_processors(); // GIMP's Preferences > System Resources > Number of threads
    // Each choice's id is the core's enum value (see the *_choice() lists); GIMP accepts only listed names.
    o.optimizer = static_cast<Optimizer>(gimp_procedure_config_get_choice_id(config, "optimizer"));
    o.learning_rate = learning_rate_for(o.optimizer);
    o.init = static_cast<Init>(gimp_procedure_config_get_choice_id(config, "init"));
    o.device = static_cast<DeviceChoice>(gimp_procedure_config_get_choice_id(config, "device"));
    o.colors = static_cast<ColorMode>(gimp_procedure_config_get_choice_id(config, "colors"));
    const int stroke_size = gimp_procedure_config_get_choice_id(config, "stroke-size");
    if (stroke_size != kCustomStrokeSize)
        o.style_layer_weights = neural_style::stroke_size_weights(static_cast<StrokeSize>(stroke_size));
    gdouble balance = 0;
    g_object_get(config, "balance", &balance, nullptr);
    o.style_weight = neural_style::style_weight_at_balance(o.style_weight, balance);

    arguments.more_style_layers.clear();
    for (int i = 0; i < kMoreStyles; ++i) {
        GimpLayer *layer = nullptr;
        gdouble share = 0;
        g_object_get(config, kMoreStyleLayerArguments[i], &layer, kMoreStyleShareArguments[i], &share, nullptr);
        LayerRef reference(layer);
        if (!reference || share <= 0)
            continue;
        if (o.style_shares.empty())
            o.style_shares.push_back(kFirstStyleShare);
        o.style_shares.push_back(share);
        arguments.more_style_layers.push_back(std::move(reference));
    }

    if (!arguments.style_layer) {
        error = _("No style layer given: choose the layer whose style should be painted onto the content.");
        return false;
    }
    try {
        neural_style::validate(o);
    } catch (const neural_style::StyleError &e) {
        error = error_text(e);
        return false;
    }
    return true;
}

} // namespace nst_plugin
