// SPDX-License-Identifier: GPL-3.0-or-later
// Which sources are allowed: check_source_url() of weights_fetch.h.
#include "weights_fetch.h"

#include "http_source.h"

namespace neural_style {

namespace {

bool is_loopback_host(const std::string &host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

} // namespace

void check_source_url(const std::string &url) {
    using fetch::fail, fetch::one_line;
    const fetch::ParsedUrl parsed = fetch::parse_url(url);
    if (parsed.scheme == "https" || parsed.scheme == "file")
        return;
    if (parsed.scheme == "http") {
        if (is_loopback_host(parsed.host))
            return;
        fail("refusing " + one_line(url) + ": only https:// is allowed for remote URLs (http:// only to 127.0.0.1, "
             "localhost or [::1])");
    }
    fail("refusing " + one_line(url) + ": use https://..., or file:///path for a local file");
}

} // namespace neural_style
