// SPDX-License-Identifier: GPL-3.0-or-later
// SHA-256 (nettle) of bytes as they stream past, in lowercase hex.
#pragma once

#include <nettle/sha2.h>

#include <cstdint>
#include <string>

namespace neural_style::fetch {

class Sha256 {
public:
    Sha256() { sha256_init(&ctx_); }
    void update(const void *data, std::size_t size) {
        sha256_update(&ctx_, size, static_cast<const std::uint8_t *>(data));
    }
    std::string hex();

private:
    sha256_ctx ctx_;
};

std::string sha256_of(const std::string &bytes);

} // namespace neural_style::fetch
