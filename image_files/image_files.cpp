#include "image_files.h"

#include "error.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>

namespace neural_style::image_files {

namespace {

std::string lower_extension(const std::string &path) {
    const size_t dot = path.find_last_of('.');
    const size_t slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return "";
    std::string ext = path.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

template <typename Sample>
RgbaImage to_float_image(const Sample *data, int width, int height, float scale) {
    RgbaImage image(width, height);
    for (size_t i = 0; i < image.pixels.size(); ++i)
        image.pixels[i] = static_cast<float>(data[i]) * scale;
    return image;
}

} // namespace

bool is_writable_image_name(const std::string &path) {
    const std::string ext = lower_extension(path);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

RgbaImage load_image(const std::string &path) {
    int width = 0, height = 0, channels = 0;
    // 16-bit PNGs keep their precision; everything else comes as 8 bits.
    if (stbi_is_16_bit(path.c_str())) {
        std::unique_ptr<stbi_us, void (*)(void *)> data(stbi_load_16(path.c_str(), &width, &height, &channels, 4),
                                                        stbi_image_free);
        if (data)
            return to_float_image(data.get(), width, height, 1.0f / 65535.0f);
    } else {
        std::unique_ptr<stbi_uc, void (*)(void *)> data(stbi_load(path.c_str(), &width, &height, &channels, 4),
                                                        stbi_image_free);
        if (data)
            return to_float_image(data.get(), width, height, 1.0f / 255.0f);
    }
    const char *reason = stbi_failure_reason();
    if (access(path.c_str(), R_OK) != 0)
        throw StyleError(path + ": cannot read image: no such file or no permission");
    throw StyleError(path + ": cannot read image: " + (reason ? reason : "unknown format") +
                     " (PNG, JPEG, BMP, TGA, GIF, PSD, PNM are supported)");
}

void save_image(const std::string &path, const RgbaImage &image) {
    std::vector<unsigned char> bytes(image.pixels.size());
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<unsigned char>(std::lround(std::clamp(image.pixels[i], 0.0f, 1.0f) * 255.0f));

    const std::string temporary = path + ".tmp-" + std::to_string(getpid());
    const std::string ext = lower_extension(path);
    int ok = 0;
    if (ext == ".png")
        ok = stbi_write_png(temporary.c_str(), image.width, image.height, 4, bytes.data(), image.width * 4);
    else if (ext == ".jpg" || ext == ".jpeg")
        ok = stbi_write_jpg(temporary.c_str(), image.width, image.height, 4, bytes.data(), 95);
    else
        throw StyleError(path + ": cannot write this format (use .png or .jpg)");
    if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw StyleError(path + ": cannot write the image (is the folder there and writable?)");
    }
}

} // namespace neural_style::image_files
