// SPDX-License-Identifier: GPL-3.0-or-later
// The one exception type the core throws for anything a user can fix: a bad weight file, an unusable image,
// an impossible option. Its message is a single line meant to be shown as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace neural_style {

class StyleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws StyleError(message): for code that checks one thing after another.
[[noreturn]] inline void fail(const std::string &message) { throw StyleError(message); }

} // namespace neural_style
