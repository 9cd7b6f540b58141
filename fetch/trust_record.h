// SPDX-License-Identifier: GPL-3.0-or-later
// Trust on first use: what the first download to a destination saw, kept beside it as DEST.trust.json, so that a
// later resume or re-download that differs is noticed. The source publishes no hash of its own to pin (timm's
// file on Hugging Face is addressed by a branch, not a revision), so this is the fixed thing to check against.
#pragma once

#include <optional>
#include <string>

namespace neural_style::fetch {

struct TrustRecord {
    std::string url;           // the source the header was read from
    std::string header_sha256; // of the source's length prefix and JSON header
    std::string file_sha256;   // of the compact file written
};

std::string trust_record_path(const std::string &destination);

// Empty when there is no record, or none that can be read (a broken one is as good as none: the next success
// writes it again). Never follows a symbolic link; throws StyleError for a record of another user.
std::optional<TrustRecord> read_trust_record(const std::string &destination);

void write_trust_record(const std::string &destination, const TrustRecord &record);

} // namespace neural_style::fetch
