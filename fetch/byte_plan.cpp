// SPDX-License-Identifier: GPL-3.0-or-later
// Which bytes of the source to fetch: plan_byte_ranges() of weights_fetch.h.
#include "weights_fetch.h"

#include "fetch_common.h"

#include <algorithm>

namespace neural_style {

std::vector<ByteRange> plan_byte_ranges(const SafetensorsHeader &header, const std::vector<NeededTensor> &tensors,
                                        std::uint64_t merge_gap) {
    using fetch::fail;
    std::vector<ByteRange> spans;
    for (const NeededTensor &tensor : tensors) {
        auto it = header.tensors.find(tensor.key);
        if (it == header.tensors.end())
            fail("tensor '" + tensor.key + "' is missing (not a VGG19 weights file?)");
        const TensorEntry &entry = it->second;
        if (entry.dtype != "F32")
            fail("tensor '" + tensor.key + "' is " + entry.dtype + ", expected F32");
        if (entry.shape != tensor.shape)
            fail("tensor '" + tensor.key + "' has shape " + shape_text(entry.shape) + ", expected " +
                 shape_text(tensor.shape));
        if (entry.end > entry.begin)
            spans.push_back({header.data_start + entry.begin, header.data_start + entry.end});
    }
    std::sort(spans.begin(), spans.end(),
              [](const ByteRange &a, const ByteRange &b) { return a.begin < b.begin; });
    std::vector<ByteRange> merged;
    for (const ByteRange &span : spans) {
        if (!merged.empty() && span.begin <= merged.back().end + merge_gap)
            merged.back().end = std::max(merged.back().end, span.end);
        else
            merged.push_back(span);
    }
    return merged;
}

} // namespace neural_style
