// SPDX-License-Identifier: GPL-3.0-or-later
#include "download.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace neural_style::fetch {

using json = nlohmann::json;

namespace {

constexpr std::uint64_t kMaxSidecarBytes = 1u << 20; // ours are a few hundred bytes
// How much of each resumed range is asked for again and compared: a source replaced under the same URL, ETag and
// header (a server that does not send a new ETag) would otherwise be mixed with what the first attempt kept.
constexpr std::uint64_t kResumeCheckBytes = 4u << 10;

} // namespace

void Download::open_part() {
    part_ = open_own_file(part_path_, O_RDWR | O_CREAT);
    if (::flock(part_.get(), LOCK_EX | LOCK_NB) != 0)
        fail("another download to " + output_ + " is in progress");
    // The lock is held on the file we opened: make sure it is still the one at the path.
    struct stat held {}, named {};
    if (::fstat(part_.get(), &held) != 0 || ::lstat(part_path_.c_str(), &named) != 0 ||
        held.st_ino != named.st_ino || held.st_dev != named.st_dev)
        fail("another download to " + output_ + " is in progress");
    // With the lock, no other download to this destination runs: temporaries left by a killed one can go.
    remove_stale_temporaries(sidecar_path_ + ".");
    remove_stale_temporaries(output_temporary_prefix());
    read_sidecar();
}

// The sidecar is only a hint: anything unreadable or odd in it means starting afresh (resume_or_reset).
void Download::read_sidecar() {
    const Fd fd = open_own_file(sidecar_path_, O_RDONLY);
    if (fd.get() < 0)
        return;
    const std::uint64_t size = file_size_of(fd.get());
    if (size > kMaxSidecarBytes)
        return;
    std::string text(size, '\0');
    pread_all(fd.get(), text.data(), text.size(), 0, sidecar_path_);
    sidecar_ = json::parse(text, nullptr, false);
    if (!sidecar_.is_object())
        sidecar_ = json();
}

void Download::checkpoint() {
    if (!planned_)
        return;
    if (::fdatasync(part_.get()) != 0)
        fail("cannot write " + part_path_ + ": " + errno_text());
    json ranges = json::array();
    for (const PlanEntry &entry : plan_)
        ranges.push_back({entry.begin, entry.end, entry.done});
    json state = {{"version", 1},
                  {"url", request_.url},
                  {"source_size", source_size_ == kUnknown ? json(nullptr) : json(source_size_)},
                  {"etag", etag_},
                  {"header_length", head_.size()},
                  {"header_sha256", header_sha256_},
                  {"ranges", ranges}};
    write_file_atomically(sidecar_path_, state.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
    since_checkpoint_ = 0;
}

void Download::keep_part() noexcept {
    try {
        if (planned_ && part_.get() >= 0)
            checkpoint();
    } catch (...) {
    }
    // Nothing worth keeping: leave no clutter.
    struct stat st {};
    if (::stat(sidecar_path_.c_str(), &st) != 0 && part_.get() >= 0 && file_size_of(part_.get()) == 0)
        ::unlink(part_path_.c_str());
}

void Download::discard_part() noexcept {
    ::unlink(sidecar_path_.c_str());
    ::unlink(part_path_.c_str());
}

void Download::resume_or_reset() {
    bool usable = false;
    const json &s = sidecar_;
    try {
        if (s.is_object() && s.value("version", 0) == 1 && s.value("url", "") == request_.url &&
            s.value("header_sha256", "") == header_sha256_ && s.value("header_length", 0ull) == head_.size()) {
            const json &size = s.at("source_size");
            const bool same_size = size.is_null() ? source_size_ == kUnknown
                                                  : (size.get<std::uint64_t>() == source_size_);
            const std::string old_etag = s.value("etag", "");
            const bool same_etag = old_etag.empty() || etag_.empty() || old_etag == etag_;
            const json &ranges = s.at("ranges");
            bool same_plan = ranges.is_array() && ranges.size() == plan_.size();
            for (std::size_t i = 0; same_plan && i < plan_.size(); ++i)
                same_plan = ranges[i].at(0).get<std::uint64_t>() == plan_[i].begin &&
                            ranges[i].at(1).get<std::uint64_t>() == plan_[i].end;
            usable = same_size && same_etag && same_plan;
            if (usable) {
                const std::uint64_t held = file_size_of(part_.get());
                for (std::size_t i = 0; i < plan_.size(); ++i) {
                    PlanEntry &entry = plan_[i];
                    const std::uint64_t recorded = ranges[i].at(2).get<std::uint64_t>();
                    const std::uint64_t available = held > entry.part_offset ? held - entry.part_offset : 0;
                    entry.done = std::min({recorded, available, entry.length()});
                    entry.unverified = std::min(entry.done, kResumeCheckBytes);
                    progress_.bytes_resumed += entry.done;
                }
            }
        }
    } catch (const json::exception &) {
        usable = false;
    }
    if (!usable) {
        for (PlanEntry &entry : plan_)
            entry.done = entry.unverified = 0;
        progress_.bytes_resumed = 0;
        ::unlink(sidecar_path_.c_str());
        if (::ftruncate(part_.get(), 0) != 0)
            fail("cannot truncate " + part_path_ + ": " + errno_text());
    }
    progress_.bytes_done = progress_.bytes_resumed;
}

} // namespace neural_style::fetch
