// SPDX-License-Identifier: GPL-3.0-or-later
#include "posix_file.h"

#include "fetch_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace neural_style::fetch {

namespace fs = std::filesystem;

void Fd::reset(int fd) {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
}

void pwrite_all(int fd, const char *data, std::size_t size, std::uint64_t offset, const std::string &path) {
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("cannot write " + path + ": " + errno_text());
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void pread_all(int fd, char *data, std::size_t size, std::uint64_t offset, const std::string &path) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot read " + path + ": " + errno_text());
        if (n == 0)
            fail("cannot read " + path + ": the file is shorter than expected");
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

std::uint64_t file_size_of(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void fsync_folder(const fs::path &folder) {
    Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0)
        ::fsync(dir.get());
}

Fd open_own_file(const std::string &path, int flags) {
    Fd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (fd.get() < 0 && errno == ENOENT && !(flags & O_CREAT))
        return fd;
    if (fd.get() < 0 && errno == ELOOP)
        fail("refusing " + path + ": it is a symbolic link");
    if (fd.get() < 0)
        fail("cannot open " + path + ": " + errno_text());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        fail("cannot open " + path + ": " + errno_text());
    if (!S_ISREG(st.st_mode))
        fail("refusing " + path + ": it is not a regular file");
    if (st.st_uid != ::geteuid())
        fail("refusing " + path + ": it belongs to another user");
    return fd;
}

TempFile::TempFile(const std::string &prefix) : path_(prefix + "XXXXXX") {
    fd_.reset(::mkstemp(path_.data()));
    if (fd_.get() < 0)
        fail("cannot create a file in " + fs::path(prefix).parent_path().string() + ": " + errno_text());
    ::fcntl(fd_.get(), F_SETFD, FD_CLOEXEC);
    ::fchmod(fd_.get(), 0644);
}

TempFile::~TempFile() {
    if (!renamed_ && fd_.get() >= 0)
        ::unlink(path_.c_str());
}

void TempFile::rename_to(const std::string &destination) {
    if (::fsync(fd_.get()) != 0)
        fail("cannot write " + path_ + ": " + errno_text());
    fd_.reset();
    if (::rename(path_.c_str(), destination.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(path_.c_str());
        fail("cannot rename " + path_ + " to " + destination + ": " + why);
    }
    renamed_ = true;
    fsync_folder(fs::path(destination).parent_path().empty() ? fs::path(".") : fs::path(destination).parent_path());
}

void remove_stale_temporaries(const std::string &prefix) {
    const fs::path base(prefix);
    const fs::path folder = base.parent_path().empty() ? fs::path(".") : base.parent_path();
    const std::string name = base.filename().string();
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const std::string candidate = it->path().filename().string();
        if (candidate.size() != name.size() + 6 || candidate.compare(0, name.size(), name) != 0)
            continue;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid())
            ::unlink(it->path().c_str());
    }
}

void write_file_atomically(const std::string &path, const std::string &text) {
    TempFile temp(path + ".");
    pwrite_all(temp.fd(), text.data(), text.size(), 0, temp.path());
    temp.rename_to(path);
}

} // namespace neural_style::fetch
