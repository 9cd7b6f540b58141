#include "report.h"

#include "error.h"

#include <fstream>
#include <iomanip>
#include <sstream>
#include <vector>

namespace neural_style::benchmark {

using json = nlohmann::json;

namespace {

std::string format(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

std::string cell(const json &value, int decimals) { return value.is_number() ? format(value.get<double>(), decimals) : "-"; }

std::string text(const json &holder, const char *key) { return holder.value(key, std::string("?")); }

void header(std::ostream &table, const json &out) {
    const json &cpu = out["cpu"];
    const int threads = cpu["threads"];
    table << "neural-style-benchmark " << text(out, "version") << ", LibTorch " << text(out, "libtorch") << ", "
          << text(out, "date") << (out["quick"].get<bool>() ? "  (--quick: figures meaningless)" : "") << "\n";
    table << "CPU: " << text(cpu, "model") << ", " << threads << (threads == 1 ? " thread, " : " threads, ")
          << cell(cpu["mhz"], 0) << " MHz";
    if (cpu["peak_gflops"].is_number()) {
        const json &measured = cpu["measured_fma_peak_gflops"];
        table << "; FP32 peak assumed " << cell(cpu["peak_gflops"], 0) << " GFLOP/s (nominal "
              << cell(cpu["nominal_peak_gflops"], 0) << ": " << text(cpu, "simd") << " x " << cell(cpu["mhz"], 0)
              << " MHz x " << threads << "; measured FMA loop "
              << (measured.is_number() ? cell(measured, 0) + " = " +
                                             format(measured.get<double>() /
                                                        (cpu["flop_per_cycle_per_core"].get<double>() * threads),
                                                    2) +
                                             " GHz effective"
                                       : std::string("not run"))
              << ")";
    }
    table << "\nImages: " << text(out, "images") << "; weights: " << text(out, "weights") << "\n\n";
}

void speed_row(std::ostream &table, const std::string &device, const json &r, bool memory_only) {
    table << std::left << std::setw(8) << device << std::right << std::setw(7) << r["size"].get<int>();
    if (r.contains("error")) {
        table << (memory_only ? "  memory run failed: " : "  failed: ") << r["error"].get<std::string>() << "\n";
        return;
    }
    const json &m = r["memory"];
    const bool on_gpu = m.contains("gpu_peak_allocated_mb");
    table << std::setw(12) << cell(r["model_gflop_per_step"], 1) << std::setw(10)
          << cell(r.value("seconds_per_step", json()), 3) << std::setw(10) << cell(r.value("gflops", json()), 1)
          << std::setw(8) << cell(r.value("percent_of_peak", json()), 1) << std::setw(10)
          << cell(on_gpu ? m["gpu_peak_reserved_mb"] : m["peak_rss_mb"], 0) << std::setw(12) << cell(m["working_mb"], 0)
          << std::setw(10) << cell(r["working_mb_per_megapixel"], 0);
    if (memory_only)
        table << "  (one cold step, " << cell(r["cold_step_seconds"], 0) << " s; the default settings' full L-BFGS "
              << "history adds " << cell(r["lbfgs_history_mb"], 0) << " MB)\n";
    else
        table << std::setw(12) << cell(r["cpu_seconds_per_step"], 3) << std::setw(13)
              << cell(r["page_faults_per_step"], 0) << "\n";
}

void speed_table(std::ostream &table, const json &out) {
    table << "Per step (one loss+gradient evaluation: the seed preset's Adam; after warm-up; CPU s: user+system time "
             "of all threads; faults: minor page faults):\n";
    table << std::left << std::setw(8) << "device" << std::right << std::setw(7) << "size" << std::setw(12)
          << "GFLOP/step" << std::setw(10) << "s/step" << std::setw(10) << "GFLOP/s" << std::setw(8) << "%peak"
          << std::setw(10) << "peak MB" << std::setw(12) << "working MB" << std::setw(10) << "MB/Mpx" << std::setw(12)
          << "CPU s/step" << std::setw(13) << "faults/step" << "\n";
    for (const json &dev : out["devices"]) {
        for (const json &r : dev["sizes"])
            speed_row(table, dev["device"], r, false);
        for (const json &r : dev["memory_sizes"])
            speed_row(table, dev["device"], r, true);
    }
}

// The notes under the time-to-quality table for one size.
void ttq_notes(const std::string &device, const json &t, std::vector<std::string> &notes) {
    if (!t["seed_full_length"].get<bool>())
        notes.push_back("* " + device + " " + std::to_string(t["size"].get<int>()) + " px: " + text(t, "seed_note"));
    if (t.contains("default") && t["default"].contains("error"))
        notes.push_back("  default run failed: " + text(t["default"], "error"));
    if (t.contains("pytorch") && t["pytorch"].contains("error"))
        notes.push_back("  PyTorch run failed: " + text(t["pytorch"], "error"));
    else if (t.contains("pytorch"))
        notes.push_back("  PyTorch " + text(t["pytorch"], "torch_version") + " (Python) on " +
                        std::to_string(t["pytorch"].value("threads", 0)) +
                        " thread(s), same weights, images, losses, optimizer and scale plan");
}

void ttq_table(std::ostream &table, const json &out) {
    table << "\nTime to quality (seconds until the total loss at the full size is at most the seed preset's final loss):\n";
    table << std::left << std::setw(8) << "device" << std::right << std::setw(7) << "size" << std::setw(12)
          << "seed steps" << std::setw(13) << "target loss" << std::setw(10) << "seed s" << std::setw(11)
          << "default s" << std::setw(10) << "vs seed" << std::setw(11) << "PyTorch s" << std::setw(12)
          << "vs PyTorch" << "\n";
    auto speedup = [](const json &v) { return v.is_number() ? format(v.get<double>(), 1) + "x" : "-"; };
    auto seconds = [](const json &holder, const char *key) {
        if (holder.contains(key) && holder[key].is_number())
            return format(holder[key].get<double>(), 1);
        return std::string(holder.contains(key) ? "not reached" : "-");
    };
    std::vector<std::string> notes;
    for (const json &dev : out["devices"])
        for (const json &t : dev["time_to_quality"]) {
            table << std::left << std::setw(8) << dev["device"].get<std::string>() << std::right << std::setw(7)
                  << t["size"].get<int>();
            if (!t.contains("target_loss")) {
                table << "  seed run failed: " << t["seed"].value("error", std::string("no steps")) << "\n";
                continue;
            }
            std::ostringstream loss;
            loss << std::setprecision(4) << t["target_loss"].get<double>();
            table << std::setw(12)
                  << (std::to_string(t["seed_steps_done"].get<int>()) + (t["seed_full_length"].get<bool>() ? "" : "*"))
                  << std::setw(13) << loss.str() << std::setw(10) << cell(t["seed_seconds"], 1) << std::setw(11)
                  << seconds(t, "default_seconds") << std::setw(10) << speedup(t.value("speedup_vs_seed", json()))
                  << std::setw(11) << seconds(t, "pytorch_seconds") << std::setw(12)
                  << speedup(t.value("speedup_vs_pytorch", json())) << "\n";
            ttq_notes(dev["device"], t, notes);
        }
    for (const std::string &note : notes)
        table << note << "\n";
}

std::string size_cell(const json &r) {
    return std::to_string(r["width"].get<int>()) + "x" + std::to_string(r["height"].get<int>());
}

void large_step_row(std::ostream &table, const std::string &label, const json &r) {
    table << std::left << std::setw(24) << label << std::right;
    if (r.contains("error")) {
        table << "  failed: " << r["error"].get<std::string>() << "\n";
        return;
    }
    table << std::setw(7) << r["tiles"].get<int>() << std::setw(6) << r["tile_side"].get<int>() << std::setw(6)
          << r["lbfgs_history"].get<int>() << std::setw(9) << cell(r["setup_seconds"], 1) << std::setw(9)
          << cell(r["step_seconds"], 1) << std::setw(10) << cell(r["estimated_step_seconds"], 1) << std::setw(11)
          << cell(r["estimated_peak_mb"], 0) << std::setw(11) << cell(r["measured_peak_mb"], 0) << std::setw(10)
          << cell(r["measured_over_estimated"], 2) << std::setw(10) << cell(r["memory_limit_mb"], 0)
          << (r["under_limit"].get<bool>() ? "" : "  OVER THE LIMIT") << "\n";
}

void large_run_row(std::ostream &table, const std::string &label, const json &r) {
    table << "  " << std::left << std::setw(22) << label << std::right;
    if (r.contains("error")) {
        table << "  failed: " << r["error"].get<std::string>() << "\n";
        return;
    }
    const json &finest = r["scales"].back();
    table << std::setw(11) << size_cell(finest) << std::setw(8) << r["scales"].size() << std::setw(7)
          << r["steps"].get<int>() << std::setw(9) << cell(r["seconds"], 0) << std::setw(12)
          << cell(r["estimated_seconds"], 0) << std::setw(14) << cell(r["estimated_seconds_at_preview_pace"], 0)
          << std::setw(10) << cell(r["measured_peak_mb"], 0) << "\n";
}

void large_table(std::ostream &table, const json &large) {
    table << "Large images: one L-BFGS step of the default settings at full size (one scale), memory limit "
          << cell(large["memory_limit_mb"], 0) << " MB, style " << large["style_size"][0].get<int>() << " px square"
          << " (scaled to each size). Setup: the style's and content's targets; estimate: the run plan's; peak: "
             "process VmHWM, the L-BFGS history a long run keeps included:\n";
    table << std::left << std::setw(24) << "content" << std::right << std::setw(7) << "tiles" << std::setw(6)
          << "side" << std::setw(6) << "hist" << std::setw(9) << "setup s" << std::setw(9) << "step s" << std::setw(10)
          << "est. s" << std::setw(11) << "est. MB" << std::setw(11) << "peak MB" << std::setw(10) << "peak/est"
          << std::setw(10) << "limit MB" << "\n";
    for (const json &r : large["steps"])
        large_step_row(table, size_cell(r), r);
    const json &tiling = large["tiling"];
    for (const char *kind : {"untiled", "tiled"})
        large_step_row(table, size_cell(tiling[kind]) + " " + kind, tiling[kind]);
    table << "Tiled step over untiled: "
          << (tiling["untiled_fits"].get<bool>() ? cell(tiling["tiled_over_untiled"], 2) + "x"
                                                 : std::string("- (the untiled step does not fit the limit)"))
          << "\n\nThe default run, all its scales, at full size and at the old working size; estimated: the run "
             "plan's, and at the pace of the dialog's preview (run before it):\n";
    table << "  " << std::left << std::setw(22) << "working size" << std::right << std::setw(11) << "finest"
          << std::setw(8) << "scales" << std::setw(7) << "steps" << std::setw(9) << "s" << std::setw(12)
          << "estimated s" << std::setw(14) << "preview pace" << std::setw(10) << "peak MB" << "\n";
    const json &runs = large["default_run"];
    large_run_row(table, "full size", runs["full_size"]);
    large_run_row(table, std::to_string(runs["old_working_size"].value("max_size", 0)) + " px (old default)",
                  runs["old_working_size"]);
    table << "Full size over the old working size: " << cell(runs["full_over_old"], 2) << "x\n";
}

} // namespace

std::string results_table(const json &out) {
    std::ostringstream table;
    header(table, out);
    if (out.contains("large")) {
        large_table(table, out["large"]);
    } else {
        speed_table(table, out);
        ttq_table(table, out);
    }
    const double load_at_start = out["load_average_1min"]["start"];
    table << "Total benchmark time: " << cell(out["total_seconds"], 0) << " s; load average (1 min) "
          << format(load_at_start, 2) << " at the start, " << cell(out["load_average_1min"]["end"], 2) << " at the end"
          << (load_at_start > 0.5 ? ": other work was running, every figure is pessimistic" : "") << "\n";
    return table.str();
}

void write_json(const std::string &path, const json &out) {
    std::ofstream file(path);
    file << out.dump(1) << "\n";
    if (!file)
        throw StyleError(path + ": cannot write");
}

} // namespace neural_style::benchmark
