// SPDX-License-Identifier: GPL-3.0-or-later
// Colour control (Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style Transfer", section 5): keep the
// content's colours by stylizing only the luminance, or recolour the style to the content's palette first.
#pragma once

#include <torch/types.h>

namespace neural_style {

// Images are [1, 3, H, W] sRGB-encoded RGB; weights are [1, 1, H, W] in [0, 1] (how much each pixel counts, e.g.
// its alpha) or undefined for "every pixel fully".

// YIQ's Y (Rec. 601 luma) of `rgb`, repeated into three channels: the grey picture VGG19 sees in luminance mode.
torch::Tensor luminance_rgb(const torch::Tensor &rgb);

// `source`'s luminance with its mean and standard deviation moved to `target`'s (so a dark style does not darken
// the photo), as a grey three-channel picture.
torch::Tensor matched_luminance_rgb(const torch::Tensor &source, const torch::Tensor &source_weight,
                                    const torch::Tensor &target, const torch::Tensor &target_weight);

// `source` recoloured so that its colours' mean and covariance are `target`'s: x -> A (x - mu_s) + mu_t with
// A = C_t^1/2 C_s^-1/2 (the symmetric square roots, which rotate the colours least). Not clamped: the statistics
// are exact, and VGG19 takes values outside [0, 1].
torch::Tensor matched_colors(const torch::Tensor &source, const torch::Tensor &source_weight,
                             const torch::Tensor &target, const torch::Tensor &target_weight);

// `stylized`'s luminance with `chroma_source`'s chroma (YIQ's I and Q), same size. Where the new luminance would
// put a channel outside [0, 1] the luminance is clamped, not the channels, so the chroma stays exact.
torch::Tensor with_chroma_of(const torch::Tensor &stylized, const torch::Tensor &chroma_source);

} // namespace neural_style
