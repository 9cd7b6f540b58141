// SPDX-License-Identifier: GPL-3.0-or-later
#include "safetensors_header.h"

#include "error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

namespace neural_style {

namespace {

using json = nlohmann::json;

std::string quoted(const std::string &key) { return "'" + printable(key) + "'"; }

std::uint64_t checked_offset(const json &value, const std::string &key) {
    if (!value.is_number_unsigned())
        fail("tensor " + quoted(key) + ": data_offsets must be two non-negative integers");
    return value.get<std::uint64_t>();
}

TensorEntry parse_entry(const std::string &key, const json &value) {
    if (!value.is_object())
        fail("tensor " + quoted(key) + ": entry is not a JSON object");
    auto dtype = value.find("dtype");
    auto shape = value.find("shape");
    auto offsets = value.find("data_offsets");
    if (dtype == value.end() || shape == value.end() || offsets == value.end())
        fail("tensor " + quoted(key) + ": entry needs dtype, shape and data_offsets");
    if (!dtype->is_string())
        fail("tensor " + quoted(key) + ": dtype is a JSON " + dtype->type_name() + ", not a string");
    if (dtype_size(dtype->get<std::string>()) == 0)
        fail("tensor " + quoted(key) + ": unknown dtype " + quoted(dtype->get<std::string>()));
    if (!shape->is_array() || !offsets->is_array() || offsets->size() != 2)
        fail("tensor " + quoted(key) + ": shape must be an array and data_offsets a pair");

    TensorEntry entry;
    entry.dtype = dtype->get<std::string>();
    // The element count is bounded by the data size check below; guard the multiplication itself.
    std::uint64_t elements = 1;
    for (const json &dim : *shape) {
        if (!dim.is_number_unsigned())
            fail("tensor " + quoted(key) + ": shape has a negative or non-integer dimension");
        std::uint64_t d = dim.get<std::uint64_t>();
        if (d > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()) ||
            (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / d / 8))
            fail("tensor " + quoted(key) + ": shape is impossibly large");
        elements *= d;
        entry.shape.push_back(static_cast<int64_t>(d));
    }
    entry.begin = checked_offset((*offsets)[0], key);
    entry.end = checked_offset((*offsets)[1], key);
    if (entry.end < entry.begin)
        fail("tensor " + quoted(key) + ": data_offsets end before they begin");
    if (entry.end - entry.begin != elements * dtype_size(entry.dtype))
        fail("tensor " + quoted(key) + ": data_offsets span " + std::to_string(entry.end - entry.begin) +
             " bytes but the shape needs " + std::to_string(elements * dtype_size(entry.dtype)));
    return entry;
}

// Parses with a callback that refuses deep nesting and repeated keys as they are read: the parser itself is
// iterative, but a value nested a million deep would later overflow the stack of anything that recurses over it
// (nlohmann's dump() and, in older releases, its destructor).
json parse_bounded(const std::string &json_bytes) {
    std::vector<std::set<std::string>> keys; // those of each object open at this point
    const json::parser_callback_t check = [&keys](int depth, json::parse_event_t event, json &parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            if (depth >= kMaxHeaderDepth)
                fail("header nests deeper than " + std::to_string(kMaxHeaderDepth) + " levels");
            if (event == json::parse_event_t::object_start)
                keys.emplace_back();
            break;
        case json::parse_event_t::object_end:
            keys.pop_back();
            break;
        case json::parse_event_t::key:
            if (!keys.back().insert(parsed.get<std::string>()).second)
                fail("header has the key " + quoted(parsed.get<std::string>()) + " twice");
            break;
        default:
            break;
        }
        return true;
    };
    try {
        return json::parse(json_bytes, check);
    } catch (const json::exception &) { // syntax errors, and numbers too large for any type
        fail("header is not valid JSON");
    }
}

void check_metadata(const json &metadata) {
    if (!metadata.is_object())
        fail("__metadata__ is not a JSON object");
    for (const auto &item : metadata.items())
        if (!item.value().is_string())
            fail("__metadata__ " + quoted(item.key()) + " is not a string");
}

// As huggingface/safetensors' validate(): sorted by offsets, each tensor starts where the one before ended.
void check_tiling(const SafetensorsHeader &header, std::uint64_t data_size) {
    std::vector<std::tuple<std::uint64_t, std::uint64_t, const std::string *>> spans;
    for (const auto &[key, entry] : header.tensors)
        spans.emplace_back(entry.begin, entry.end, &key);
    std::sort(spans.begin(), spans.end());
    std::uint64_t next = 0;
    for (const auto &[begin, end, key] : spans) {
        if (begin < next)
            fail("two tensors overlap at byte " + std::to_string(begin) + " of the data (tensor " + quoted(*key) +
                 ")");
        if (begin > next)
            fail("bytes " + std::to_string(next) + " to " + std::to_string(begin) +
                 " of the data belong to no tensor (a gap before tensor " + quoted(*key) + ")");
        next = end;
    }
    if (data_size != std::numeric_limits<std::uint64_t>::max() && next != data_size)
        fail(std::to_string(data_size - next) + " bytes after the last tensor's data belong to no tensor");
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

std::uint64_t f32_data_bytes(const std::vector<NeededTensor> &tensors) {
    std::uint64_t bytes = 0;
    for (const NeededTensor &tensor : tensors) {
        std::uint64_t count = 4;
        for (int64_t side : tensor.shape)
            count *= static_cast<std::uint64_t>(side);
        bytes += count;
    }
    return bytes;
}

std::string shape_text(const std::vector<int64_t> &shape) {
    std::string text;
    for (int64_t d : shape)
        text += (text.empty() ? "" : "x") + std::to_string(d);
    return "[" + text + "]";
}

std::string printable(const std::string &text, std::size_t max_chars) {
    std::string out;
    for (char c : text) {
        if (out.size() == max_chars) {
            out.replace(max_chars > 3 ? max_chars - 3 : 0, std::string::npos, "...");
            break;
        }
        out += c >= 0x20 && c < 0x7f ? c : '?';
    }
    return out;
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
    // nlohmann skips a byte order mark; the reference implementation does not.
    if (json_bytes.rfind("\xEF\xBB\xBF", 0) == 0)
        fail("header starts with a byte order mark");
    const json root = parse_bounded(json_bytes);
    if (!root.is_object())
        fail("header is not a JSON object");

    SafetensorsHeader header;
    header.data_start = data_start;
    for (const auto &item : root.items()) {
        if (item.key() == "__metadata__") {
            check_metadata(item.value());
            continue;
        }
        TensorEntry entry = parse_entry(item.key(), item.value());
        if (entry.end > data_size)
            fail("tensor " + quoted(item.key()) + ": data_offsets end at byte " + std::to_string(entry.end) +
                 " past the end of the data (" + std::to_string(data_size) + " bytes)");
        header.tensors.emplace(item.key(), std::move(entry));
    }
    check_tiling(header, data_size);
    return header;
}

std::string safetensors_header_bytes(const std::vector<NeededTensor> &tensors,
                                     const std::map<std::string, std::string> &metadata) {
    // nlohmann's default object is ordered by key; keep insertion order so files read naturally.
    nlohmann::ordered_json root = nlohmann::ordered_json::object();
    if (!metadata.empty())
        root["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const NeededTensor &tensor : tensors) {
        const std::uint64_t bytes = f32_data_bytes({tensor});
        root[tensor.key] = {{"dtype", "F32"}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string header = root.dump();
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    header.append((8 - (8 + header.size()) % 8) % 8, ' ');
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header;
}

} // namespace neural_style
