// SPDX-License-Identifier: GPL-3.0-or-later
#include "download.h"

#include "sha256.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace neural_style::fetch {

namespace fs = std::filesystem;

FetchResult Download::write_output() {
    progress_.stage = FetchStage::Verifying;
    tick(true);

    // The header of the compact file: the tensors asked for, in order, back to back. Nothing about this download
    // goes in (no URL, no date): the same weights give the same bytes and so the same SHA-256 wherever they came
    // from.
    const std::string head = safetensors_header_bytes(request_.tensors, {{"format", "pt"}});
    const std::uint64_t file_bytes = head.size() + f32_data_bytes(request_.tensors);
    TempFile temp(output_temporary_prefix());
    Sha256 hash;
    hash.update(head.data(), head.size());
    pwrite_all(temp.fd(), head.data(), head.size(), 0, temp.path());
    std::uint64_t written = head.size();
    std::vector<char> buffer(kCopyChunk);
    for (const NeededTensor &tensor : request_.tensors) {
        const TensorEntry &entry = header_.tensors.at(tensor.key);
        const std::uint64_t first = header_total_ + entry.begin, last = header_total_ + entry.end;
        const PlanEntry *range = nullptr;
        for (const PlanEntry &candidate : plan_)
            if (candidate.begin <= first && last <= candidate.end)
                range = &candidate;
        if (first != last && (!range || !range->complete()))
            fail("internal error: the data of tensor '" + tensor.key + "' was not downloaded");
        for (std::uint64_t at = first; at < last;) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), last - at));
            pread_all(part_.get(), buffer.data(), n, range->part_offset + (at - range->begin), part_path_);
            for (std::size_t i = 0; i + 4 <= n; i += 4) {
                float value;
                std::memcpy(&value, buffer.data() + i, 4);
                if (!std::isfinite(value))
                    throw SourceProblem(request_.url + ": tensor '" + tensor.key +
                                        "' contains NaN or infinite values");
            }
            hash.update(buffer.data(), n);
            pwrite_all(temp.fd(), buffer.data(), n, written, temp.path());
            written += n;
            at += n;
        }
        tick(false);
    }

    // Read back what was written: it must parse and be the expected size.
    std::string check(head.size(), '\0');
    pread_all(temp.fd(), check.data(), check.size(), 0, temp.path());
    if (check != head || file_size_of(temp.fd()) != file_bytes)
        fail("cannot write " + temp.path() + ": the file reads back differently");
    parse_safetensors_header(check.substr(8), check.size(), file_bytes - check.size());
    const std::string file_sha256 = hash.hex();
    if (trusted_)
        check_trusted("the weights file made", trusted_->file_sha256, file_sha256);
    temp.rename_to(output_);
    write_trust_record(output_, {request_.url, header_sha256_, file_sha256});

    FetchResult result;
    result.path = output_;
    result.sha256 = file_sha256;
    result.file_bytes = file_bytes;
    result.source_bytes = source_size_ == kUnknown ? 0 : source_size_;
    result.bytes_received = progress_.bytes_received;
    result.bytes_resumed = progress_.bytes_resumed;
    result.tensors = request_.tensors.size();
    result.full_download = progress_.full_download;
    result.first_use = !trusted_;
    return result;
}

void Download::check_trusted(const char *what, const std::string &recorded, const std::string &seen) const {
    if (recorded == seen || request_.force)
        return;
    throw SourceProblem(std::string(what) + " differs from the first download's (SHA-256 " + seen.substr(0, 16) +
                        "..., recorded " + printable(recorded, 19) + " in " + trust_record_path(output_) +
                        "); refusing it unless forced");
}

// Hidden beside the destination, so a rename puts it in place; see remove_stale_temporaries().
std::string Download::output_temporary_prefix() const {
    return (folder_ / ("." + fs::path(output_).filename().string() + ".")).string();
}

} // namespace neural_style::fetch
