// SPDX-License-Identifier: GPL-3.0-or-later
#include "image.h"

#include "error.h"

#include <torch/nn/functional.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace neural_style {

namespace F = torch::nn::functional;

void check_image(const RgbaImage &image, const char *what) {
    if (image.width <= 0 || image.height <= 0)
        throw StyleError(std::string(what) + " image is empty");
    if (image.pixels.size() != static_cast<size_t>(image.width) * image.height * 4)
        throw StyleError(std::string(what) + " image: pixel buffer does not match its size " +
                         std::to_string(image.width) + "x" + std::to_string(image.height));
}

Size fit_within(Size source, int max_side) {
    const int longest = std::max(source.width, source.height);
    if (longest <= max_side)
        return source;
    const double scale = static_cast<double>(max_side) / longest;
    return {std::max(1, static_cast<int>(std::lround(source.width * scale))),
            std::max(1, static_cast<int>(std::lround(source.height * scale)))};
}

torch::Tensor rgb_tensor(const RgbaImage &image) {
    // from_blob does not copy: the slice + contiguous below makes the copy the caller owns.
    torch::Tensor rgba = torch::from_blob(const_cast<float *>(image.pixels.data()),
                                          {image.height, image.width, 4}, torch::kFloat32);
    return rgba.permute({2, 0, 1}).slice(0, 0, 3).unsqueeze(0).contiguous();
}

torch::Tensor alpha_tensor(const RgbaImage &image) {
    torch::Tensor alpha = torch::from_blob(const_cast<float *>(image.pixels.data()),
                                           {image.height, image.width, 4}, torch::kFloat32)
                              .select(2, 3);
    if (alpha.eq(1).all().item<bool>())
        return torch::Tensor();
    return alpha.unsqueeze(0).unsqueeze(0).contiguous();
}

torch::Tensor grey_tensor(const GreyImage &image, const char *what) {
    if (image.width <= 0 || image.height <= 0 ||
        image.values.size() != static_cast<size_t>(image.width) * image.height)
        throw StyleError(std::string(what) + ": values do not match its size " + std::to_string(image.width) + "x" +
                         std::to_string(image.height));
    const torch::Tensor grey =
        torch::from_blob(const_cast<float *>(image.values.data()), {1, 1, image.height, image.width}, torch::kFloat32)
            .clone();
    if (!(grey.ge(0) & grey.le(1)).all().item<bool>()) // NaN fails both
        throw StyleError(std::string(what) + ": values must be from 0 to 1");
    return grey;
}

GreyImage mask_from_image(const RgbaImage &image) {
    GreyImage mask(image.width, image.height, 0);
    for (size_t i = 0; i < mask.values.size(); ++i) {
        const float *p = &image.pixels[i * 4];
        mask.values[i] = std::clamp((0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * p[3], 0.0f, 1.0f);
    }
    return mask;
}

torch::Tensor resize_rgb(const torch::Tensor &rgb, Size size) {
    if (rgb.size(2) == size.height && rgb.size(3) == size.width)
        return rgb;
    const bool shrinking = size.height <= rgb.size(2) && size.width <= rgb.size(3);
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{size.height, size.width});
    if (shrinking)
        return F::interpolate(rgb, options.mode(torch::kArea));
    return F::interpolate(rgb, options.mode(torch::kBicubic).align_corners(false));
}

torch::Tensor resize_weight(const torch::Tensor &weight, Size size) {
    if (weight.size(2) == size.height && weight.size(3) == size.width)
        return weight;
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{size.height, size.width});
    if (size.height <= weight.size(2) && size.width <= weight.size(3))
        return F::interpolate(weight, options.mode(torch::kArea));
    return F::interpolate(weight, options.mode(torch::kBilinear).align_corners(false));
}

RgbaImage image_from_rgb(const torch::Tensor &rgb, const RgbaImage &alpha_source) {
    const int height = static_cast<int>(rgb.size(2));
    const int width = static_cast<int>(rgb.size(3));
    if (width != alpha_source.width || height != alpha_source.height)
        throw StyleError("result size does not match the content image");
    torch::Tensor hwc = rgb.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1)[0].permute({1, 2, 0}).contiguous();
    const float *src = hwc.data_ptr<float>();
    RgbaImage out(width, height);
    const size_t count = static_cast<size_t>(width) * height;
    for (size_t i = 0; i < count; ++i) {
        out.pixels[i * 4 + 0] = src[i * 3 + 0];
        out.pixels[i * 4 + 1] = src[i * 3 + 1];
        out.pixels[i * 4 + 2] = src[i * 3 + 2];
        out.pixels[i * 4 + 3] = alpha_source.pixels[i * 4 + 3];
    }
    return out;
}

} // namespace neural_style
