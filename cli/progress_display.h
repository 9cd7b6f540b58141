// SPDX-License-Identifier: GPL-3.0-or-later
// What the CLI shows while it works: a live bar on a terminal, plain lines otherwise, and for a run the --log file.
#pragma once

#include "step_report.h"

#include <fstream>
#include <string>

namespace neural_style::cli {

// stderr while something goes on, for every command: on a terminal one line redrawn in place (a bar and a text),
// elsewhere (a pipe, a file) only lines of their own, so that no carriage returns end up in logs. Nothing when quiet.
class ProgressLine {
public:
    explicit ProgressLine(bool quiet);
    ~ProgressLine() { finish(); }
    ProgressLine(const ProgressLine &) = delete;
    ProgressLine &operator=(const ProgressLine &) = delete;

    // Whether draw() shows anything: not quiet, and stderr is a terminal.
    bool live() const { return live_; }
    // "[#####.........] text" in place of what was drawn before; `done` from 0 to 1.
    void draw(double done, const std::string &text);
    // `text` on a line of its own (below the bar, which the next draw() starts again).
    void line(const std::string &text);
    // Ends the drawn line, so that what follows starts on a line of its own.
    void finish();

private:
    bool quiet_;
    bool live_;
    bool drawn_ = false;
};

// A run's steps, and with a log path one JSON line per step.
class ProgressDisplay {
public:
    // `log_path` may be empty. Throws StyleError when the log cannot be created.
    ProgressDisplay(bool quiet, const std::string &log_path);

    void show(const StepReport &report);
    void finish() { line_.finish(); }

private:
    ProgressLine line_;
    std::ofstream log_;
    std::string log_path_;
};

} // namespace neural_style::cli
