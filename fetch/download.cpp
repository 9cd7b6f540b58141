// SPDX-License-Identifier: GPL-3.0-or-later
#include "download.h"

#include "file_source.h"
#include "http_source.h"
#include "memory.h"
#include "sha256.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

namespace neural_style {

namespace fetch {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::uint64_t kFirstRequestBytes = 64u << 10; // the header of timm's file is about 3 KB
constexpr std::uint64_t kCheckpointBytes = 8u << 20;    // progress is made durable at least this often

} // namespace

Download::Download(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress)
    : request_(request), on_progress_(on_progress), output_(request.output), part_path_(output_ + ".part"),
      sidecar_path_(output_ + ".part.json") {}

FetchResult Download::run() {
    check_source_url(request_.url);
    if (output_.empty())
        fail("no destination file given");
    if (request_.tensors.empty())
        fail("no tensors asked for");
    const ParsedUrl url = parse_url(request_.url);
    if (url.scheme == "file")
        source_ = std::make_unique<FileSource>(url.path);
    else
        source_ = make_http_source(request_.url, url.scheme == "http", request_.stall_timeout_s);

    folder_ = fs::path(output_).parent_path();
    if (folder_.empty())
        folder_ = ".";
    std::error_code error;
    fs::create_directories(folder_, error);
    if (error)
        fail("cannot create the folder " + folder_.string() + ": " + error.message());
    deadline_ = Clock::now() + std::chrono::seconds(request_.time_limit_s);
    open_part();
    trusted_ = read_trust_record(output_);
    try {
        download();
        FetchResult result = write_output();
        ::unlink(sidecar_path_.c_str());
        ::unlink(part_path_.c_str());
        progress_.stage = FetchStage::Done;
        tick(true);
        return result;
    } catch (const SourceProblem &) {
        discard_part();
        throw;
    } catch (...) {
        keep_part();
        throw;
    }
}

// ---- receiving

void Download::begin_response(const ResponseInfo &info) {
    if (info.total != kUnknown) {
        if (source_size_ != kUnknown && info.total != source_size_)
            throw SourceProblem("the source changed during the download (" + std::to_string(info.total) +
                                " bytes, was " + std::to_string(source_size_) + ")");
        source_size_ = info.total;
    }
    // Weak validators (W/"...") may differ between servers of the same bytes: only strong ones are compared.
    if (!info.etag.empty() && info.etag.rfind("W/", 0) != 0) {
        if (!etag_.empty() && info.etag != etag_)
            throw SourceProblem("the source changed during the download (ETag " + printable(info.etag) + ", was " +
                                printable(etag_) + ")");
        etag_ = info.etag;
    }
    if (!info.partial && asked_for_range_)
        progress_.full_download = true;
    pos_ = info.start;
}

bool Download::data(const char *bytes, std::size_t size) {
    progress_.bytes_received += size;
    if (progress_.bytes_received > byte_cap())
        throw SourceProblem(request_.url + " sent more than the header and the tensors asked for (" +
                            std::to_string(progress_.bytes_received) + " bytes in this run)");
    while (size > 0 && !planned_) {
        const std::uint64_t want = header_total_ ? header_total_ : 8;
        if (pos_ < head_.size()) { // already have these
            const std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(size, head_.size() - pos_));
            bytes += skip, size -= skip, pos_ += skip;
            continue;
        }
        if (pos_ > head_.size())
            return false; // a gap: ask again from where the header stops
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(size, want - head_.size()));
        head_.append(bytes, take);
        bytes += take, size -= take, pos_ += take;
        if (head_.size() == 8 && header_total_ == 0) {
            try {
                header_total_ = 8 + header_length_from_prefix(
                                        reinterpret_cast<const unsigned char *>(head_.data()), source_size_);
            } catch (const StyleError &e) {
                fail(request_.url + " is not a usable safetensors file: " + e.what());
            }
        } else if (header_total_ && head_.size() == header_total_) {
            make_plan();
        }
    }
    if (planned_ && size > 0)
        store(bytes, size);
    if (since_checkpoint_ >= kCheckpointBytes)
        checkpoint();
    tick(false);
    return !(planned_ && all_complete());
}

// Compares the resumed bytes of `entry` that [first, last) covers with what DEST.part holds for them.
void Download::verify_resumed(PlanEntry &entry, const char *bytes, std::uint64_t first, std::uint64_t last) {
    const std::uint64_t check = entry.begin + entry.done - entry.unverified;
    if (entry.unverified == 0 || check < first || check >= last)
        return;
    const std::uint64_t count = std::min(last, entry.begin + entry.done) - check;
    std::string held(static_cast<std::size_t>(count), '\0');
    pread_all(part_.get(), held.data(), held.size(), entry.part_offset + (check - entry.begin), part_path_);
    if (held.compare(0, held.size(), bytes + (check - first), held.size()) != 0)
        throw SourceProblem(request_.url + " changed since the partial download (the bytes before offset " +
                            std::to_string(entry.begin + entry.done) + " differ); run it again to start afresh");
    entry.unverified -= count;
    bytes_verified_ += count;
}

void Download::store(const char *bytes, std::size_t size) {
    const std::uint64_t first = pos_, last = pos_ + size;
    for (PlanEntry &entry : plan_) {
        verify_resumed(entry, bytes, first, last);
        const std::uint64_t next = entry.begin + entry.done;
        if (entry.complete() || entry.unverified > 0 || next < first || next >= last)
            continue;
        const std::uint64_t count = std::min(last, entry.end) - next;
        pwrite_all(part_.get(), bytes + (next - first), static_cast<std::size_t>(count),
                   entry.part_offset + entry.done, part_path_);
        entry.done += count;
        progress_.bytes_done += count;
        since_checkpoint_ += count;
    }
    pos_ = last;
}

bool Download::all_complete() const {
    return std::all_of(plan_.begin(), plan_.end(), [](const PlanEntry &e) { return e.complete() && !e.unverified; });
}

void Download::make_plan() {
    const std::uint64_t data_size = source_size_ == kUnknown ? kUnknown : source_size_ - header_total_;
    try {
        header_ = parse_safetensors_header(head_.substr(8), header_total_, data_size);
    } catch (const StyleError &e) {
        fail(request_.url + " is not a usable safetensors file: " + e.what());
    }
    std::vector<ByteRange> ranges;
    try {
        ranges = plan_byte_ranges(header_, request_.tensors, request_.merge_gap);
    } catch (const StyleError &e) {
        fail(request_.url + ": " + e.what());
    }
    std::uint64_t offset = 0;
    for (const ByteRange &range : ranges) {
        PlanEntry entry;
        entry.begin = range.begin;
        entry.end = range.end;
        entry.part_offset = offset;
        offset += range.end - range.begin;
        plan_.push_back(entry);
    }
    header_sha256_ = sha256_of(head_);
    // A different file behind the same URL: neither resumed nor downloaded, unless forced.
    if (trusted_ && trusted_->url == request_.url)
        check_trusted("the header of the source", trusted_->header_sha256, header_sha256_);
    progress_.bytes_total = offset;
    progress_.stage = FetchStage::Downloading;
    resume_or_reset();
    planned_ = true;
    checkpoint();
    tick(true);
}

void Download::tick(bool force) {
    const auto now = Clock::now();
    // The limit bounds the transfer; checking and writing what has arrived is not cut short.
    const bool late = now > deadline_ && progress_.stage < FetchStage::Verifying;
    if (!force && now - last_tick_ < std::chrono::milliseconds(request_.progress_interval_ms) && !late)
        return;
    last_tick_ = now;
    if (late)
        fail("the download took longer than " + std::to_string(request_.time_limit_s) + " s; " +
             format_bytes(progress_.bytes_done) + " of " + format_bytes(progress_.bytes_total) +
             " kept to resume next time");
    if (on_progress_ && !on_progress_(progress_))
        throw FetchCancelled("download cancelled; " + format_bytes(progress_.bytes_done) + " of " +
                             format_bytes(progress_.bytes_total) + " kept to resume next time");
}

// What one call may receive: the first request, the header and the planned ranges; a server that ignores Range
// streams everything before the last range too. A source that sends more (a full download restarted by each
// retry, a header of 100 MB) is refused rather than followed.
std::uint64_t Download::byte_cap() const {
    if (!planned_)
        return kFirstRequestBytes + 8 + kMaxHeaderBytes;
    const std::uint64_t needed = progress_.full_download && !plan_.empty() ? plan_.back().end
                                                                           : header_total_ + progress_.bytes_total;
    return kFirstRequestBytes + needed;
}

// ---- the loop

void Download::download() {
    tick(true);
    // A resumed download knows the header's length: ask for just that.
    std::uint64_t first_request = kFirstRequestBytes;
    try {
        if (sidecar_.is_object() && sidecar_.value("header_length", 0ull) > 8)
            first_request = std::min<std::uint64_t>(sidecar_.value("header_length", 0ull), kMaxHeaderBytes + 8);
    } catch (const json::exception &) {
        sidecar_ = json();
    }
    int failures = 0;
    for (;;) {
        std::uint64_t begin, end;
        if (!planned_) {
            begin = head_.size();
            end = header_total_ ? header_total_ : begin + first_request;
        } else {
            auto next = std::find_if(plan_.begin(), plan_.end(),
                                     [](const PlanEntry &e) { return !e.complete() || e.unverified; });
            if (next == plan_.end())
                break;
            begin = next->begin + next->done - next->unverified; // the resumed bytes' end first, to compare
            end = next->end;
        }
        const std::uint64_t before = head_.size() + progress_.bytes_done + bytes_verified_;
        asked_for_range_ = true;
        const TransferResult result = source_->get(begin, end, *this);
        const bool advanced = head_.size() + progress_.bytes_done + bytes_verified_ > before;
        if (result.outcome == Outcome::Failed) {
            checkpoint();
            failures = advanced ? 1 : failures + 1;
            if (failures > request_.retries) {
                if (!planned_)
                    fail("cannot download " + request_.url + ": " + result.error);
                fail("download interrupted: " + result.error + " (" + format_bytes(progress_.bytes_done) + " of " +
                     format_bytes(progress_.bytes_total) + " kept; run it again to resume)");
            }
            if (!advanced)
                wait_before_retry(failures);
            continue;
        }
        if (!advanced) {
            if (!planned_)
                fail(request_.url + " is not a usable safetensors file: it ends inside its header (" +
                     std::to_string(head_.size()) + " bytes)");
            throw SourceProblem(request_.url + " ends before the data of the tensors (bytes " +
                                std::to_string(begin) + " to " + std::to_string(end) + " are missing)");
        }
        failures = 0;
    }
    checkpoint();
    tick(true); // the last report of the data stage shows it complete
}

void Download::wait_before_retry(int failures) {
    const auto until = Clock::now() + std::chrono::seconds(1 << std::min(failures - 1, 3));
    while (Clock::now() < until) {
        tick(false);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace fetch

FetchResult fetch_weights(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress) {
    fetch::Download download(request, on_progress);
    return download.run();
}

} // namespace neural_style
