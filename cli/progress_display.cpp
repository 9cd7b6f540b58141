// SPDX-License-Identifier: GPL-3.0-or-later
#include "progress_display.h"

#include "error.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace neural_style::cli {

ProgressDisplay::ProgressDisplay(bool quiet, const std::string &log_path)
    : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0), log_path_(log_path) {
    if (!log_path.empty()) {
        log_.open(log_path, std::ios::trunc);
        if (!log_)
            throw StyleError(log_path + ": cannot create the log file");
    }
}

void ProgressDisplay::show(const StepReport &r) {
    if (log_.is_open() && !r.in_step) {
        const nlohmann::json line = {{"step", r.step},       {"total", r.total}, {"content", r.content},
                                     {"style", r.style},     {"tv", r.tv},       {"seconds", r.seconds},
                                     {"width", r.width},     {"height", r.height}};
        log_ << line.dump() << '\n';
        if (!log_.flush())
            throw StyleError(log_path_ + ": cannot write the log file");
    }
    if (quiet_)
        return;
    const double remaining = estimated_seconds_left(r);
    if (terminal_) {
        constexpr int width = 30;
        const int filled = static_cast<int>(r.work_done * width);
        const std::string tiles =
            r.in_step ? "  tile " + std::to_string(r.tiles_done) + "/" + std::to_string(r.tiles) : "";
        std::fprintf(stderr, "\r[%s%s] %d/%d  loss %.4g  %dx%d%s  %s, %s left  %s\033[K",
                     std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), r.step,
                     r.total_steps, r.total, r.width, r.height, tiles.c_str(), clock_text(r.seconds).c_str(),
                     clock_text(remaining).c_str(), r.device.c_str());
        bar_drawn_ = true;
    } else {
        // About twenty lines per run, plus the first and the last step.
        const int every = std::max(1, r.total_steps / 20);
        if (!r.in_step && (r.step == 1 || r.step % every == 0 || r.step == r.total_steps))
            std::fprintf(stderr, "step %d/%d loss %.6g (content %.6g, style %.6g) %dx%d %.1fs, %s left, %s\n",
                         r.step, r.total_steps, r.total, r.content, r.style, r.width, r.height, r.seconds,
                         clock_text(remaining).c_str(), r.device.c_str());
    }
}

void ProgressDisplay::finish() {
    if (bar_drawn_)
        std::fputc('\n', stderr);
    bar_drawn_ = false;
}

} // namespace neural_style::cli
