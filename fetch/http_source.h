// SPDX-License-Identifier: GPL-3.0-or-later
// https:// (and loopback http://) sources through libcurl; the only part of the downloader that includes curl.
#pragma once

#include "source.h"

#include <memory>
#include <string>

namespace neural_style::fetch {

struct ParsedUrl {
    std::string scheme; // lowercase
    std::string host;   // lowercase, "[::1]" style for IPv6
    std::string path;   // decoded (file:// only)
};

// curl's own URL parser, so that the policy in check_source_url() sees a URL exactly as the transfer will.
ParsedUrl parse_url(const std::string &url);

// Byte ranges by Range requests; a server that ignores Range answers 200 and the whole body streams past.
// Redirects are followed to https:// only. Transfers fail (to be retried) after `stall_timeout_s` seconds
// without data.
std::unique_ptr<Source> make_http_source(const std::string &url, bool allow_http, long stall_timeout_s);

} // namespace neural_style::fetch
