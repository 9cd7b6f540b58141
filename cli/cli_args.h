// SPDX-License-Identifier: GPL-3.0-or-later
// The command line of `neural-style`: parsing and the help text.
#pragma once

#include "options.h"

#include <stdexcept>
#include <string>

namespace neural_style::cli {

// A mistake in how the program was called: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CliArgs {
    std::string content, style, output;
    std::string weights;  // empty: the default search
    std::string log;      // empty: no log
    bool quiet = false;
    bool help = false;
    bool version = false;
    StyleOptions options;
};

// Throws UsageError naming the option and what is wrong with it.
CliArgs parse_cli_args(int argc, char **argv);

std::string usage_text();

} // namespace neural_style::cli
