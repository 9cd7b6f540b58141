// SPDX-License-Identifier: GPL-3.0-or-later
// Reading an HTTP response's header lines (status, ETag, Content-Length, Content-Range): text from the server,
// parsed strictly. Free of curl so that the unit tests and a fuzz target reach it directly.
#pragma once

#include "fetch_common.h"

#include <cstdint>
#include <optional>
#include <string>

namespace neural_style::fetch {

// "bytes FIRST-LAST/TOTAL" (RFC 9110 14.4), TOTAL "*" when the server does not say (kUnknown here).
struct ContentRange {
    std::uint64_t first = 0, last = 0; // inclusive
    std::uint64_t total = kUnknown;
    bool operator==(const ContentRange &o) const { return first == o.first && last == o.last && total == o.total; }
};

// Empty unless `value` is exactly that form with FIRST <= LAST < TOTAL; an unsatisfied range ("bytes */TOTAL")
// is not a range either.
std::optional<ContentRange> parse_content_range(const std::string &value);

struct ResponseHead {
    int status = 0;                        // 0 until a well-formed status line
    std::string etag;                      // empty when none, or not printable ASCII of at most 200 characters
    std::uint64_t content_length = kUnknown;
    std::optional<ContentRange> content_range;
};

// Takes one header line as curl hands them over (CRLF included or not). A status line ("HTTP/1.1 206 ...")
// starts a new head: a redirect's headers do not leak into the final response's.
void read_header_line(const std::string &line, ResponseHead &head);

} // namespace neural_style::fetch
