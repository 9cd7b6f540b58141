// SPDX-License-Identifier: GPL-3.0-or-later
// The one exception type the core throws for anything a user can fix: a bad weight file, an unusable image,
// an impossible option. Its message is a single line meant to be shown as it is.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace neural_style {

// What went wrong, for a host that says it in its own (translated) words; the message stays the English line. The
// values are what such a sentence needs, in this order.
enum class ErrorKind {
    other,             // only the message
    weights_file,      // the file's path, then why it cannot be used (from the file's format, in English)
    not_enough_memory, // the size in pixels ("8192x5464"), the memory limit ("8.0 GB")
    content_too_small, // the working size ("40x30"), the least side in pixels ("64")
    style_transparent, // which style, counting from 1
    gpu_out_of_memory, // none
    no_gpu,            // none
    out_of_memory,     // none: the computer's memory ran out (std::bad_alloc, which a host turns into this)
    diverged,          // the step ("12") whose loss was no longer a number
};

class StyleError : public std::runtime_error {
public:
    explicit StyleError(const std::string &message) : std::runtime_error(message) {}
    StyleError(ErrorKind kind, const std::string &message, std::vector<std::string> values = {})
        : std::runtime_error(message), kind_(kind), values_(std::move(values)) {}

    ErrorKind kind() const { return kind_; }
    const std::vector<std::string> &values() const { return values_; }

private:
    ErrorKind kind_ = ErrorKind::other;
    std::vector<std::string> values_;
};

// Throws StyleError(message): for code that checks one thing after another.
[[noreturn]] inline void fail(const std::string &message) { throw StyleError(message); }

} // namespace neural_style
