// SPDX-License-Identifier: GPL-3.0-or-later
// The downloader's reading of a server's header lines (fetch/http_headers.h): Content-Range above all, since the
// offsets it gives decide where received bytes are stored.
#include "http_headers.h"

#include <gtest/gtest.h>

namespace {

using neural_style::fetch::ContentRange;
using neural_style::fetch::kUnknown;
using neural_style::fetch::parse_content_range;
using neural_style::fetch::read_header_line;
using neural_style::fetch::ResponseHead;

TEST(ContentRange, WellFormed) {
    EXPECT_EQ(parse_content_range("bytes 0-99/1000"), (ContentRange{0, 99, 1000}));
    EXPECT_EQ(parse_content_range("bytes 999-999/1000"), (ContentRange{999, 999, 1000}));
    EXPECT_EQ(parse_content_range("Bytes 5-9/*"), (ContentRange{5, 9, kUnknown}));
    EXPECT_EQ(parse_content_range("  bytes 0-0/1\r\n"), (ContentRange{0, 0, 1}));
    EXPECT_EQ(parse_content_range("bytes 0-9223372036854775806/9223372036854775807"),
              (ContentRange{0, 9223372036854775806u, 9223372036854775807u}));
}

TEST(ContentRange, MalformedIsNoRange) {
    for (const char *bad : {"", "bytes", "bytes ", "bytes 0-99", "bytes 0/1000", "bytes -99/1000", "bytes 0-/1000",
                            "bytes 10-5/1000",         // last before first
                            "bytes 0-1000/1000",       // last past the end
                            "bytes */1000",            // an unsatisfied range
                            "bytes 0-99/",             // no total
                            "bytes 0-99/1000x", "bytes +0-99/1000", "bytes 0x0-99/1000", "bytes  0-99/1000",
                            "bytes 0 - 99/1000", "items 0-99/1000", "bytes=0-99/1000", "bytes 0-99/-1",
                            "bytes 0-99/99999999999999999999", // 20 digits: more than 64 bits may hold
                            "bytes 0-99/1000/2000", "bytes 0-9-9/1000"})
        EXPECT_FALSE(parse_content_range(bad).has_value()) << bad;
}

TEST(HeaderLines, StatusAndFields) {
    ResponseHead head;
    read_header_line("HTTP/1.1 206 Partial Content\r\n", head);
    read_header_line("ETag: \"abc-1\"\r\n", head);
    read_header_line("content-length: 100\r\n", head);
    read_header_line("Content-Range: bytes 100-199/1000\r\n", head);
    read_header_line("\r\n", head);
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.etag, "\"abc-1\"");
    EXPECT_EQ(head.content_length, 100u);
    ASSERT_TRUE(head.content_range.has_value());
    EXPECT_EQ(*head.content_range, (ContentRange{100, 199, 1000}));

    read_header_line("HTTP/2 200\r\n", head); // the next response of a redirect forgets the last one's fields
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.etag.empty());
    EXPECT_EQ(head.content_length, kUnknown);
    EXPECT_FALSE(head.content_range.has_value());
}

TEST(HeaderLines, OddValuesAreIgnored) {
    ResponseHead head;
    for (const char *status : {"HTTP/1.1 2000 OK", "HTTP/1.1 20 OK", "HTTP/1.1 abc", "HTTP/1.1", "HTTP/1.1 -20 x"}) {
        read_header_line(status, head);
        EXPECT_EQ(head.status, 0) << status;
    }
    read_header_line("Content-Length: 12abc", head);
    EXPECT_EQ(head.content_length, kUnknown);
    read_header_line("Content-Length: -1", head);
    EXPECT_EQ(head.content_length, kUnknown);
    // An ETag with a terminal escape, or one too long to keep, counts as none: it would be quoted and stored.
    read_header_line("ETag: \"a\x1b[2Jb\"", head);
    EXPECT_TRUE(head.etag.empty());
    read_header_line("ETag: " + std::string(201, 'e'), head);
    EXPECT_TRUE(head.etag.empty());
    read_header_line("Content-Range: bytes 5-1/10", head);
    EXPECT_FALSE(head.content_range.has_value());
    read_header_line("no colon here", head);
    EXPECT_EQ(head.status, 0);
}

} // namespace
