// SPDX-License-Identifier: GPL-3.0-or-later
#include "safetensors.h"

#include "error.h"

#include <filesystem>

namespace neural_style {

namespace {

[[noreturn]] void bad_file(const std::string &path, const std::string &why) {
    throw StyleError(ErrorKind::weights_file, path + ": " + why, {path, why});
}

} // namespace

SafetensorsFile::SafetensorsFile(const std::string &path) : path_(path) {
    std::error_code error;
    if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error))
        bad_file(path, "is not a file");
    stream_.open(path, std::ios::binary);
    if (!stream_)
        bad_file(path, "cannot open the file");
    stream_.seekg(0, std::ios::end);
    const std::streamoff end = stream_.tellg();
    if (end < 8)
        bad_file(path, "too short to be a safetensors file (" + std::to_string(end) + " bytes)");
    const auto file_size = static_cast<std::uint64_t>(end);
    stream_.seekg(0);
    unsigned char prefix[8] = {};
    if (!stream_.read(reinterpret_cast<char *>(prefix), 8))
        bad_file(path, "cannot read the header length");
    try {
        const std::uint64_t length = header_length_from_prefix(prefix, file_size);
        std::string json_bytes(length, '\0');
        if (!stream_.read(json_bytes.data(), static_cast<std::streamsize>(length)))
            fail("cannot read the header");
        header_ = parse_safetensors_header(json_bytes, 8 + length, file_size - 8 - length);
    } catch (const StyleError &e) {
        bad_file(path, std::string("not a usable safetensors file: ") + e.what());
    }
}

torch::Tensor SafetensorsFile::read_f32(const std::string &key, const std::vector<int64_t> &shape) {
    auto it = header_.tensors.find(key);
    if (it == header_.tensors.end())
        bad_file(path_, "tensor '" + key + "' is missing (not a VGG19 weights file?)");
    const TensorEntry &entry = it->second;
    if (entry.dtype != "F32")
        bad_file(path_, "tensor '" + key + "' is " + entry.dtype + ", expected F32");
    if (entry.shape != shape)
        bad_file(path_, "tensor '" + key + "' has shape " + shape_text(entry.shape) + ", expected " +
                            shape_text(shape));
    torch::Tensor tensor = torch::empty(shape, torch::kFloat32);
    stream_.clear();
    stream_.seekg(static_cast<std::streamoff>(header_.data_start + entry.begin));
    if (!stream_.read(static_cast<char *>(tensor.data_ptr()), static_cast<std::streamsize>(entry.end - entry.begin)))
        bad_file(path_, "cannot read tensor '" + key + "'");
    if (!torch::isfinite(tensor).all().item<bool>())
        bad_file(path_, "tensor '" + key + "' contains NaN or infinite values");
    return tensor;
}

void write_safetensors(const std::string &path,
                       const std::vector<std::pair<std::string, torch::Tensor>> &tensors) {
    std::vector<NeededTensor> layout;
    for (const auto &[key, tensor] : tensors) {
        if (tensor.scalar_type() != torch::kFloat32)
            fail("cannot write tensor '" + key + "': only F32 is supported");
        layout.push_back({key, tensor.sizes().vec()});
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        fail(path + ": cannot create the file");
    const std::string header = safetensors_header_bytes(layout);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const auto &[key, tensor] : tensors) {
        torch::Tensor data = tensor.to(torch::kCPU).contiguous();
        out.write(static_cast<const char *>(data.data_ptr()), static_cast<std::streamsize>(data.numel() * 4));
    }
    if (!out.flush())
        fail(path + ": write failed");
}

} // namespace neural_style
