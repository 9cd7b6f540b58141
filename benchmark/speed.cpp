#include "speed.h"

#include "cpu_peak.h"
#include "inputs.h"

#include "stylize.h"

#include <torch/cuda.h>

#include <algorithm>
#include <iostream>

namespace neural_style::benchmark {

namespace {

// What the reports of a run were at each step.
struct StepClock {
    std::vector<double> wall;     // host clock; on CUDA the reports come after a synchronising batch flush
    std::vector<double> reported; // the core's own seconds
    std::vector<Usage> usage;
};

// Per timed step, after `warmup` steps: wall seconds, CPU time and page faults (where a loaded machine makes wall
// time pessimistic, and how much of a step goes to faulting in freshly allocated memory).
void per_step_figures(const StepClock &clock, int warmup, int steps, bool cuda, json &result) {
    const auto before_index = static_cast<size_t>(warmup) - 1;
    const double begin = warmup > 0 ? clock.reported[before_index] : 0;
    const double begin_wall = warmup > 0 ? clock.wall[before_index] : 0;
    // CUDA reports come in batches of 10 after a synchronisation: use the host clock at those points.
    const double timed = cuda ? clock.wall.back() - begin_wall : clock.reported.back() - begin;
    const Usage before = warmup > 0 ? clock.usage[before_index] : Usage{};
    result["warmup_steps"] = warmup;
    result["timed_steps"] = steps;
    result["seconds_per_step"] = timed / steps;
    result["cpu_seconds_per_step"] = (clock.usage.back().cpu_seconds - before.cpu_seconds) / steps;
    result["page_faults_per_step"] = static_cast<double>(clock.usage.back().page_faults - before.page_faults) / steps;
    result["first_step_seconds"] = clock.reported.front();
    result["step_seconds"] = clock.reported;
}

double megapixels(const json &r) { return r["width"].get<double>() * r["height"].get<double>() / 1e6; }

} // namespace

json child_speed(const Args &args, const ChildInputs &inputs) {
    const bool memory = args.child == "memory";
    const bool cuda = args.child_device == "cuda";
    StyleOptions options = child_options(args, "seed");
    options.scales = 1;
    options.steps = memory ? 1 : args.child_warmup + args.child_steps;
    StepClock clock;
    json result;
    if (cuda)
        torch::cuda::synchronize();
    reset_gpu_peak(cuda);
    const double baseline = proc_status_mb("VmRSS");
    const Clock::time_point start = Clock::now();
    stylize(inputs.content, {inputs.style}, inputs.weights, options, [&](const StepReport &r) {
        clock.wall.push_back(seconds_since(start));
        clock.reported.push_back(r.seconds);
        clock.usage.push_back(usage_now());
        result["device_description"] = r.device;
        result["width"] = r.width;
        result["height"] = r.height;
        return true;
    });
    result["memory"] = memory_report(cuda, baseline);
    if (!memory) {
        per_step_figures(clock, args.child_warmup, args.child_steps, cuda, result);
        return result;
    }
    result["cold_step_seconds"] = seconds_since(start);
    // What the default settings' L-BFGS adds: its history of image-sized vector pairs (Adam keeps two).
    result["lbfgs_history_mb"] = 2.0 * default_preset().lbfgs_history * 3 * 4 * megapixels(result) * 1e6 /
                                 (1024.0 * 1024.0);
    return result;
}

void speed_section(Runner &runner, const Args &args, const std::string &device, double peak_gflops, json &dev) {
    const bool cuda = device == "cuda";
    const int warmup = args.warmup >= 0 ? args.warmup : cuda ? 10 : 1;
    int steps = args.steps_per_size >= 0 ? args.steps_per_size : cuda ? 20 : 3;
    if (cuda) // CUDA reports (and so the clock readings) come in batches of 10 steps
        steps = std::max(10, (steps + 9) / 10 * 10);
    const int timed_warmup = cuda ? (warmup + 9) / 10 * 10 : warmup;
    auto images = [&](int size) {
        return std::vector<std::string>{"--child-size", std::to_string(size), "--child-content",
                                        image_path(runner.workdir(), "content", {size, size}), "--child-style",
                                        image_path(runner.workdir(), "style", {size, size})};
    };

    dev["sizes"] = json::array();
    for (int size : args.sizes) {
        std::cerr << "[" << device << " " << size << " px] timing " << steps << " steps after " << timed_warmup
                  << " warm-up...\n";
        std::vector<std::string> extra = images(size);
        extra.insert(extra.end(), {"--child-steps", std::to_string(steps), "--child-warmup", std::to_string(timed_warmup)});
        json r = runner.child("measure", device, extra);
        r["size"] = size;
        if (!r.contains("error")) {
            const double gflop = model_gflop_per_step(r["width"], r["height"]);
            r["model_gflop_per_step"] = gflop;
            r["gflops"] = gflop / r["seconds_per_step"].get<double>();
            if (!cuda && peak_gflops > 0)
                r["percent_of_peak"] = 100 * r["gflops"].get<double>() / peak_gflops;
            r["working_mb_per_megapixel"] = r["memory"]["working_mb"].get<double>() / megapixels(r);
            dev["description"] = r["device_description"];
        }
        dev["sizes"].push_back(r);
    }

    dev["memory_sizes"] = json::array();
    for (int size : args.memory_sizes) {
        std::cerr << "[" << device << " " << size << " px] peak memory of one step...\n";
        json r = runner.child("memory", device, images(size));
        r["size"] = size;
        if (!r.contains("error"))
            r["working_mb_per_megapixel"] = r["memory"]["working_mb"].get<double>() / megapixels(r);
        dev["memory_sizes"].push_back(r);
    }
}

} // namespace neural_style::benchmark
