#include "time_to_quality.h"

#include "inputs.h"

#include "run_plan.h"
#include "stylize.h"

#include <iomanip>
#include <iostream>
#include <sstream>

namespace neural_style::benchmark {

namespace {

std::string exact(double value) {
    std::ostringstream text;
    text << std::setprecision(17) << value;
    return text.str();
}

std::string fixed(double value) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(6) << value;
    return text.str();
}

// The default preset at a square working size, as the children run it.
StyleOptions default_at(int size) {
    StyleOptions options = default_preset();
    options.max_size = size;
    return options;
}

// The core's plan for the PyTorch script, which runs it as given instead of planning again: "WxH:STEPS:SWxSH:H,..."
// (candidate size, steps, style size, L-BFGS history per scale).
std::string scale_plan_text(const RunPlan &plan) {
    std::string text;
    for (const ScalePlan &s : plan.scales)
        text += (text.empty() ? "" : ",") + size_text(s.size) + ":" + std::to_string(s.steps) + ":" +
                size_text(s.style_size) + ":" + std::to_string(s.lbfgs_history);
    return text;
}

json run_pytorch(const Args &args, const std::string &workdir, const std::string &device, int size, int threads,
                 double target) {
    const StyleOptions d = default_at(size);
    const Size square{size, size};
    const std::string result_path = workdir + "/pytorch_" + device + "_" + std::to_string(size) + ".json";
    std::ostringstream layer_weights;
    for (size_t i = 0; i < d.style_layer_weights.size(); ++i)
        layer_weights << (i ? "," : "") << d.style_layer_weights[i];
    std::vector<std::string> command = {
        args.python, args.pytorch_script,
        "--weights", workdir + "/weights.safetensors",
        "--content", image_path(workdir, "content", square),
        "--style", image_path(workdir, "style", square),
        "--scale-plan", scale_plan_text(plan_run(square, square, d, device == "cuda")),
        "--device", device,
        "--threads", std::to_string(args.pytorch_threads > 0 ? args.pytorch_threads : threads),
        "--learning-rate", fixed(d.learning_rate),
        "--content-weight", fixed(d.content_weight),
        "--style-weight", fixed(d.style_weight),
        "--style-layer-weights", layer_weights.str(),
        "--tv-weight", fixed(d.tv_weight),
        "--target", exact(target),
        "--result", result_path};
    if (args.stop_at_target)
        command.push_back("--stop-at-target");
    if (const std::string failure = run_program(command); !failure.empty())
        return {{"error", failure}};
    try {
        return json::parse(read_file(result_path));
    } catch (const std::exception &e) {
        return {{"error", std::string("unreadable PyTorch result: ") + e.what()}};
    }
}

// The seed run's figures and what its length means for the target.
void describe_seed(const json &seed, int planned, json &t) {
    const int done = seed["steps_done"];
    const int full = seed_preset().steps;
    t["seed_steps_planned"] = planned;
    t["seed_steps_done"] = done;
    t["seed_full_length"] = done >= full;
    t["seed_note"] = done >= full ? "the seed preset's full " + std::to_string(full) + " steps"
                                  : "a shortened seed run: " + std::to_string(done) + " steps instead of " +
                                        std::to_string(full) +
                                        (seed["stopped_by_time"].get<bool>() ? " (time limit)" : "");
    t["target_loss"] = seed["final_loss"];
    t["seed_seconds"] = seed["final_seconds"];
}

json one_size(Runner &runner, const Args &args, const std::string &device, int size, int threads) {
    json t;
    t["size"] = size;
    const std::vector<std::string> images = {
        "--child-size", std::to_string(size), "--child-content",
        image_path(runner.workdir(), "content", {size, size}), "--child-style",
        image_path(runner.workdir(), "style", {size, size})};
    const std::string where = "[" + device + " " + std::to_string(size) + " px] ";
    const int seed_steps = args.seed_steps_for(size);
    std::cerr << where << "seed preset, " << seed_steps << " steps"
              << (args.seed_time_limit > 0 ? " or " + std::to_string(args.seed_time_limit) + " s" : "") << "...\n";
    std::vector<std::string> seed_extra = images;
    seed_extra.insert(seed_extra.end(), {"--child-preset", "seed", "--child-steps", std::to_string(seed_steps)});
    if (args.seed_time_limit > 0)
        seed_extra.insert(seed_extra.end(), {"--child-time-limit", exact(args.seed_time_limit)});
    t["seed"] = runner.child("ttq", device, seed_extra);
    if (t["seed"].contains("error") || !t["seed"]["final_loss"].is_number())
        return t;
    describe_seed(t["seed"], seed_steps, t);
    const double target = t["target_loss"];

    std::cerr << where << "default settings, target loss " << target << "...\n";
    std::vector<std::string> default_extra = images;
    default_extra.insert(default_extra.end(), {"--child-preset", "default", "--child-target", exact(target)});
    const json def = t["default"] = runner.child("ttq", device, default_extra);
    if (!def.contains("error")) {
        t["default_seconds"] = def["reached_target_seconds"];
        if (def["reached_target_seconds"].is_number() && target > 0)
            t["speedup_vs_seed"] = t["seed_seconds"].get<double>() / def["reached_target_seconds"].get<double>();
    }
    if (args.pytorch_script.empty())
        return t;
    std::cerr << where << "PyTorch reference of the default settings...\n";
    const json py = t["pytorch"] = run_pytorch(args, runner.workdir(), device, size, threads, target);
    if (!py.contains("error")) {
        t["pytorch_seconds"] = py["reached_target_seconds"];
        if (py["reached_target_seconds"].is_number() && t["default_seconds"].is_number())
            t["speedup_vs_pytorch"] = py["reached_target_seconds"].get<double>() / t["default_seconds"].get<double>();
    }
    return t;
}

} // namespace

json child_time_to_quality(const Args &args, const ChildInputs &inputs) {
    StyleOptions options = child_options(args, args.child_preset);
    if (args.child_steps > 0)
        options.steps = args.child_steps;
    const bool cuda = args.child_device == "cuda";
    // The target is a loss at the run's finest scale: coarser scales' losses are not comparable.
    const Size final = plan_run({inputs.content.width, inputs.content.height}, {inputs.style.width, inputs.style.height},
                                options, cuda).scales.back().size;
    json curve = json::array();
    json result;
    double reached = -1;
    bool stopped_by_time = false;
    reset_gpu_peak(cuda);
    const double baseline = proc_status_mb("VmRSS");
    const Clock::time_point start = Clock::now();
    stylize(inputs.content, {inputs.style}, inputs.weights, options, [&](const StepReport &r) {
        if (r.in_step)
            return true;
        result["device_description"] = r.device;
        curve.push_back({r.step, r.seconds, r.total, r.width, r.height});
        if (reached < 0 && args.child_target >= 0 && r.width == final.width && r.height == final.height &&
            r.total <= args.child_target)
            reached = r.seconds;
        if (reached >= 0 && args.child_target >= 0 && args.stop_at_target)
            return false;
        stopped_by_time = args.child_time_limit > 0 && r.seconds >= args.child_time_limit;
        return !stopped_by_time;
    });
    result["preset"] = args.child_preset;
    result["planned_steps"] = options.steps;
    result["steps_done"] = curve.size();
    result["stopped_by_time"] = stopped_by_time;
    result["wall_seconds"] = seconds_since(start);
    result["curve_columns"] = {"step", "seconds", "total", "width", "height"};
    result["curve"] = curve;
    result["final_loss"] = curve.empty() ? json() : curve.back()[2];
    result["final_seconds"] = curve.empty() ? json() : curve.back()[1];
    result["reached_target_seconds"] = reached >= 0 ? json(reached) : json();
    result["memory"] = memory_report(cuda, baseline);
    return result;
}

json time_to_quality_section(Runner &runner, const Args &args, const std::string &device, int threads) {
    json results = json::array();
    for (int size : args.ttq_sizes)
        results.push_back(one_size(runner, args, device, size, threads));
    return results;
}

} // namespace neural_style::benchmark
