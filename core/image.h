// SPDX-License-Identifier: GPL-3.0-or-later
// Conversion of the hosts' pixel buffers to and from LibTorch tensors.
#pragma once

#include "rgba_image.h"

#include <torch/types.h>

namespace neural_style {

// Throws StyleError naming `what` when the image is empty or its buffer does not match its size.
void check_image(const RgbaImage &image, const char *what);

// RGB channels as a [1, 3, H, W] float tensor on the CPU.
torch::Tensor rgb_tensor(const RgbaImage &image);

// The alpha channel as [1, 1, H, W] on the CPU, or an undefined tensor when every pixel is opaque.
torch::Tensor alpha_tensor(const RgbaImage &image);

// A grey image as [1, 1, H, W] on the CPU; throws StyleError naming `what` when its buffer does not match its size
// or a value is outside [0, 1].
torch::Tensor grey_tensor(const GreyImage &image, const char *what);

// A picture read as a mask: its luma (Rec. 601) times its alpha, so white is 1 and black or transparent 0.
GreyImage mask_from_image(const RgbaImage &image);

// Resizes a [1, 3, H, W] tensor: area averaging when shrinking (no aliasing), bicubic when enlarging.
torch::Tensor resize_rgb(const torch::Tensor &rgb, Size size);

// Resizes a [1, 1, H, W] weight map (a mask, an alpha channel): area averaging when shrinking, bilinear when
// enlarging, which unlike bicubic never leaves [0, 1] (a white mask stays exactly white).
torch::Tensor resize_weight(const torch::Tensor &weight, Size size);

// Builds an image from a [1, 3, H, W] tensor (clamped to [0,1]) and the alpha channel of `alpha_source`,
// which must have the same size.
RgbaImage image_from_rgb(const torch::Tensor &rgb, const RgbaImage &alpha_source);

} // namespace neural_style
