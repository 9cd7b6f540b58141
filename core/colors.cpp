// SPDX-License-Identifier: GPL-3.0-or-later
#include "colors.h"

#include <ATen/ATen.h>

namespace neural_style {

namespace {

// Rec. 601 luma weights. I and Q are rows that sum to 0, so adding the same value to R, G and B changes Y alone:
// recombining is "content minus its Y plus the new Y", exact to rounding.
torch::Tensor luma(const torch::Tensor &rgb) {
    return 0.299 * rgb.select(1, 0) + 0.587 * rgb.select(1, 1) + 0.114 * rgb.select(1, 2);
}

// The pixels as [N, C] rows in float64, and each row's weight as [N, 1] (ones when `weight` is undefined).
struct Samples {
    torch::Tensor values, weights;
};

Samples samples_of(const torch::Tensor &image, const torch::Tensor &weight) {
    const int64_t channels = image.size(1);
    Samples s;
    s.values = image.to(torch::kFloat64).permute({0, 2, 3, 1}).reshape({-1, channels});
    // A picture with nothing visible counts all its pixels alike: weights that add up to nothing have no mean, and
    // a fully transparent content in histogram mode failed in linalg_eigh.
    const bool visible = weight.defined() && weight.sum().item<double>() > 0;
    s.weights = visible ? weight.to(torch::kFloat64).reshape({-1, 1})
                        : torch::ones({s.values.size(0), 1}, s.values.options());
    return s;
}

torch::Tensor weighted_mean(const Samples &s) { return (s.values * s.weights).sum(0) / s.weights.sum(); }

torch::Tensor weighted_covariance(const Samples &s, const torch::Tensor &mean) {
    const torch::Tensor centred = s.values - mean;
    return (centred * s.weights).t().mm(centred) / s.weights.sum();
}

// The symmetric matrix power C^p of a covariance; eigenvalues are kept off zero (1e-5, a grey level's variance
// of 0.003) so that a flat, single-colour style does not divide by zero.
torch::Tensor covariance_power(const torch::Tensor &covariance, double power) {
    auto [values, vectors] = at::linalg_eigh(covariance, "L");
    return vectors.mm(torch::diag(values.clamp_min(1e-5).pow(power))).mm(vectors.t());
}

} // namespace

torch::Tensor luminance_rgb(const torch::Tensor &rgb) {
    return luma(rgb).unsqueeze(1).expand({-1, 3, -1, -1}).contiguous();
}

torch::Tensor matched_luminance_rgb(const torch::Tensor &source, const torch::Tensor &source_weight,
                                    const torch::Tensor &target, const torch::Tensor &target_weight) {
    const Samples from = samples_of(luma(source).unsqueeze(1), source_weight);
    const Samples to = samples_of(luma(target).unsqueeze(1), target_weight);
    const torch::Tensor from_mean = weighted_mean(from), to_mean = weighted_mean(to);
    const torch::Tensor from_sd = weighted_covariance(from, from_mean).sqrt().clamp_min(1e-3);
    const torch::Tensor to_sd = weighted_covariance(to, to_mean).sqrt();
    const torch::Tensor y = (luma(source).to(torch::kFloat64) - from_mean) * (to_sd / from_sd) + to_mean;
    return y.to(source.scalar_type()).unsqueeze(1).expand({-1, 3, -1, -1}).contiguous();
}

torch::Tensor matched_colors(const torch::Tensor &source, const torch::Tensor &source_weight,
                             const torch::Tensor &target, const torch::Tensor &target_weight) {
    const Samples from = samples_of(source, source_weight);
    const Samples to = samples_of(target, target_weight);
    const torch::Tensor from_mean = weighted_mean(from), to_mean = weighted_mean(to);
    const torch::Tensor transform = covariance_power(weighted_covariance(to, to_mean), 0.5)
                                        .mm(covariance_power(weighted_covariance(from, from_mean), -0.5));
    const torch::Tensor recoloured = (from.values - from_mean).mm(transform.t()) + to_mean;
    return recoloured.reshape({1, source.size(2), source.size(3), 3})
        .permute({0, 3, 1, 2})
        .to(source.scalar_type())
        .contiguous();
}

torch::Tensor with_chroma_of(const torch::Tensor &stylized, const torch::Tensor &chroma_source) {
    const torch::Tensor offsets = chroma_source - luma(chroma_source).unsqueeze(1); // R - Y, G - Y, B - Y
    // Every channel Y + offset stays in [0, 1] for Y in [max(-offset), min(1 - offset)], never empty: the chroma
    // source's own Y lies in it.
    const torch::Tensor low = (-offsets).amax(1), high = (1 - offsets).amin(1);
    const torch::Tensor y = torch::max(torch::min(luma(stylized), high), low);
    return y.unsqueeze(1) + offsets;
}

} // namespace neural_style
