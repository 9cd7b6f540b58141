// SPDX-License-Identifier: GPL-3.0-or-later
#include "command_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>

namespace neural_style::cli {

SplitArguments split_arguments(int argc, char **argv, const std::set<std::string> &value_options,
                               const std::set<std::string> &flags) {
    static const std::map<std::string, std::string> short_forms = {{"-q", "--quiet"}, {"-h", "--help"}};
    SplitArguments split;
    bool only_positional = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (only_positional || arg.size() < 2 || arg[0] != '-') {
            split.positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positional = true;
            continue;
        }
        const auto short_form = short_forms.find(arg);
        const std::string flag = short_form != short_forms.end() ? short_form->second : arg;
        if (flags.count(flag)) {
            split.flags.insert(flag);
            continue;
        }
        std::string value;
        bool has_value = false;
        const size_t equals = arg.find('=');
        if (equals != std::string::npos) {
            value = arg.substr(equals + 1);
            arg = arg.substr(0, equals);
            has_value = true;
        }
        if (!value_options.count(arg))
            throw UsageError("unknown option '" + arg + "'");
        if (!has_value) {
            if (i + 1 >= argc)
                throw UsageError(arg + ": needs a value");
            value = argv[++i];
        }
        split.options.emplace_back(arg, value);
    }
    return split;
}

double parse_number(const std::string &option, const std::string &text) {
    char *end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value))
        throw UsageError(option + ": '" + text + "' is not a number");
    return value;
}

long long parse_whole(const std::string &option, const std::string &text) {
    char *end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE)
        throw UsageError(option + ": '" + text + "' is not a whole number");
    return value;
}

int parse_int_within(const std::string &option, const std::string &text, int min, int max) {
    const long long value = parse_whole(option, text);
    if (value < min || value > max)
        throw UsageError(option + ": must be from " + std::to_string(min) + " to " + std::to_string(max));
    return static_cast<int>(value);
}

} // namespace neural_style::cli
