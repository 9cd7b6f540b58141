// SPDX-License-Identifier: GPL-3.0-or-later
#include "image_files.h"

#include "codecs.h"
#include "error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>

namespace neural_style::image_files {

namespace {

using FilePointer = std::unique_ptr<FILE, int (*)(FILE *)>;

std::string lower_extension(const std::string &path) {
    const size_t dot = path.find_last_of('.');
    const size_t slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return "";
    std::string ext = path.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// Opens a regular, non-empty file for reading; anything else is refused before a decoder sees it. Opened without
// blocking, so that a named pipe is refused instead of waiting for a writer forever.
FilePointer open_image_file(const std::string &path) {
    const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw Refusal(std::strerror(errno));
    FilePointer file(fdopen(fd, "rb"), std::fclose);
    if (!file) {
        const int error = errno;
        close(fd);
        throw Refusal(std::strerror(error));
    }
    struct stat info {};
    if (fstat(fd, &info) != 0)
        throw Refusal(std::strerror(errno));
    if (S_ISDIR(info.st_mode))
        throw Refusal("it is a folder");
    if (!S_ISREG(info.st_mode))
        throw Refusal("not a regular file");
    if (info.st_size == 0)
        throw Refusal("the file is empty");
    if (fcntl(fd, F_SETFL, 0) != 0) // a regular file: reads may block again, as the decoders expect
        throw Refusal(std::strerror(errno));
    return file;
}

enum class Format { png, jpeg, tiff, webp, pnm, unknown };

// Recognises the format by its signature, never by the name, so a misnamed file still reads correctly.
Format detect_format(FILE *file) {
    unsigned char head[12] = {};
    const size_t got = std::fread(head, 1, sizeof head, file);
    std::rewind(file);
    const auto starts_with = [&](const char *magic, size_t length, size_t at = 0) {
        return got >= at + length && std::memcmp(head + at, magic, length) == 0;
    };
    if (starts_with("\x89PNG\r\n\x1a\n", 8))
        return Format::png;
    if (starts_with("\xff\xd8\xff", 3))
        return Format::jpeg;
    if (starts_with("II*\0", 4) || starts_with("MM\0*", 4))
        return Format::tiff;
    if (starts_with("RIFF", 4) && starts_with("WEBP", 4, 8))
        return Format::webp;
    if (starts_with("P5", 2) || starts_with("P6", 2))
        return Format::pnm;
    return Format::unknown;
}

Raster read_raster(FILE *file, const std::string &path) {
    switch (detect_format(file)) {
    case Format::png:
        return read_png(file);
    case Format::jpeg:
        return read_jpeg(file);
    case Format::tiff:
        return read_tiff(file, path);
    case Format::webp:
        return read_webp(file);
    case Format::pnm:
        return read_pnm(file);
    case Format::unknown:
        break;
    }
    throw Refusal("not a PNG, JPEG, TIFF, WebP or binary PGM/PPM file");
}

unsigned sample_at(const Raster &raster, size_t index) {
    if (raster.bytes_per_sample == 1)
        return raster.bytes[index];
    const unsigned char *p = &raster.bytes[2 * index];
    if (raster.big_endian)
        return static_cast<unsigned>(p[0]) << 8 | p[1];
    uint16_t value;
    std::memcpy(&value, p, 2);
    return value;
}

// Expands grey, grey + alpha, RGB and RGBA to RGBA floats, reading exactly the samples the decoder returned.
RgbaImage expand_to_rgba(const Raster &raster) {
    RgbaImage image(raster.width, raster.height);
    const size_t pixels = static_cast<size_t>(raster.width) * raster.height;
    const int colours = raster.channels >= 3 ? 3 : 1;
    const bool has_alpha = raster.channels == 2 || raster.channels == 4;
    const float max_value = static_cast<float>(raster.max_value);
    for (size_t i = 0; i < pixels; ++i) {
        const size_t first = i * raster.channels;
        float *out = &image.pixels[4 * i];
        for (int c = 0; c < 3; ++c)
            out[c] = static_cast<float>(sample_at(raster, first + (colours == 3 ? c : 0))) / max_value;
        out[3] = has_alpha ? static_cast<float>(sample_at(raster, first + colours)) / max_value : 1.0f;
        if (raster.premultiplied && out[3] > 0.0f)
            for (int c = 0; c < 3; ++c)
                out[c] = std::min(out[c] / out[3], 1.0f);
    }
    return image;
}

// The picture as a viewer shows it: `image` turned and mirrored as EXIF's orientation says (2 mirrored, 3 turned
// half way, 4 flipped, 5 transposed, 6 to be turned a quarter clockwise, 7 transversed, 8 a quarter anticlockwise).
// A phone's portrait photo is stored on its side with 6 or 8.
RgbaImage oriented(RgbaImage image, int orientation) {
    if (orientation <= 1 || orientation > 8)
        return image;
    const int w = image.width, h = image.height;
    const bool swapped = orientation >= 5;
    RgbaImage result(swapped ? h : w, swapped ? w : h);
    for (int y = 0; y < result.height; ++y)
        for (int x = 0; x < result.width; ++x) {
            int sx = x, sy = y;
            switch (orientation) {
            case 2: sx = w - 1 - x; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            default: sx = w - 1 - y; sy = x; break; // 8
            }
            std::memcpy(&result.pixels[4 * (static_cast<size_t>(y) * result.width + x)],
                        &image.pixels[4 * (static_cast<size_t>(sy) * w + sx)], 4 * sizeof(float));
        }
    return result;
}

std::vector<unsigned char> to_rgba8(const RgbaImage &image) {
    std::vector<unsigned char> bytes(image.pixels.size());
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<unsigned char>(std::lround(std::clamp(image.pixels[i], 0.0f, 1.0f) * 255.0f));
    return bytes;
}

std::vector<unsigned char> encode(const std::string &path, const RgbaImage &image) {
    const std::string ext = lower_extension(path);
    if (ext == ".png")
        return encode_png(to_rgba8(image), image.width, image.height);
    if (ext == ".jpg" || ext == ".jpeg")
        return encode_jpeg(to_rgba8(image), image.width, image.height);
    throw StyleError(path + ": cannot write this format (use .png or .jpg)");
}

// A new file beside `path` under a name no other writer uses (O_EXCL), with the usual permissions (umask).
int create_temporary(const std::string &path, std::string &temporary) {
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(random()));
        temporary = path + suffix;
        const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

bool write_all(int fd, const std::vector<unsigned char> &bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// Makes the rename itself durable. Best effort: the new file is complete either way, and some file systems
// refuse fsync on a folder.
void sync_folder_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

// Write, fsync, close, rename: every step checked, so a full disk or an I/O error is reported and the previous
// file at `path` stays as it was.
void write_file_replacing(const std::string &path, const std::vector<unsigned char> &bytes) {
    std::string temporary;
    const int fd = create_temporary(path, temporary);
    if (fd < 0)
        throw StyleError(path + ": cannot write the image: " + std::strerror(errno));
    bool ok = write_all(fd, bytes) && fsync(fd) == 0;
    int saved_errno = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved_errno = errno;
    }
    if (ok && std::rename(temporary.c_str(), path.c_str()) != 0) {
        ok = false;
        saved_errno = errno;
    }
    if (!ok) {
        unlink(temporary.c_str());
        throw StyleError(path + ": cannot write the image: " + std::strerror(saved_errno));
    }
    sync_folder_of(path);
}

} // namespace

void check_pixel_count(uint64_t width, uint64_t height) {
    if (width == 0 || height == 0)
        throw Refusal("the image has no pixels (" + std::to_string(width) + " x " + std::to_string(height) + ")");
    if (width > static_cast<uint64_t>(max_image_pixels) / height)
        throw Refusal(std::to_string(width) + " x " + std::to_string(height) + " pixels is more than the " +
                      std::to_string(max_image_pixels / 1'000'000) + " million this program reads");
}

void allocate(Raster &raster, uint64_t width, uint64_t height, int channels, int bytes_per_sample) {
    check_pixel_count(width, height);
    raster.width = static_cast<int>(width);
    raster.height = static_cast<int>(height);
    raster.channels = channels;
    raster.bytes_per_sample = bytes_per_sample;
    raster.bytes.resize(raster.row_bytes() * raster.height);
}

bool is_writable_image_name(const std::string &path) {
    const std::string ext = lower_extension(path);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

RgbaImage load_image(const std::string &path) {
    try {
        const FilePointer file = open_image_file(path);
        const Raster raster = read_raster(file.get(), path);
        return oriented(expand_to_rgba(raster), raster.orientation);
    } catch (const Refusal &refusal) {
        throw StyleError(path + ": cannot read image: " + refusal.what());
    } catch (const std::bad_alloc &) {
        throw StyleError(path + ": cannot read image: not enough memory");
    }
}

void save_image(const std::string &path, const RgbaImage &image) {
    try {
        write_file_replacing(path, encode(path, image));
    } catch (const Refusal &refusal) {
        throw StyleError(path + ": cannot write the image: " + refusal.what());
    } catch (const std::bad_alloc &) {
        throw StyleError(path + ": cannot write the image: not enough memory");
    }
}

} // namespace neural_style::image_files
