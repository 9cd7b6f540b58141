// SPDX-License-Identifier: GPL-3.0-or-later
// file:// sources: a local safetensors file read with pread, as a server honouring every range would send it.
#pragma once

#include "source.h"

namespace neural_style::fetch {

class FileSource : public Source {
public:
    explicit FileSource(std::string path) : path_(std::move(path)) {}
    TransferResult get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) override;

private:
    std::string path_;
};

} // namespace neural_style::fetch
