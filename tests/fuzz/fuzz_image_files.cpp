// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes, as an image file given to load_image() (PNG 1-16 bits, JPEG, TIFF 8/16 bits,
// WebP, binary PGM/PPM, recognised by content). Each either is refused with one printable line
// "PATH: cannot read image: REASON", or gives an image within the pixel limit whose every value is a finite
// number in [0, 1]. ASan catches any read beyond what a decoder returned; -rss_limit_mb catches an allocation
// sized by a header rather than by the file.
// The bytes reach load_image() through a path, as users' files do: a memory file (memfd) opened again through
// /proc/self/fd, so no disk is written.
#include "error.h"
#include "image_files.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

int memory_file() {
    static const int fd = memfd_create("fuzz-image", MFD_CLOEXEC);
    if (fd < 0)
        std::abort();
    return fd;
}

void replace_contents(int fd, const std::uint8_t *data, std::size_t size) {
    if (ftruncate(fd, 0) != 0)
        std::abort();
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
        if (n <= 0)
            std::abort();
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace neural_style;
    const int fd = memory_file();
    replace_contents(fd, data, size);
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
        const RgbaImage image = image_files::load_image(path);
        if (image.width <= 0 || image.height <= 0 ||
            static_cast<long long>(image.width) * image.height > image_files::max_image_pixels ||
            image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 4)
            std::abort();
        for (float value : image.pixels)
            if (!std::isfinite(value) || value < 0.0f || value > 1.0f)
                std::abort();
    } catch (const StyleError &e) {
        const std::string message = e.what();
        if (message.rfind(path + ": cannot read image: ", 0) != 0)
            std::abort();
        for (char c : message)
            if (c < 0x20 || c >= 0x7f)
                std::abort();
    }
    return 0;
}
