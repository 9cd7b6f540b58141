// neural-style-benchmark: speed, memory and time-to-quality of the core, per device and working size; with --large,
// memory and time at full resolution on large images. Run with --help for the options.
//
// Needs only LibTorch (the image_files library, when the build has it, adds --content/--style image files). Each
// measurement runs in a fresh child process: see process.h.
#include "args.h"
#include "cpu_peak.h"
#include "inputs.h"
#include "large.h"
#include "process.h"
#include "report.h"
#include "speed.h"
#include "time_to_quality.h"

#include "error.h"
#include "options.h"
#include "version.h"

#ifdef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
#include "image_files.h"
#endif

#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

namespace nsb = neural_style::benchmark;
namespace ns = neural_style;
using nsb::json;

namespace {

int run_child(const nsb::Args &args) {
    const nsb::ChildInputs inputs = nsb::load_child_inputs(args);
    json result;
    if (args.child == "measure" || args.child == "memory")
        result = nsb::child_speed(args, inputs);
    else if (args.child == "ttq")
        result = nsb::child_time_to_quality(args, inputs);
    else if (args.child == "large-step")
        result = nsb::child_large_step(args, inputs);
    else if (args.child == "large-run")
        result = nsb::child_large_run(args, inputs);
    else
        throw nsb::UsageError("unknown --child " + args.child);
    result["device"] = args.child_device;
    std::ofstream(args.child_result) << result.dump() << "\n";
    return 0;
}

// The devices asked for, "auto" resolved, each once.
std::vector<std::string> devices(const nsb::Args &args) {
    std::vector<std::string> resolved;
    for (const std::string &choice : args.large ? std::vector<std::string>{"cpu"} : args.devices) {
        const std::string device = choice == "auto" ? (torch::cuda::is_available() ? "cuda" : "cpu") : choice;
        if (device == "cuda" && !torch::cuda::is_available())
            throw ns::StyleError("--device cuda: LibTorch sees no CUDA GPU (no GPU, no driver, or a CPU-only LibTorch)");
        if (std::find(resolved.begin(), resolved.end(), device) == resolved.end())
            resolved.push_back(device);
    }
    return resolved;
}

// Weights and the square images of the speed and time-to-quality sections, written once for the children and
// the PyTorch script.
void write_inputs(const nsb::Args &args, const std::string &workdir) {
    nsb::write_weights(workdir + "/weights.safetensors", args.weights, args.weights_seed);
    if (args.large)
        return; // the large section writes its own
    std::vector<int> sizes = args.sizes;
    sizes.insert(sizes.end(), args.memory_sizes.begin(), args.memory_sizes.end());
    sizes.insert(sizes.end(), args.ttq_sizes.begin(), args.ttq_sizes.end());
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
    if (!args.content.empty()) {
        // The core fits the content into each working size itself (never enlarging) and sizes the style.
        const ns::RgbaImage content = ns::image_files::load_image(args.content);
        const ns::RgbaImage style = ns::image_files::load_image(args.style);
        for (int size : sizes) {
            nsb::save_npy(nsb::image_path(workdir, "content", {size, size}), content);
            nsb::save_npy(nsb::image_path(workdir, "style", {size, size}), style);
        }
        return;
    }
#endif
    for (int size : sizes) {
        nsb::save_npy(nsb::image_path(workdir, "content", {size, size}), nsb::synthetic_content({size, size}));
        nsb::save_npy(nsb::image_path(workdir, "style", {size, size}), nsb::synthetic_style({size, size}));
    }
}

json options_json(const ns::StyleOptions &o) {
    return {{"steps", o.steps}, {"optimizer", ns::optimizer_name(o.optimizer)}, {"learning_rate", o.learning_rate},
            {"content_weight", o.content_weight}, {"style_weight", o.style_weight},
            {"style_layer_weights", o.style_layer_weights}, {"tv_weight", o.tv_weight},
            {"init", ns::init_name(o.init)}, {"max_size", o.max_size}, {"scales", o.scales},
            {"min_scale_size", o.min_scale_size}, {"style_scale", o.style_scale},
            {"lbfgs_history", o.lbfgs_history}};
}

// The CPU's FP32 peak: nominal, and measured when the CPU is among the devices.
json cpu_json(const nsb::Args &args, bool on_cpu, int threads) {
    const nsb::CpuInfo cpu = nsb::cpu_info();
    const double nominal = cpu.flop_per_cycle * cpu.mhz * 1e-3 * threads;
    double measured = 0;
    if (args.peak_probe && on_cpu) {
        std::cerr << "measuring the CPU's FP32 peak with an FMA loop on " << threads << " threads...\n";
        measured = nsb::measure_fma_peak(cpu, threads);
    }
    const double peak = std::max(nominal, measured);
    return {{"model", cpu.model}, {"mhz", cpu.mhz}, {"threads", threads}, {"simd", cpu.simd},
            {"flop_per_cycle_per_core", cpu.flop_per_cycle}, {"nominal_peak_gflops", nominal},
            {"measured_fma_peak_gflops", measured > 0 ? json(measured) : json()},
            {"peak_gflops", peak > 0 ? json(peak) : json()},
            {"peak_method", "the larger of nominal (FLOP/cycle from the SIMD flags x cpu MHz from /proc/cpuinfo x "
                            "threads) and measured (16 independent FMA chains per thread, widest SIMD the flags "
                            "allow, best of 5)"}};
}

json run_header(const nsb::Args &args) {
    json out;
    out["program"] = "neural-style-benchmark";
    out["version"] = NEURAL_STYLE_VERSION;
    out["libtorch"] = TORCH_VERSION;
    out["date"] = nsb::utc_now();
    out["command"] = args.command;
    out["quick"] = args.quick;
    out["weights"] = args.weights.empty() ? "generated (seeded random, He-initialised), seed " +
                                                std::to_string(args.weights_seed)
                                          : args.weights;
    out["images"] = args.content.empty() || args.large
                        ? "synthetic (landscape content, striped style), made at each size"
                        : args.content + " / " + args.style;
    out["presets"] = {{"seed", options_json(ns::seed_preset())}, {"default", options_json(ns::default_preset())}};
    out["model_gflop_per_step_note"] =
        "forward conv1_1..conv5_1 (2*H*W*Cin*Cout*9 per conv) plus the same again for the backward pass to the image";
    return out;
}

int run_parent(const nsb::Args &args) {
    const nsb::Clock::time_point started = nsb::Clock::now();
    const double load_at_start = nsb::load_average();
    const nsb::Workdir workdir(args.workdir);
    const std::vector<std::string> chosen = devices(args);
    const int threads = args.threads > 0 ? args.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    write_inputs(args, workdir.path());

    json out = run_header(args);
    const bool on_cpu = std::find(chosen.begin(), chosen.end(), "cpu") != chosen.end();
    out["cpu"] = cpu_json(args, on_cpu && !args.large, threads);
    nsb::Runner runner(args, workdir.path());
    if (args.large) {
        out["large"] = nsb::large_section(runner, args);
    } else {
        out["devices"] = json::array();
        for (const std::string &device : chosen) {
            json dev;
            dev["device"] = device;
            const json &peak = out["cpu"]["peak_gflops"];
            nsb::speed_section(runner, args, device, peak.is_number() ? peak.get<double>() : 0, dev);
            dev["time_to_quality"] = nsb::time_to_quality_section(runner, args, device, threads);
            out["devices"].push_back(dev);
        }
    }
    out["total_seconds"] = nsb::seconds_since(started);
    out["load_average_1min"] = {{"start", load_at_start}, {"end", nsb::load_average()}};
    out["table"] = nsb::results_table(out);
    std::cout << out["table"].get<std::string>();
    if (!args.json_path.empty())
        nsb::write_json(args.json_path, out);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    try {
        const nsb::Args args = nsb::parse_args(argc, argv);
        return args.child.empty() ? run_parent(args) : run_child(args);
    } catch (const nsb::UsageError &e) {
        std::cerr << "neural-style-benchmark: " << e.what() << " (see neural-style-benchmark --help)\n";
        return 2;
    } catch (const std::exception &e) {
        std::cerr << "neural-style-benchmark: " << e.what() << "\n";
        return 1;
    }
}
