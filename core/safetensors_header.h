// The safetensors header: checked parsing of the length prefix and the JSON table of tensors.
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

// Bytes per element of a safetensors dtype; 0 when unknown.
int dtype_size(const std::string &dtype);

// Largest header accepted, as in the reference implementation.
constexpr std::uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

// Reads the length prefix; throws StyleError when it is out of bounds for a file of `file_size` bytes
// (UINT64_MAX when the size is not known yet).
std::uint64_t header_length_from_prefix(const unsigned char prefix[8], std::uint64_t file_size);

// Parses and checks a header given its bytes (everything after the 8-byte length). `data_size` is the size of the
// data section, or UINT64_MAX when unknown (a download that has only fetched the header so far).
// Throws StyleError: bad JSON, unknown dtype, shape and offsets that disagree, offsets past the data, overlaps.
SafetensorsHeader parse_safetensors_header(const std::string &json_bytes, std::uint64_t data_start,
                                           std::uint64_t data_size);

} // namespace neural_style
