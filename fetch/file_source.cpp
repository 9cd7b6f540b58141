// SPDX-License-Identifier: GPL-3.0-or-later
#include "file_source.h"

#include "posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace neural_style::fetch {

TransferResult FileSource::get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) {
    Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        fail("cannot open " + path_ + ": " + errno_text());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        fail(path_ + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    ResponseInfo info;
    info.partial = true;
    info.start = std::min(begin, size);
    info.total = size;
    info.etag = std::to_string(size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
                std::to_string(st.st_mtim.tv_nsec);
    receiver.begin_response(info);
    std::vector<char> buffer(kCopyChunk);
    std::uint64_t pos = info.start;
    const std::uint64_t stop = std::min(end, size);
    while (pos < stop) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), stop - pos));
        const ssize_t n = ::pread(fd.get(), buffer.data(), want, static_cast<off_t>(pos));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return {Outcome::Failed, "cannot read " + path_ + ": " + errno_text()};
        if (n == 0)
            return {Outcome::Failed, path_ + " became shorter while it was read"};
        pos += static_cast<std::uint64_t>(n);
        if (!receiver.data(buffer.data(), static_cast<std::size_t>(n)))
            return {Outcome::Stopped, {}};
    }
    return {Outcome::Complete, {}};
}

} // namespace neural_style::fetch
