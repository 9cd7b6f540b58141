// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_args.h"

#include "error.h"
#include "memory.h"

#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace neural_style::cli {

namespace {

int parse_int(const std::string &option, const std::string &text) {
    const long long value = parse_whole(option, text);
    if (value < -1000000000LL || value > 1000000000LL)
        throw UsageError(option + ": " + text + " is out of range");
    return static_cast<int>(value);
}

std::vector<double> parse_numbers(const std::string &option, const std::string &text) {
    std::vector<double> numbers;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ','))
        numbers.push_back(parse_number(option, item));
    return numbers;
}

std::array<double, kStyleLayerCount> parse_layer_weights(const std::string &option, const std::string &text) {
    const std::vector<double> numbers = parse_numbers(option, text);
    std::array<double, kStyleLayerCount> weights{};
    if (numbers.size() != weights.size())
        throw UsageError(option + ": expected " + std::to_string(weights.size()) + " comma-separated numbers (" +
                         kStyleLayerNames[0] + " to " + kStyleLayerNames[kStyleLayerCount - 1] + "), got " +
                         std::to_string(numbers.size()));
    std::copy(numbers.begin(), numbers.end(), weights.begin());
    return weights;
}

template <typename T>
T parse_choice(const std::string &option, const std::string &text, std::optional<T> (*parse)(const std::string &),
               const char *choices) {
    std::optional<T> value = parse(text);
    if (!value)
        throw UsageError(option + ": '" + text + "' is not one of " + choices);
    return *value;
}

using Setter = std::function<void(CliArgs &, const std::string &, const std::string &)>;

// Options that take a value. --preset is applied before all others, so their order does not matter.
const std::map<std::string, Setter> &value_options() {
    static const std::map<std::string, Setter> table = {
        {"--weights", [](CliArgs &a, const std::string &, const std::string &v) { a.weights = v; }},
        {"--log", [](CliArgs &a, const std::string &, const std::string &v) { a.log = v; }},
        {"--preset", [](CliArgs &, const std::string &, const std::string &) {}},
        {"--steps", [](CliArgs &a, const std::string &o, const std::string &v) { a.options.steps = parse_int(o, v); }},
        {"--optimizer",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.optimizer = parse_choice(o, v, parse_optimizer, "adam, lbfgs");
         }},
        {"--learning-rate",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.learning_rate = parse_number(o, v); }},
        {"--max-size",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.max_size = parse_int(o, v); }},
        {"--scales", [](CliArgs &a, const std::string &o, const std::string &v) { a.options.scales = parse_int(o, v); }},
        {"--content-weight",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.content_weight = parse_number(o, v); }},
        {"--style-weight",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.style_weight = parse_number(o, v); }},
        {"--style-layer-weights",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.style_layer_weights = parse_layer_weights(o, v);
         }},
        {"--tv-weight",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.tv_weight = parse_number(o, v); }},
        {"--init",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.init = parse_choice(o, v, parse_init, "content, noise");
         }},
        {"--seed",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             const long long seed = parse_whole(o, v);
             if (seed < 0)
                 throw UsageError(o + ": must be 0 or more");
             a.options.seed = static_cast<std::uint64_t>(seed);
         }},
        {"--device",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.device = parse_choice(o, v, parse_device_choice, "auto, cpu, cuda");
         }},
        {"--threads",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.threads = parse_int(o, v); }},
        {"--min-scale-size",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.min_scale_size = parse_int(o, v); }},
        {"--lbfgs-history",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.lbfgs_history = parse_int(o, v); }},
        {"--tile-size",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.tile_size = parse_int(o, v); }},
        {"--style-scale",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.style_scale = parse_number(o, v); }},
        {"--colors",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.colors = parse_choice(o, v, parse_color_mode, "style, luminance, histogram");
         }},
        {"--style-blend",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.options.style_shares = parse_numbers(o, v); }},
        {"--mask", [](CliArgs &a, const std::string &, const std::string &v) { a.mask = v; }},
        {"--style-strength",
         [](CliArgs &a, const std::string &o, const std::string &v) { a.style_strength = parse_number(o, v); }},
        {"--stroke-size",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             a.options.style_layer_weights =
                 stroke_size_weights(parse_choice(o, v, parse_stroke_size, "fine, medium, coarse"));
         }},
        {"--memory-limit",
         [](CliArgs &a, const std::string &o, const std::string &v) {
             const std::optional<std::uint64_t> bytes = parse_byte_size(v);
             if (!bytes)
                 throw UsageError(o + ": '" + v + "' is not a size such as 800M or 6G");
             a.options.memory_limit = *bytes;
         }},
    };
    return table;
}

} // namespace

CliArgs parse_cli_args(int argc, char **argv) {
    std::set<std::string> value_names;
    for (const auto &option : value_options())
        value_names.insert(option.first);
    const SplitArguments split = split_arguments(argc, argv, value_names, {"--quiet", "--help", "--version"});
    CliArgs args;
    args.quiet = split.flags.count("--quiet") > 0;
    args.help = split.flags.count("--help") > 0;
    args.version = split.flags.count("--version") > 0;
    if (args.help || args.version)
        return args;

    args.options = default_preset();
    for (const auto &[name, value] : split.options)
        if (name == "--preset") {
            std::optional<StyleOptions> preset = preset_by_name(value);
            if (!preset)
                throw UsageError("--preset: unknown preset '" + value + "' (known: default, seed)");
            args.options = *preset;
        }
    std::set<std::string> given;
    for (const auto &[name, value] : split.options) {
        if (value.empty()) // `--mask ""` would otherwise read as no mask at all
            throw UsageError(name + ": an empty value");
        value_options().at(name)(args, name, value);
        given.insert(name);
    }
    if (given.count("--stroke-size") && given.count("--style-layer-weights"))
        throw UsageError("--stroke-size and --style-layer-weights set the same weights: give one of them");
    // The strength scales the style weight, so it is applied after it, whatever the order given.
    if (args.style_strength) {
        if (!(*args.style_strength >= limits::balance.min && *args.style_strength <= limits::balance.max))
            throw UsageError("--style-strength: must be from " + std::to_string(static_cast<int>(limits::balance.min)) +
                             " to " + std::to_string(static_cast<int>(limits::balance.max)));
        args.options.style_weight = style_weight_at_balance(args.options.style_weight, *args.style_strength);
    }

    if (split.positional.size() != 3)
        throw UsageError("expected CONTENT STYLE OUTPUT, got " + std::to_string(split.positional.size()) +
                         " file argument(s)");
    args.content = split.positional[0];
    args.style = split.positional[1];
    args.output = split.positional[2];
    try {
        validate(args.options);
    } catch (const StyleError &e) {
        throw UsageError(std::string("--") + e.what());
    }
    return args;
}

std::string usage_text() {
    const StyleOptions d = default_preset();
    const StyleOptions s = seed_preset();
    std::ostringstream out;
    out << "Usage: neural-style [OPTIONS] CONTENT STYLE OUTPUT\n"
#ifdef NEURAL_STYLE_HAVE_FETCH
           "       neural-style fetch-weights [--url URL] [--output FILE]\n"
#endif
           "\n"
           "Paints CONTENT in the style of STYLE (Gatys et al., VGG19) and writes OUTPUT (.png, .jpg).\n"
           "STYLE may be several images, comma-separated (a.jpg,b.png): their styles are blended.\n"
           "\n"
           "Options (defaults in brackets; --preset seed reproduces the original notebook):\n"
           "  --weights FILE            VGG19 safetensors [$NEURAL_STYLE_WEIGHTS, else\n"
           "                            $XDG_DATA_HOME/neural-style-transfer/vgg19.safetensors]\n"
           "  --preset NAME             default | seed (Adam, "
        << s.steps << " steps, " << s.max_size
        << " px) [default]\n"
           "  --steps N                 optimisation steps over all scales ["
        << d.steps << "]\n"
        << "  --optimizer NAME          lbfgs | adam [" << optimizer_name(d.optimizer) << "]\n"
        << "  --learning-rate X         Adam step size; L-BFGS initial step [" << d.learning_rate << "]\n"
        << "  --max-size PX             longest side it paints at, 0 = the content's own size; the result\n"
        << "                            is enlarged to the content's size when smaller [" << d.max_size << "]\n"
        << "  --memory-limit SIZE       memory the run may use (800M, 6G); larger images are computed in\n"
        << "                            tiles [3/4 of the memory available]\n"
        << "  --tile-size PX            largest tile side, 0 = tiles only when memory needs them [0]\n"
        << "  --style-scale X           style's longest side relative to the working size, 0 = stretched\n"
        << "                            to the content's shape [" << d.style_scale << "]\n"
        << "  --scales N                coarse-to-fine passes at most, sqrt(2) apart, 0 = as many as\n"
        << "                            --min-scale-size allows [" << d.scales << "]\n"
        << "  --content-weight A        how much the content's shapes are kept [" << d.content_weight << "]\n"
        << "  --style-weight B          how strongly the style is applied [" << d.style_weight << "]\n"
        << "  --style-strength S        style against content, 0 to 100: 50 keeps --style-weight, each 25\n"
        << "                            more or less multiplies or divides it by 10 [50]\n"
        << "  --stroke-size SIZE        fine | medium | coarse: style layer weights as a preset ["
        << stroke_size_name(stroke_size_of(d.style_layer_weights).value_or(StrokeSize::medium)) << "]\n"
        << "  --colors MODE             style: the style's colours; luminance: the content's colours,\n"
        << "                            only the luminance stylized; histogram: the style recoloured to\n"
        << "                            the content's palette first [" << color_mode_name(d.colors) << "]\n"
        << "  --style-blend W1,W2,...   shares of several styles, normalised [equal]\n"
        << "  --mask FILE               grey image: white is styled, black keeps the content; stretched\n"
        << "                            to the content's size [none: everywhere]\n"
        << "  --style-layer-weights W1,W2,W3,W4,W5\n"
           "                            conv1_1..conv5_1: fine texture to large motifs ["
        << d.style_layer_weights[0] << "," << d.style_layer_weights[1] << "," << d.style_layer_weights[2] << ","
        << d.style_layer_weights[3] << "," << d.style_layer_weights[4] << "]\n"
        << "  --tv-weight T             smoothing, against noise [" << d.tv_weight << "]\n"
        << "  --init content|noise      starting image [" << init_name(d.init) << "]\n"
        << "  --seed N                  random seed for noise init [" << d.seed << "]\n"
        << "  --device auto|cpu|cuda    where to compute [auto: CUDA if available]\n"
        << "  --threads N               CPU threads, 0 = all cores [0]\n"
        << "  --min-scale-size PX       skip coarse scales smaller than this [" << d.min_scale_size << "]\n"
        << "  --lbfgs-history N         L-BFGS memory [" << d.lbfgs_history << "]\n"
        << "  --log FILE                write one JSON line per step\n"
        << "  -q, --quiet               no progress output\n"
        << "  -h, --help                this text\n"
        << "  --version                 version of the program and of LibTorch\n"
        << "\n"
        << "Exit status: 0 success, 1 failure, 2 usage error.\n";
    return out.str();
}

} // namespace neural_style::cli
