// SPDX-License-Identifier: GPL-3.0-or-later
// The grammar the programs' command lines share (neural-style, its fetch-weights, neural-style-benchmark): how
// arguments are split, how a number is read, and the one error type for a program called wrongly.
#pragma once

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

// A command line (argv[0] is the command) cut into options that take a value, in order ("--name value" or
// "--name=value"), flags and positional arguments; everything after "--" is positional. -q and -h are --quiet and
// --help. Throws UsageError for an option in neither set, or one missing its value. Every command uses it.
struct SplitArguments {
    std::vector<std::pair<std::string, std::string>> options;
    std::set<std::string> flags;
    std::vector<std::string> positional;
};
SplitArguments split_arguments(int argc, char **argv, const std::set<std::string> &value_options,
                               const std::set<std::string> &flags);

// A finite number, or a UsageError naming `option`.
double parse_number(const std::string &option, const std::string &text);

// A whole number, or a UsageError naming `option`.
long long parse_whole(const std::string &option, const std::string &text);

// A whole number from `min` to `max`, or a UsageError naming `option`.
int parse_int_within(const std::string &option, const std::string &text, int min, int max);

} // namespace neural_style::cli
