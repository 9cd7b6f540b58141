// SPDX-License-Identifier: GPL-3.0-or-later
// The command line of `neural-style`: parsing and the help text.
#pragma once

#include "options.h"

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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
    std::string mask;     // empty: none
    std::optional<double> style_strength; // applied to options.style_weight by parse_cli_args
    bool quiet = false;
    bool help = false;
    bool version = false;
    StyleOptions options;
};

// Throws UsageError naming the option and what is wrong with it.
CliArgs parse_cli_args(int argc, char **argv);

// A command line (argv[0] is the command) cut into options that take a value, in order ("--name value" or
// "--name=value"), flags and positional arguments; everything after "--" is positional. -q and -h are --quiet and
// --help. Throws UsageError for an option in neither set, or one missing its value. Every subcommand uses it.
struct SplitArguments {
    std::vector<std::pair<std::string, std::string>> options;
    std::set<std::string> flags;
    std::vector<std::string> positional;
};
SplitArguments split_arguments(int argc, char **argv, const std::set<std::string> &value_options,
                               const std::set<std::string> &flags);

// A whole number from `min` to `max`, or a UsageError naming `option`.
int parse_int_within(const std::string &option, const std::string &text, int min, int max);

std::string usage_text();

} // namespace neural_style::cli
