#include "large.h"

#include "inputs.h"

#include "device.h"
#include "image.h"
#include "lbfgs.h"
#include "pace.h"
#include "run_plan.h"
#include "scale_loss.h"
#include "stylize.h"
#include "vgg19.h"

#include <iostream>

namespace neural_style::benchmark {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

StyleOptions large_options(const Args &args) {
    StyleOptions options = child_options(args, "default");
    options.memory_limit = args.memory_limit;
    options.tile_size = args.child_tile_size;
    return options;
}

RunPlan plan_for(const ChildInputs &inputs, const StyleOptions &options) {
    return plan_run({inputs.content.width, inputs.content.height}, {inputs.style.width, inputs.style.height},
                    options, false);
}

json scale_json(const ScalePlan &s) {
    return {{"width", s.size.width}, {"height", s.size.height}, {"style_width", s.style_size.width},
            {"style_height", s.style_size.height}, {"steps", s.steps}, {"tiles", s.tiles},
            {"tile_side", s.tile_side}, {"lbfgs_history", s.lbfgs_history},
            {"estimated_peak_mb", static_cast<double>(s.peak_bytes) / kMiB}};
}

// Progress on stderr every tenth of a step's tiles (the largest steps take minutes); between tiles the heap is kept
// within the plan as stylize() keeps it.
TileCallback tile_progress(torch::Device device, const ScalePlan &scale) {
    return [device, scale](int done, int count, double) {
        keep_within_plan(device, scale);
        if (count >= 10 && done % (count / 10) == 0)
            std::cerr << "  tile " << done << " of " << count << "\n";
        return true;
    };
}

// The estimate counts the L-BFGS state of a long run: its history pairs, and the last gradient and step a later
// step keeps through its evaluation. One step fills none of that, so it is allocated here (and touched, as zeros)
// for the measured peak to be the one a long run reaches.
std::vector<torch::Tensor> lbfgs_state_stand_in(const torch::Tensor &candidate, int history) {
    std::vector<torch::Tensor> state;
    for (int i = 0; i < 2 * history + 2; ++i)
        state.push_back(torch::zeros_like(candidate));
    return state;
}

} // namespace

json child_large_step(const Args &args, const ChildInputs &inputs) {
    StyleOptions options = large_options(args);
    options.steps = 1;
    options.scales = 1;
    validate(options);
    const RunPlan plan = plan_for(inputs, options);
    const ScalePlan &scale = plan.scales.back();
    const torch::Device device = select_device(DeviceChoice::cpu);
    prepare_device(device, options.threads);
    set_blas_threads_for(device, scale);
    const double baseline = proc_status_mb("VmRSS");

    // As stylize() runs a scale, with the step timed apart from the setup (the style's and content's targets).
    Clock::time_point start = Clock::now();
    const torch::Tensor content_rgb = rgb_tensor(inputs.content);
    const torch::Tensor style_rgb = rgb_tensor(inputs.style);
    const Vgg19Features vgg(inputs.weights, device);
    torch::Tensor content_scaled = imagenet_normalize(resize_rgb(content_rgb, scale.size));
    const torch::Tensor style_scaled = imagenet_normalize(resize_rgb(style_rgb, scale.style_size));
    const ScaleLoss loss(vgg, options, content_scaled, {}, {{style_scaled, {}, 1.0}}, scale.tile_side,
                         [&] { keep_setup_within_plan(device, scale); });
    torch::Tensor candidate = content_scaled.clone();
    content_scaled = torch::Tensor();
    const std::vector<torch::Tensor> state = lbfgs_state_stand_in(candidate, scale.lbfgs_history);
    const double setup_seconds = seconds_since(start);
    const double setup_peak_mb = proc_status_mb("VmHWM"); // which of setup and step sets the peak

    start = Clock::now();
    Losses losses;
    torch::Tensor gradient;
    keep_within_plan(device, scale);
    loss.evaluate(candidate, losses, gradient, tile_progress(device, scale));
    Lbfgs(options.learning_rate, scale.lbfgs_history).step(candidate, gradient);
    const double step_seconds = seconds_since(start);

    json result = scale_json(scale);
    result["memory_limit_mb"] = static_cast<double>(plan.memory_limit) / kMiB;
    result["forced_tile_size"] = options.tile_size;
    result["estimated_step_seconds"] = estimated_seconds(plan, false, cpu_threads());
    result["setup_seconds"] = setup_seconds;
    result["step_seconds"] = step_seconds;
    result["memory"] = memory_report(false, baseline);
    const double measured = result["memory"]["peak_rss_mb"];
    result["measured_peak_mb"] = measured;
    result["setup_peak_mb"] = setup_peak_mb;
    result["measured_over_estimated"] = measured / result["estimated_peak_mb"].get<double>();
    result["under_limit"] = measured < result["memory_limit_mb"].get<double>();
    return result;
}

json child_large_run(const Args &args, const ChildInputs &inputs) {
    StyleOptions options = large_options(args);
    if (args.child_steps > 0)
        options.steps = args.child_steps;
    const RunPlan plan = plan_for(inputs, options);
    json result;
    result["max_size"] = options.max_size;
    result["scales"] = json::array();
    for (const ScalePlan &s : plan.scales)
        result["scales"].push_back(scale_json(s));
    result["estimated_seconds"] = estimated_seconds(plan, false, cpu_threads());
    result["estimated_peak_mb"] = static_cast<double>(plan.peak_bytes) / kMiB;
    // What the dialog says once its preview has run: the preview's run first, then the estimate at its pace.
    StyleOptions preview = options;
    preview.max_size = kPreviewSide;
    preview.steps = kPreviewSteps;
    PaceMeter pace;
    stylize(inputs.content, {inputs.style}, inputs.weights, preview, [&](const StepReport &r) {
        pace.add(r);
        return true;
    });
    const double preview_pace = pace.seconds_per_megapixel_step();
    result["preview_seconds_per_megapixel_step"] = preview_pace;
    result["estimated_seconds_at_preview_pace"] = estimated_seconds(plan, preview_pace);
    const double baseline = proc_status_mb("VmRSS");
    int steps = 0;
    const Clock::time_point start = Clock::now();
    stylize(inputs.content, {inputs.style}, inputs.weights, options, [&](const StepReport &r) {
        if (!r.in_step && ++steps % 10 == 0)
            std::cerr << "  step " << r.step << " of " << r.total_steps << " at " << r.width << "x" << r.height
                      << ", " << static_cast<int>(r.seconds) << " s\n";
        return true;
    });
    result["steps"] = steps;
    result["seconds"] = seconds_since(start);
    result["memory"] = memory_report(false, baseline);
    result["measured_peak_mb"] = result["memory"]["peak_rss_mb"];
    return result;
}

namespace {

// The options a large child needs beside its kind: its images, its working size and forced tile size.
std::vector<std::string> large_child_options(const Args &args, const std::string &workdir, Size content,
                                             int max_size, int tile_size) {
    const int side = args.large_style_side;
    return {"--child-content", image_path(workdir, "content", content),
            "--child-style", image_path(workdir, "style", {side, side}),
            "--child-size", std::to_string(max_size),
            "--child-tile-size", std::to_string(tile_size),
            "--memory-limit", std::to_string(args.memory_limit)};
}

json ratio(const json &numerator, const json &denominator) {
    return numerator.is_number() && denominator.is_number() ? json(numerator.get<double>() / denominator.get<double>())
                                                            : json();
}

void write_images(const Args &args, const std::string &workdir) {
    const Size style{args.large_style_side, args.large_style_side};
    save_npy(image_path(workdir, "style", style), synthetic_style(style));
    std::vector<Size> contents = args.large_sizes;
    contents.insert(contents.end(), {args.overhead_size, args.default_run_size});
    for (Size size : contents)
        save_npy(image_path(workdir, "content", size), synthetic_content(size));
}

} // namespace

json large_section(Runner &runner, const Args &args) {
    write_images(args, runner.workdir());
    auto step = [&](Size size, int tile_size) {
        std::cerr << "[large " << size_text(size) << (tile_size > 0 ? ", tiles of " + std::to_string(tile_size) : "")
                  << "] one step at full size...\n";
        json result =
            runner.child("large-step", "cpu", large_child_options(args, runner.workdir(), size, 0, tile_size));
        if (result.contains("error")) { // a refused or failed step still names its size in the report
            result["width"] = size.width;
            result["height"] = size.height;
        }
        return result;
    };
    json large;
    large["memory_limit_mb"] = static_cast<double>(args.memory_limit) / kMiB;
    large["style_size"] = {args.large_style_side, args.large_style_side};
    large["steps"] = json::array();
    for (Size size : args.large_sizes)
        large["steps"].push_back(step(size, 0));

    json &tiling = large["tiling"];
    tiling["untiled"] = step(args.overhead_size, 0);
    tiling["tiled"] = step(args.overhead_size, args.overhead_tile);
    const bool whole = tiling["untiled"].value("tiles", 0) == 1;
    tiling["untiled_fits"] = whole;
    tiling["tiled_over_untiled"] =
        whole ? ratio(tiling["tiled"]["step_seconds"], tiling["untiled"]["step_seconds"]) : json();

    json &runs = large["default_run"];
    for (const auto &[key, max_size] : {std::pair<const char *, int>{"full_size", 0}, {"old_working_size", args.old_working_size}}) {
        std::cerr << "[large " << size_text(args.default_run_size) << "] the default run at "
                  << (max_size > 0 ? std::to_string(max_size) + " px" : std::string("full size")) << "...\n";
        std::vector<std::string> extra = large_child_options(args, runner.workdir(), args.default_run_size, max_size, 0);
        if (args.quick) // a few steps: the smoke test checks the figures are there, not what they are
            extra.insert(extra.end(), {"--child-steps", "10"});
        runs[key] = runner.child("large-run", "cpu", extra);
    }
    runs["full_over_old"] = ratio(runs["full_size"]["seconds"], runs["old_working_size"]["seconds"]);
    return large;
}

} // namespace neural_style::benchmark
