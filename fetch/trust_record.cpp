// SPDX-License-Identifier: GPL-3.0-or-later
#include "trust_record.h"

#include "posix_file.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>

namespace neural_style::fetch {

namespace {

using json = nlohmann::json;

constexpr std::uint64_t kMaxRecordBytes = 64u << 10; // ours are a few hundred bytes

} // namespace

std::string trust_record_path(const std::string &destination) { return destination + ".trust.json"; }

std::optional<TrustRecord> read_trust_record(const std::string &destination) {
    const std::string path = trust_record_path(destination);
    const Fd fd = open_own_file(path, O_RDONLY);
    if (fd.get() < 0 || file_size_of(fd.get()) > kMaxRecordBytes)
        return std::nullopt;
    std::string text(file_size_of(fd.get()), '\0');
    pread_all(fd.get(), text.data(), text.size(), 0, path);
    const json root = json::parse(text, nullptr, false);
    if (!root.is_object() || root.value("version", 0) != 1)
        return std::nullopt;
    TrustRecord record;
    for (auto [field, key] : {std::pair{&record.url, "url"}, {&record.header_sha256, "header_sha256"},
                              {&record.file_sha256, "file_sha256"}}) {
        const auto it = root.find(key);
        if (it == root.end() || !it->is_string())
            return std::nullopt;
        *field = it->get<std::string>();
    }
    return record;
}

void write_trust_record(const std::string &destination, const TrustRecord &record) {
    const json root = {{"version", 1},
                       {"url", record.url},
                       {"header_sha256", record.header_sha256},
                       {"file_sha256", record.file_sha256}};
    write_file_atomically(trust_record_path(destination),
                          root.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
}

} // namespace neural_style::fetch
