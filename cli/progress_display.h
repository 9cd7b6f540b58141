// SPDX-License-Identifier: GPL-3.0-or-later
// What the CLI shows while a run goes on: a live bar on a terminal, plain lines otherwise, and the --log file.
#pragma once

#include "step_report.h"

#include <cstdio>
#include <fstream>
#include <string>

namespace neural_style::cli {

class ProgressDisplay {
public:
    // `log_path` may be empty. Throws StyleError when the log cannot be created.
    ProgressDisplay(bool quiet, const std::string &log_path);

    ~ProgressDisplay() { finish(); }

    void show(const StepReport &report);
    // Ends the terminal's progress line, so that what follows starts on a line of its own.
    void finish();

private:
    bool quiet_;
    bool terminal_;
    std::ofstream log_;
    std::string log_path_;
    bool bar_drawn_ = false;
};

} // namespace neural_style::cli
