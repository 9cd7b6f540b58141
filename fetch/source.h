// SPDX-License-Identifier: GPL-3.0-or-later
// Where the bytes come from: a Source sends a byte range of the file to a Receiver, which may stop the transfer
// once it has what it needs. Implemented by file_source.h (file://) and http_source.h (https://).
#pragma once

#include "fetch_common.h"

#include <cstdint>
#include <memory>
#include <string>

namespace neural_style::fetch {

struct ResponseInfo {
    bool partial = false;           // a 206 (or a local file): starts where asked
    std::uint64_t start = 0;        // absolute offset of the first byte of the body
    std::uint64_t total = kUnknown; // size of the whole source
    std::string etag;               // validator; empty when none
};

class Receiver {
public:
    virtual ~Receiver() = default;
    virtual void begin_response(const ResponseInfo &info) = 0;
    // Returns false when nothing more is needed from this response.
    virtual bool data(const char *bytes, std::size_t size) = 0;
    // Called while waiting; throws FetchCancelled when the user cancels.
    virtual void idle() = 0;
};

enum class Outcome { Complete, Stopped, Failed };

struct TransferResult {
    Outcome outcome = Outcome::Complete;
    std::string error; // for Failed
};

class Source {
public:
    virtual ~Source() = default;
    // Asks for bytes [begin, end) (end == kUnknown: to the end). Throws for problems a retry cannot fix.
    virtual TransferResult get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) = 0;
};

} // namespace neural_style::fetch
