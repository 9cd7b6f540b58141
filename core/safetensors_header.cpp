#include "safetensors_header.h"

#include "error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace neural_style {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string &what) { throw StyleError(what); }

std::uint64_t checked_offset(const json &value, const std::string &key) {
    if (!value.is_number_unsigned())
        fail("tensor '" + key + "': data_offsets must be two non-negative integers");
    return value.get<std::uint64_t>();
}

TensorEntry parse_entry(const std::string &key, const json &value) {
    if (!value.is_object())
        fail("tensor '" + key + "': entry is not a JSON object");
    auto dtype = value.find("dtype");
    auto shape = value.find("shape");
    auto offsets = value.find("data_offsets");
    if (dtype == value.end() || shape == value.end() || offsets == value.end())
        fail("tensor '" + key + "': entry needs dtype, shape and data_offsets");
    if (!dtype->is_string() || dtype_size(dtype->get<std::string>()) == 0)
        fail("tensor '" + key + "': unknown dtype " + dtype->dump());
    if (!shape->is_array() || !offsets->is_array() || offsets->size() != 2)
        fail("tensor '" + key + "': shape must be an array and data_offsets a pair");

    TensorEntry entry;
    entry.dtype = dtype->get<std::string>();
    // The element count is bounded by the data size check below; guard the multiplication itself.
    std::uint64_t elements = 1;
    for (const json &dim : *shape) {
        if (!dim.is_number_unsigned())
            fail("tensor '" + key + "': shape has a negative or non-integer dimension");
        std::uint64_t d = dim.get<std::uint64_t>();
        if (d > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()) ||
            (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / d / 8))
            fail("tensor '" + key + "': shape is impossibly large");
        elements *= d;
        entry.shape.push_back(static_cast<int64_t>(d));
    }
    entry.begin = checked_offset((*offsets)[0], key);
    entry.end = checked_offset((*offsets)[1], key);
    if (entry.end < entry.begin)
        fail("tensor '" + key + "': data_offsets end before they begin");
    if (entry.end - entry.begin != elements * dtype_size(entry.dtype))
        fail("tensor '" + key + "': data_offsets span " + std::to_string(entry.end - entry.begin) +
             " bytes but the shape needs " + std::to_string(elements * dtype_size(entry.dtype)));
    return entry;
}

} // namespace

int dtype_size(const std::string &dtype) {
    static const std::map<std::string, int> sizes = {
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2},
        {"F16", 2},  {"BF16", 2}, {"I32", 4}, {"U32", 4},     {"F32", 4},     {"F64", 8}, {"I64", 8},
        {"U64", 8}};
    auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

std::uint64_t header_length_from_prefix(const unsigned char prefix[8], std::uint64_t file_size) {
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i)
        length = (length << 8) | prefix[i];
    if (length < 2 || length > kMaxHeaderBytes)
        fail("header length " + std::to_string(length) + " is out of bounds (2 to " +
             std::to_string(kMaxHeaderBytes) + " bytes)");
    if (file_size < 8 || length > file_size - 8)
        fail("header length " + std::to_string(length) + " runs past the end of the file (" +
             std::to_string(file_size) + " bytes)");
    return length;
}

SafetensorsHeader parse_safetensors_header(const std::string &json_bytes, std::uint64_t data_start,
                                           std::uint64_t data_size) {
    json root;
    try {
        root = json::parse(json_bytes);
    } catch (const json::exception &) { // syntax errors, and numbers too large for any type
        fail("header is not valid JSON");
    }
    if (!root.is_object())
        fail("header is not a JSON object");

    SafetensorsHeader header;
    header.data_start = data_start;
    for (const auto &item : root.items()) {
        if (item.key() == "__metadata__")
            continue;
        TensorEntry entry = parse_entry(item.key(), item.value());
        if (entry.end > data_size)
            fail("tensor '" + item.key() + "': data_offsets end at byte " + std::to_string(entry.end) +
                 " past the end of the data (" + std::to_string(data_size) + " bytes)");
        header.tensors.emplace(item.key(), std::move(entry));
    }

    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    for (const auto &[key, entry] : header.tensors)
        if (entry.end > entry.begin)
            spans.emplace_back(entry.begin, entry.end);
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second)
            fail("two tensors overlap at byte " + std::to_string(spans[i].first) + " of the data");
    return header;
}

} // namespace neural_style
