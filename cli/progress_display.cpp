// SPDX-License-Identifier: GPL-3.0-or-later
#include "progress_display.h"

#include "error.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace neural_style::cli {

ProgressLine::ProgressLine(bool quiet) : quiet_(quiet), live_(!quiet && isatty(STDERR_FILENO) != 0) {}

void ProgressLine::draw(double done, const std::string &text) {
    if (!live_)
        return;
    constexpr int width = 30;
    const int filled = static_cast<int>(std::clamp(done, 0.0, 1.0) * width);
    std::fprintf(stderr, "\r[%s%s] %s\033[K", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), text.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressLine::line(const std::string &text) {
    if (quiet_)
        return;
    finish();
    std::fprintf(stderr, "%s\n", text.c_str());
}

void ProgressLine::finish() {
    if (drawn_)
        std::fputc('\n', stderr);
    drawn_ = false;
}

ProgressDisplay::ProgressDisplay(bool quiet, const std::string &log_path) : line_(quiet), log_path_(log_path) {
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
    const double remaining = estimated_seconds_left(r);
    char text[512];
    if (line_.live()) {
        const std::string tiles =
            r.in_step ? "  tile " + std::to_string(r.tiles_done) + "/" + std::to_string(r.tiles) : "";
        std::snprintf(text, sizeof text, "%d/%d  loss %.4g  %dx%d%s  %s, %s left  %s", r.step, r.total_steps, r.total,
                      r.width, r.height, tiles.c_str(), clock_text(r.seconds).c_str(), clock_text(remaining).c_str(),
                      r.device.c_str());
        line_.draw(r.work_done, text);
        return;
    }
    // About twenty lines per run, plus the first and the last step.
    const int every = std::max(1, r.total_steps / 20);
    if (!r.in_step && (r.step == 1 || r.step % every == 0 || r.step == r.total_steps)) {
        std::snprintf(text, sizeof text, "step %d/%d loss %.6g (content %.6g, style %.6g) %dx%d %.1fs, %s left, %s",
                      r.step, r.total_steps, r.total, r.content, r.style, r.width, r.height, r.seconds,
                      clock_text(remaining).c_str(), r.device.c_str());
        line_.line(text);
    }
}

} // namespace neural_style::cli
