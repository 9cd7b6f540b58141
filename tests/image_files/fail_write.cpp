// SPDX-License-Identifier: GPL-3.0-or-later
// LD_PRELOAD'ed into image_files_probe to act out a full disk: write() to any descriptor but the standard
// ones fails with ENOSPC, so the error path of the checked write runs without a real full file system.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

extern "C" ssize_t write(int fd, const void *data, size_t size) {
    if (fd > 2) {
        errno = ENOSPC;
        return -1;
    }
    return syscall(SYS_write, fd, data, size);
}
