// SPDX-License-Identifier: GPL-3.0-or-later
#include "http_headers.h"

#include <algorithm>
#include <cctype>

namespace neural_style::fetch {

namespace {

// A decimal number of at most 19 digits (it fits in 64 bits), nothing else.
std::optional<std::uint64_t> parse_number(const std::string &text) {
    if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), [](unsigned char c) {
            return std::isdigit(c) != 0;
        }))
        return std::nullopt;
    return std::stoull(text);
}

std::string trim(const std::string &text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

} // namespace

std::optional<ContentRange> parse_content_range(const std::string &value) {
    const std::string v = trim(value);
    if (v.size() < 6 || lower(v.substr(0, 6)) != "bytes ")
        return std::nullopt;
    const auto dash = v.find('-', 6), slash = v.find('/', 6);
    if (dash == std::string::npos || slash == std::string::npos || dash > slash)
        return std::nullopt;
    const auto first = parse_number(v.substr(6, dash - 6));
    const auto last = parse_number(v.substr(dash + 1, slash - dash - 1));
    const std::string total_text = v.substr(slash + 1);
    const auto total = total_text == "*" ? std::optional<std::uint64_t>(kUnknown) : parse_number(total_text);
    if (!first || !last || !total || *first > *last || (*total != kUnknown && *last >= *total))
        return std::nullopt;
    return ContentRange{*first, *last, *total};
}

void read_header_line(const std::string &raw, ResponseHead &head) {
    const std::string line = trim(raw);
    if (line.rfind("HTTP/", 0) == 0) { // a new response (redirects send several)
        head = ResponseHead();
        // "HTTP/1.1 206 Partial Content", "HTTP/2 200": three digits after the first space.
        const auto space = line.find(' ');
        if (space != std::string::npos && line.size() >= space + 4) {
            const std::string code = line.substr(space + 1, 3);
            const bool ends = line.size() == space + 4 || line[space + 4] == ' ';
            if (ends && std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
                head.status = std::stoi(code);
        }
        return;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos)
        return;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string value = trim(line.substr(colon + 1));
    if (name == "etag") {
        // Kept in the partial download's sidecar and quoted in messages: only what can be stored faithfully.
        const bool usable = value.size() <= 200 && printable(value, 200) == value;
        head.etag = usable ? value : std::string();
    } else if (name == "content-length") {
        head.content_length = parse_number(value).value_or(kUnknown);
    } else if (name == "content-range") {
        head.content_range = parse_content_range(value);
    }
}

} // namespace neural_style::fetch
