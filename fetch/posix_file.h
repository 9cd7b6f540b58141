// SPDX-License-Identifier: GPL-3.0-or-later
// The downloader's file handling on POSIX descriptors: complete reads and writes at offsets, files of our own
// opened without following links, and atomic replacement through uniquely named temporaries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace neural_style::fetch {

constexpr std::size_t kCopyChunk = 1u << 20;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd &&other) noexcept : fd_(other.release()) {}
    ~Fd() { reset(); }
    Fd &operator=(Fd &&other) noexcept {
        reset(other.release());
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return fd_; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// Throw StyleError naming `path` unless all `size` bytes were written / read.
void pwrite_all(int fd, const char *data, std::size_t size, std::uint64_t offset, const std::string &path);
void pread_all(int fd, char *data, std::size_t size, std::uint64_t offset, const std::string &path);

std::uint64_t file_size_of(int fd);

void fsync_folder(const std::filesystem::path &folder);

// Opens (with O_CREAT in `flags`: creates, 0644) a regular file that belongs to this user, never through a
// symbolic link: the partial download and its sidecar may lie in a folder others can write to. Returns a closed
// Fd when the file does not exist and O_CREAT is not given; throws StyleError saying why for anything else.
Fd open_own_file(const std::string &path, int flags);

// A new file named `prefix` + six random characters (mkstemp), ours alone, mode 0644; removed when destroyed
// unless moved into place by rename_to(). A kill leaves it behind: see remove_stale_temporaries().
class TempFile {
public:
    explicit TempFile(const std::string &prefix);
    ~TempFile();
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    int fd() const { return fd_.get(); }
    const std::string &path() const { return path_; }
    // fsyncs, closes and renames to `destination`, then fsyncs the folder.
    void rename_to(const std::string &destination);

private:
    std::string path_;
    Fd fd_;
    bool renamed_ = false;
};

// Removes leftovers of TempFile(prefix) killed before their rename: files named `prefix` and six more
// characters, owned by this user. Only call while holding the download's lock, so none is in use.
void remove_stale_temporaries(const std::string &prefix);

// Writes `text` to `path` through a temporary file and a rename.
void write_file_atomically(const std::string &path, const std::string &text);

} // namespace neural_style::fetch
