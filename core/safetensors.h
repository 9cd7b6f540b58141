// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors files: a checked reader of single F32 tensors, and a writer.
#pragma once

#include "safetensors_header.h"

#include <torch/types.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace neural_style {

class SafetensorsFile {
public:
    // Opens and checks the header; tensor data is only read by read_f32().
    explicit SafetensorsFile(const std::string &path);

    const SafetensorsHeader &header() const { return header_; }
    const std::string &path() const { return path_; }

    // Reads one F32 tensor of exactly `shape`, checking its values are finite. Throws StyleError otherwise.
    torch::Tensor read_f32(const std::string &key, const std::vector<int64_t> &shape);

private:
    std::string path_;
    std::ifstream stream_;
    SafetensorsHeader header_;
};

// Writes F32 tensors (any device and layout) in the given order to `path`, with safetensors_header_bytes().
void write_safetensors(const std::string &path,
                       const std::vector<std::pair<std::string, torch::Tensor>> &tensors);

} // namespace neural_style
