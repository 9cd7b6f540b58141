// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors header: checked parsing of the length prefix and the JSON table of tensors, and the writer of
// the header of an F32 file.
// Layout of a file: 8-byte little-endian header length N, N bytes of JSON, then raw little-endian tensor data.
// Free of LibTorch so that the downloader and the fuzz target can use it alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neural_style {

struct TensorEntry {
    std::string dtype;           // "F32", "F16", ...
    std::vector<int64_t> shape;
    std::uint64_t begin = 0;     // byte offsets relative to the start of the data section
    std::uint64_t end = 0;
};

struct SafetensorsHeader {
    std::uint64_t data_start = 0;               // 8 + header length
    std::map<std::string, TensorEntry> tensors; // "__metadata__" is not a tensor and is left out
};

// An F32 tensor by key and exact shape: what a reader asks of a file (the core's needed_vgg19_tensors(), the
// downloader's request) and what the writer below puts in one.
struct NeededTensor {
    std::string key;            // "features.0.weight"
    std::vector<int64_t> shape;
};

// Bytes per element of a safetensors dtype; 0 when unknown.
int dtype_size(const std::string &dtype);

// Bytes of data of these tensors as float32, back to back.
std::uint64_t f32_data_bytes(const std::vector<NeededTensor> &tensors);

// "[64x3x3x3]", for messages.
std::string shape_text(const std::vector<int64_t> &shape);

// Text from a file or a server made safe to quote in a one-line message: printable ASCII only (anything else, a
// newline or a terminal escape, becomes '?'), at most `max_chars` characters ("..." marks a cut).
std::string printable(const std::string &text, std::size_t max_chars = 80);

// Largest header accepted, as in the reference implementation.
constexpr std::uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

// Deepest JSON nesting accepted (the reference's serde_json stops at 128; a real header needs 3).
constexpr int kMaxHeaderDepth = 64;

// Reads the length prefix; throws StyleError when it is out of bounds for a file of `file_size` bytes
// (UINT64_MAX when the size is not known yet).
std::uint64_t header_length_from_prefix(const unsigned char prefix[8], std::uint64_t file_size);

// Parses and checks a header given its bytes (everything after the 8-byte length). `data_size` is the size of the
// data section, or UINT64_MAX when unknown (a download that has only fetched the header so far).
// Throws StyleError, one line, with untrusted names shortened through printable(): bad JSON, a byte order mark,
// nesting deeper than kMaxHeaderDepth (refused while parsing), duplicate keys, __metadata__ that is not a map of
// strings to strings, unknown dtype, shape and offsets that disagree, and offsets that do not tile the data
// exactly as huggingface/safetensors' validate() demands: the first at 0, no gap, no overlap, nothing after the
// last (that last only when `data_size` is known).
SafetensorsHeader parse_safetensors_header(const std::string &json_bytes, std::uint64_t data_start,
                                           std::uint64_t data_size);

// The 8-byte length and JSON header of a file of `tensors`, all F32, back to back in this order, with
// `metadata` as its __metadata__ (left out when empty); padded with spaces so the data starts 8-byte aligned.
std::string safetensors_header_bytes(const std::vector<NeededTensor> &tensors,
                                     const std::map<std::string, std::string> &metadata = {});

} // namespace neural_style
