// SPDX-License-Identifier: GPL-3.0-or-later
// Small things every part of the downloader shares. Internal to fetch/: the hosts include weights_fetch.h only.
#pragma once

#include "error.h"
#include "safetensors_header.h"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace neural_style::fetch {

constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();

using neural_style::fail;

// The source is not what it was or is not usable: the partial download must not be reused.
class SourceProblem : public StyleError {
public:
    using StyleError::StyleError;
};

// A URL or a library's message on one line: trailing line ends dropped, then printable().
inline std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    return printable(text, 300);
}

inline std::string lower(std::string text) {
    for (char &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

inline std::string errno_text() { return std::strerror(errno); }

} // namespace neural_style::fetch
