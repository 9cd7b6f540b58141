// SPDX-License-Identifier: GPL-3.0-or-later
// One call of fetch_weights(): the download's state and the steps that change it, in three files along its
// seams: download.cpp (the run, receiving data, the retry loop), part_file.cpp (the partial download kept between
// calls: DEST.part and its sidecar DEST.part.json) and compact_output.cpp (the verified destination file).
#pragma once

#include "posix_file.h"
#include "source.h"
#include "trust_record.h"
#include "weights_fetch.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neural_style::fetch {

using Clock = std::chrono::steady_clock;

// A merged byte range of the plan and how much of it DEST.part holds.
struct PlanEntry {
    std::uint64_t begin = 0, end = 0; // absolute offsets in the source
    std::uint64_t part_offset = 0;    // where the range starts in DEST.part
    std::uint64_t done = 0;           // bytes held, from begin
    std::uint64_t unverified = 0;     // resumed bytes just before `done` still to be compared with the source's
    std::uint64_t length() const { return end - begin; }
    bool complete() const { return done == length(); }
};

class Download : public Receiver {
public:
    Download(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress);
    FetchResult run();

private:
    // ---- part_file.cpp: the partial download
    void open_part();
    void read_sidecar();
    void checkpoint();
    void keep_part() noexcept;
    void discard_part() noexcept;
    void resume_or_reset();

    // ---- download.cpp: receiving
    void begin_response(const ResponseInfo &info) override;
    bool data(const char *bytes, std::size_t size) override;
    void idle() override { tick(false); }
    void store(const char *bytes, std::size_t size);
    void verify_resumed(PlanEntry &entry, const char *bytes, std::uint64_t first, std::uint64_t last);
    bool all_complete() const;
    void make_plan();
    void tick(bool force);
    std::uint64_t byte_cap() const;

    // ---- download.cpp: the loop
    void download();
    void wait_before_retry(int failures);

    // ---- compact_output.cpp: the destination
    FetchResult write_output();
    std::string output_temporary_prefix() const;
    void check_trusted(const char *what, const std::string &recorded, const std::string &seen) const;

    const FetchRequest &request_;
    const std::function<bool(const FetchProgress &)> &on_progress_;
    std::string output_, part_path_, sidecar_path_;
    std::filesystem::path folder_;
    std::unique_ptr<Source> source_;
    Fd part_;
    nlohmann::json sidecar_;
    std::optional<TrustRecord> trusted_; // what the first download to this destination saw

    std::string head_; // the prefix and JSON header, as received
    std::uint64_t header_total_ = 0;
    std::string header_sha256_;
    SafetensorsHeader header_;
    std::uint64_t source_size_ = kUnknown;
    std::string etag_;
    bool planned_ = false;
    bool asked_for_range_ = false;
    std::vector<PlanEntry> plan_;
    std::uint64_t pos_ = 0;
    std::uint64_t since_checkpoint_ = 0;
    std::uint64_t bytes_verified_ = 0; // resumed bytes compared again: progress, for the retry loop
    FetchProgress progress_;
    Clock::time_point last_tick_{};
    Clock::time_point deadline_{};
};

} // namespace neural_style::fetch
