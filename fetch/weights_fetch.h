// SPDX-License-Identifier: GPL-3.0-or-later
// Downloads the VGG19 weights: reads a remote safetensors file's header, then only the byte ranges of the tensors
// asked for, and writes a compact safetensors file of just those tensors, atomically.
//
// Free of LibTorch: the CLI and the GIMP plug-in both link it. The caller says which tensors it needs (the CLI
// passes neural_style::needed_vgg19_tensors()), so the table of keys and shapes lives in one place, the core.
//
// Partial downloads are kept beside the destination as DEST.part (the needed byte ranges, back to back) and
// DEST.part.json (the source URL, its size, ETag and header hash, and how much of each range is complete); a later
// call with the same source and destination checks them and continues. Both are opened without following links and
// must belong to the user. The destination itself only ever appears by an atomic rename of a fully verified file,
// written under a unique temporary name; temporaries left by a killed run are removed by the next one.
//
// Trust on first use: the first download to a destination records the source header's and the written file's
// SHA-256 beside it (DEST.trust.json); a later call whose header (from the same URL) or result differs is refused,
// leaving the destination as it was, unless FetchRequest::force.
//
// Bounds: a call receives at most the header and the planned ranges (a server that ignores Range: everything up
// to the last range) and takes at most FetchRequest::time_limit_s.
#pragma once

#include "error.h"
#include "safetensors_header.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace neural_style {

// The standard public source: torchvision's ImageNet VGG19 (BSD-3-Clause) as published by timm, pinned to the
// repository's commit that added the file ("Add model", 2023-04-25; later commits changed only the README), so
// that a change on the branch main cannot change what is downloaded. At that commit the whole file's Git LFS
// SHA-256 is 11aea017b543ff59233749d8f1cf544cda749378f5790d2fedab841fb86b7669 (huggingface.co's page for the file);
// it cannot be checked here, since only the header and the needed tensors are downloaded.
constexpr const char *kDefaultWeightsUrl = "https://huggingface.co/timm/vgg19.tv_in1k/resolve/"
                                           "128d4708565b3a414bcbb9bbad440b2fe37b9f18/model.safetensors";

struct FetchRequest {
    std::string url = kDefaultWeightsUrl; // https://, file://, or http:// on 127.0.0.1 / localhost / [::1] only
    std::string output;                   // destination file; its folder is created when missing
    std::vector<NeededTensor> tensors;    // exact shapes, F32 in the source; written in this order
    // Needed byte ranges closer than this are fetched as one request (the bytes between are thrown away).
    std::uint64_t merge_gap = 4u << 20;
    // Transfer failures retried within one call, resuming where the data stopped; 0 makes the first failure final
    // (the partial download is still kept for the next call).
    int retries = 3;
    // Seconds without any data before a transfer counts as failed.
    long stall_timeout_s = 60;
    // Seconds the whole call may take, retries included; then it fails, keeping the partial download.
    long time_limit_s = 3600;
    // Accept a source header or a result that differs from what the first download to `output` recorded
    // (OUTPUT.trust.json), and record the new one.
    bool force = false;
    // Least time between two progress reports; 0 reports every chunk received (tests cancel at an exact point).
    int progress_interval_ms = 100;
};

enum class FetchStage {
    Header,      // fetching and checking the source's header
    Downloading, // fetching tensor data
    Verifying,   // checking values and writing the destination
    Done,
};

struct FetchProgress {
    FetchStage stage = FetchStage::Header;
    std::uint64_t bytes_done = 0;     // bytes of the planned ranges held so far, resumed ones included
    std::uint64_t bytes_total = 0;    // bytes of the planned ranges; 0 until the header is read
    std::uint64_t bytes_received = 0; // bytes received from the network (or file) in this call
    std::uint64_t bytes_resumed = 0;  // bytes taken over from an earlier partial download
    bool full_download = false;       // the server ignored Range: the whole body streams past (needed bytes kept)
};

struct FetchResult {
    std::string path;                 // the destination written
    std::string sha256;               // lowercase hex SHA-256 of the destination file
    std::uint64_t file_bytes = 0;     // size of the destination file
    std::uint64_t source_bytes = 0;   // size of the source file; 0 when the server did not say
    std::uint64_t bytes_received = 0; // received in this call
    std::uint64_t bytes_resumed = 0;  // taken over from an earlier partial download
    std::size_t tensors = 0;
    bool full_download = false;       // the server ignored Range at some point
    bool first_use = false;           // no earlier download to this destination was recorded: this one now is
};

// The download was stopped by the progress callback returning false. The partial download is kept.
class FetchCancelled : public StyleError {
public:
    using StyleError::StyleError;
};

// Downloads, verifies and writes. `on_progress` (may be empty) is called from the calling thread at most about ten
// times a second and at each change of stage; returning false cancels (FetchCancelled is thrown). Throws StyleError
// with a one-line message for anything else that goes wrong: a refused URL, an HTTP or network error, a source that
// is not a safetensors file or lacks a tensor, wrong shapes or dtypes, non-finite values, a file that cannot be
// written. On any failure the destination is left as it was.
FetchResult fetch_weights(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress);

// Throws StyleError unless `url` is https://, file:// (local), or http:// to a loopback host.
void check_source_url(const std::string &url);

// Where each tensor asked for lies in the source, checked against the header, and the merged byte ranges to fetch.
struct ByteRange {
    std::uint64_t begin = 0; // absolute offsets in the source file, end exclusive
    std::uint64_t end = 0;
    bool operator==(const ByteRange &other) const { return begin == other.begin && end == other.end; }
};
// Throws StyleError naming the tensor when one is missing, not F32 or of another shape.
std::vector<ByteRange> plan_byte_ranges(const SafetensorsHeader &header, const std::vector<NeededTensor> &tensors,
                                        std::uint64_t merge_gap);

// Lowercase hex SHA-256 of a file; throws StyleError when it cannot be read.
std::string sha256_file(const std::string &path);

} // namespace neural_style
