// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes, taken as a whole safetensors file, must either be rejected with StyleError (one
// line, printable) or give a header whose tensors tile the data section exactly, with sizes that match the shapes.
#include "error.h"
#include "safetensors_header.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace neural_style;
    if (size < 8)
        return 0;
    try {
        const std::uint64_t length = header_length_from_prefix(data, size);
        const std::string json(reinterpret_cast<const char *>(data + 8), length);
        const std::uint64_t data_size = size - 8 - length;
        const SafetensorsHeader header = parse_safetensors_header(json, 8 + length, data_size);
        std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
        for (const auto &[key, entry] : header.tensors) {
            std::uint64_t elements = 1;
            for (int64_t d : entry.shape)
                elements *= static_cast<std::uint64_t>(d);
            if (entry.end > data_size || entry.begin > entry.end ||
                entry.end - entry.begin != elements * static_cast<std::uint64_t>(dtype_size(entry.dtype)))
                std::abort();
            spans.emplace_back(entry.begin, entry.end);
        }
        std::sort(spans.begin(), spans.end());
        std::uint64_t next = 0;
        for (const auto &[begin, end] : spans) {
            if (begin != next)
                std::abort();
            next = end;
        }
        if (next != data_size)
            std::abort();
    } catch (const StyleError &e) {
        for (const char *c = e.what(); *c; ++c)
            if (*c < 0x20 || *c >= 0x7f)
                std::abort();
    }
    return 0;
}
