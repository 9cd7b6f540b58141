// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes, split into lines, as the header lines of HTTP responses. Whatever a server sends,
// the downloader's reading of it must not crash, and a Content-Range it accepts must be one whose offsets can be
// trusted: first <= last < total.
#include "http_headers.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace neural_style::fetch;
    const std::string text(reinterpret_cast<const char *>(data), size);
    ResponseHead head;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(begin, end - begin);
        read_header_line(line, head);
        const auto range = parse_content_range(line);
        for (const auto &r : {range, head.content_range})
            if (r && (r->first > r->last || (r->total != kUnknown && r->last >= r->total)))
                std::abort();
        if (head.status < 0 || head.status > 999 || head.etag.size() > 200)
            std::abort();
        for (char c : head.etag)
            if (c < 0x20 || c >= 0x7f)
                std::abort();
        begin = end + 1;
    }
    return 0;
}
