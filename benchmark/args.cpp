#include "args.h"

#include "memory.h"
#include "options.h"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>

namespace neural_style::benchmark {

namespace {

using cli::parse_int_within;
using cli::parse_number;

const char *const kUsage = R"(Usage: neural-style-benchmark [OPTIONS]

Measures the neural style core on generated VGG19 weights and synthetic (or given) images: seconds per
optimisation step, achieved GFLOP/s against the model's FLOP count, peak memory, and time-to-quality (how soon the
default settings reach the total loss the seed preset ends with). Prints a table; --json writes everything,
loss-against-seconds curves included.

  --device LIST             cpu, cuda, auto; repeatable or comma-separated [cpu]
  --sizes LIST              square working sizes to time, px [256,512,1024]
  --steps-per-size N        timed steps per size, after the warm-up [3; on CUDA at least 20]
  --warmup N                untimed steps first [1; on CUDA 10]
  --memory-sizes LIST       sizes run for peak memory only: one cold step (plus, computed, the L-BFGS history) []
  --ttq-sizes LIST          sizes for time-to-quality runs [256]
  --seed-steps N|SIZE:N,..  length of the seed preset's reference run [2000]
  --seed-time-limit S       stop a seed run after S seconds; its loss then is the target (said in the output) [none]
  --stop-at-target          stop the default and PyTorch runs once they reach the target (shorter curves)
  --no-stop-at-target       run them in full (the default; overrides --stop-at-target)
  --pytorch SCRIPT          also run SCRIPT (benchmark/pytorch_reference.py), the same default optimizer in PyTorch
  --python PATH             the Python for --pytorch [/usr/bin/python3]
  --pytorch-threads N       its CPU threads [the benchmark's own count]
  --threads N               CPU threads, 0 = one per core [0]
  --weights FILE            VGG19 safetensors [generated: seeded random, He-initialised, like make-test-weights]
  --weights-seed N          seed of the generated weights [1]
  --content FILE, --style FILE
                            images (PNG, JPEG, TIFF, WebP, PGM/PPM; needs a build with image_files)
                            [synthetic, made at each size]
  --json FILE               write the results as JSON
  --workdir DIR             where weights, images and child results go [a new folder in $TMPDIR, removed after]
  --no-peak-probe           skip the FMA loop that measures the CPU's FP32 peak
  --quick                   tiny sizes and runs: a smoke test of the whole program (figures meaningless)
  -h, --help                this text

Large images (--large, instead of the sections above; on the CPU, synthetic images; slow: two hours or more):
  --large                   one step at full size per content size under the memory limit: seconds, peak memory
                            against the run plan's estimate; the cost of tiles against the untiled step; the
                            default run's time at full size against a 512 px working size
  --large-sizes LIST        content sizes, WxH [2560x1600,4096x4096,8192x5464]
  --memory-limit SIZE       the runs' memory limit, e.g. 8G, 800M [8G]
  --overhead-size WxH       where the untiled step is compared with forced tiles [1600x1000]
  --overhead-tile N         the forced tiles' largest interior side [1024]
  --default-run-size WxH    the content of the default run [2560x1600]
  --style-side N            the style image's side (square; the core scales it to each scale) [1024]

Exit status: 0 success (a failed measurement is reported, not fatal), 1 failure, 2 usage error.
)";

std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream stream(text);
    while (std::getline(stream, part, separator))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

// A number of seconds.
double parse_seconds(const std::string &option, const std::string &text) {
    const double value = parse_number(option, text);
    if (value < 0)
        throw UsageError(option + ": must be 0 or more");
    return value;
}

int parse_side(const std::string &text, const std::string &what) {
    return parse_int_within(what, text, kMinSide, limits::max_size.max);
}

std::vector<int> parse_sides(const std::string &text, const std::string &what) {
    std::vector<int> sides;
    for (const std::string &part : split(text, ','))
        sides.push_back(parse_side(part, what));
    return sides;
}

Size parse_size(const std::string &text, const std::string &what) {
    const size_t x = text.find('x');
    if (x == std::string::npos)
        throw UsageError(what + ": expected WIDTHxHEIGHT, got '" + text + "'");
    return {parse_side(text.substr(0, x), what), parse_side(text.substr(x + 1), what)};
}

void parse_seed_steps(Args &a, const std::string &o, const std::string &v) {
    for (const std::string &part : split(v, ',')) {
        const size_t colon = part.find(':');
        if (colon == std::string::npos)
            a.seed_steps_all = parse_int_within(o, part, 1, limits::steps.max);
        else
            a.seed_steps_by_size[parse_side(part.substr(0, colon), o)] =
                parse_int_within(o, part.substr(colon + 1), 1, limits::steps.max);
    }
}

void parse_devices(Args &a, const std::string &o, const std::string &v, bool &given) {
    if (!given)
        a.devices.clear(); // the first --device replaces the default; later ones add to it
    given = true;
    for (const std::string &d : split(v, ',')) {
        if (!parse_device_choice(d))
            throw UsageError(o + ": expected cpu, cuda or auto, got '" + d + "'");
        a.devices.push_back(d);
    }
}

// --no-stop-at-target is not among them: it overrides --stop-at-target wherever each stands (benchmark/run passes
// --stop-at-target before the user's options).
const std::map<std::string, std::function<void(Args &)>> &flags() {
    static const std::map<std::string, std::function<void(Args &)>> table = {
        {"--stop-at-target", [](Args &a) { a.stop_at_target = true; }},
        {"--no-peak-probe", [](Args &a) { a.peak_probe = false; }},
        {"--quick", [](Args &a) { a.quick = true; }},
        {"--large", [](Args &a) { a.large = true; }},
    };
    return table;
}

using Setter = std::function<void(Args &, const std::string &option, const std::string &value)>;

const std::map<std::string, Setter> &value_options() {
    using S = const std::string &;
    static const std::map<std::string, Setter> table = {
        {"--sizes", [](Args &a, S o, S v) { a.sizes = parse_sides(v, o); }},
        {"--memory-sizes", [](Args &a, S o, S v) { a.memory_sizes = parse_sides(v, o); }},
        {"--ttq-sizes", [](Args &a, S o, S v) { a.ttq_sizes = parse_sides(v, o); }},
        {"--steps-per-size", [](Args &a, S o, S v) { a.steps_per_size = parse_int_within(o, v, 1, 100000); }},
        {"--warmup", [](Args &a, S o, S v) { a.warmup = parse_int_within(o, v, 0, 100000); }},
        {"--seed-steps", parse_seed_steps},
        {"--seed-time-limit", [](Args &a, S o, S v) { a.seed_time_limit = parse_seconds(o, v); }},
        {"--pytorch", [](Args &a, S, S v) { a.pytorch_script = v; }},
        {"--python", [](Args &a, S, S v) { a.python = v; }},
        {"--pytorch-threads", [](Args &a, S o, S v) { a.pytorch_threads = parse_int_within(o, v, 0, 1024); }},
        {"--threads", [](Args &a, S o, S v) { a.threads = parse_int_within(o, v, 0, limits::threads.max); }},
        {"--weights", [](Args &a, S, S v) { a.weights = v; }},
        {"--weights-seed",
         [](Args &a, S o, S v) { a.weights_seed = parse_int_within(o, v, 0, std::numeric_limits<int>::max()); }},
        {"--content", [](Args &a, S, S v) { a.content = v; }},
        {"--style", [](Args &a, S, S v) { a.style = v; }},
        {"--json", [](Args &a, S, S v) { a.json_path = v; }},
        {"--workdir", [](Args &a, S, S v) { a.workdir = v; }},
        {"--large-sizes",
         [](Args &a, S o, S v) {
             a.large_sizes.clear();
             for (const std::string &part : split(v, ','))
                 a.large_sizes.push_back(parse_size(part, o));
         }},
        {"--memory-limit",
         [](Args &a, S o, S v) {
             const auto bytes = parse_byte_size(v);
             if (!bytes)
                 throw UsageError(o + ": '" + v + "' is not a size such as 800M or 8G");
             a.memory_limit = *bytes;
         }},
        {"--overhead-size", [](Args &a, S o, S v) { a.overhead_size = parse_size(v, o); }},
        {"--overhead-tile", [](Args &a, S o, S v) { a.overhead_tile = parse_side(v, o); }},
        {"--default-run-size", [](Args &a, S o, S v) { a.default_run_size = parse_size(v, o); }},
        {"--style-side", [](Args &a, S o, S v) { a.large_style_side = parse_side(v, o); }},
        // Hidden: a child's one measurement.
        {"--child", [](Args &a, S, S v) { a.child = v; }},
        {"--child-size", [](Args &a, S o, S v) { a.child_size = parse_int_within(o, v, 0, limits::max_size.max); }},
        {"--child-device", [](Args &a, S, S v) { a.child_device = v; }},
        {"--child-content", [](Args &a, S, S v) { a.child_content = v; }},
        {"--child-style", [](Args &a, S, S v) { a.child_style = v; }},
        {"--child-preset", [](Args &a, S, S v) { a.child_preset = v; }},
        {"--child-steps", [](Args &a, S o, S v) { a.child_steps = parse_int_within(o, v, 0, limits::steps.max); }},
        {"--child-warmup", [](Args &a, S o, S v) { a.child_warmup = parse_int_within(o, v, 0, limits::steps.max); }},
        {"--child-target", [](Args &a, S, S v) { a.child_target = std::strtod(v.c_str(), nullptr); }},
        {"--child-time-limit", [](Args &a, S o, S v) { a.child_time_limit = parse_seconds(o, v); }},
        {"--child-tile-size",
         [](Args &a, S o, S v) { a.child_tile_size = parse_int_within(o, v, 0, limits::tile_size.max); }},
        {"--child-result", [](Args &a, S, S v) { a.child_result = v; }},
    };
    return table;
}

// --quick: tiny sizes and short runs, every section still exercised.
void make_quick(Args &args) {
    args.sizes = {32, 48};
    args.memory_sizes = {64};
    args.ttq_sizes = {32};
    args.seed_steps_all = 30;
    args.seed_steps_by_size.clear();
    if (args.steps_per_size < 0)
        args.steps_per_size = 2;
    if (args.warmup < 0)
        args.warmup = 1;
    args.peak_probe = false;
    args.large_sizes = {{96, 64}, {80, 80}};
    args.overhead_size = {96, 64};
    args.overhead_tile = 32;
    args.default_run_size = {96, 64};
    args.old_working_size = 64;
    args.large_style_side = 64;
}

} // namespace

Args parse_args(int argc, char **argv) {
    Args args;
    args.command.assign(argv, argv + argc);
    std::set<std::string> value_names = {"--device"}, flag_names = {"--help", "--no-stop-at-target"};
    for (const auto &option : value_options())
        value_names.insert(option.first);
    for (const auto &flag : flags())
        flag_names.insert(flag.first);
    const cli::SplitArguments split = cli::split_arguments(argc, argv, value_names, flag_names);
    if (split.flags.count("--help")) {
        std::cout << kUsage;
        std::exit(0);
    }
    if (!split.positional.empty())
        throw UsageError("unexpected argument '" + split.positional.front() + "'");
    for (const std::string &flag : split.flags)
        if (const auto setter = flags().find(flag); setter != flags().end())
            setter->second(args);
    if (split.flags.count("--no-stop-at-target"))
        args.stop_at_target = false;
    bool devices_given = false;
    for (const auto &[name, value] : split.options)
        if (name == "--device")
            parse_devices(args, name, value, devices_given);
        else
            value_options().at(name)(args, name, value);
#ifndef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
    if (!args.content.empty() || !args.style.empty())
        throw UsageError("--content/--style need a build with image_files (libpng and the other codecs); without "
                         "it the images are synthetic");
#endif
    if (args.content.empty() != args.style.empty())
        throw UsageError("give both --content and --style, or neither");
    if (args.quick)
        make_quick(args);
    return args;
}

} // namespace neural_style::benchmark
