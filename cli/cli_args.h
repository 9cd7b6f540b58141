// SPDX-License-Identifier: GPL-3.0-or-later
// The command line of `neural-style`: parsing and the help text.
#pragma once

#include "command_line.h"
#include "options.h"

#include <optional>
#include <string>

namespace neural_style::cli {

struct CliArgs {
    std::string content, style, output;
    std::string weights;  // empty: the default search
    std::string log;      // empty: no log
    std::string mask;     // empty: none
    std::optional<double> style_strength; // applied to options.style_weight by parse_cli_args
    bool quiet = false;
    bool help = false;
    bool version = false;
    StyleOptions options;
};

// Throws UsageError naming the option and what is wrong with it.
CliArgs parse_cli_args(int argc, char **argv);

std::string usage_text();

} // namespace neural_style::cli
