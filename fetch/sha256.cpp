// SPDX-License-Identifier: GPL-3.0-or-later
#include "sha256.h"

#include "fetch_common.h"
#include "posix_file.h"
#include "weights_fetch.h"

#include <unistd.h>

#include <fcntl.h>

#include <vector>

namespace neural_style {

namespace fetch {

std::string Sha256::hex() {
    std::uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx_, SHA256_DIGEST_SIZE, digest);
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : digest) {
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

std::string sha256_of(const std::string &bytes) {
    Sha256 hash;
    hash.update(bytes.data(), bytes.size());
    return hash.hex();
}

} // namespace fetch

std::string sha256_file(const std::string &path) {
    using namespace fetch;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        fail("cannot open " + path + ": " + errno_text());
    Sha256 hash;
    std::vector<char> buffer(kCopyChunk);
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot read " + path + ": " + errno_text());
        if (n == 0)
            break;
        hash.update(buffer.data(), static_cast<std::size_t>(n));
    }
    return hash.hex();
}

} // namespace neural_style
