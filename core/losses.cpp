// SPDX-License-Identifier: GPL-3.0-or-later
#include "losses.h"

namespace neural_style {

torch::Tensor gram_matrix(const torch::Tensor &features) {
    // (h·w, d) is a view of a channels-last map, where (d, h·w) would be a copy; Fᵀ·F of it is the same F·Fᵀ.
    const int64_t d = features.size(1);
    torch::Tensor flat = features.permute({0, 2, 3, 1}).reshape({-1, d});
    return torch::mm(flat.t(), flat);
}

torch::Tensor content_loss(const torch::Tensor &target_features, const torch::Tensor &content_features) {
    return (target_features - content_features).pow(2).mean();
}

torch::Tensor style_layer_loss(const torch::Tensor &target_gram, const torch::Tensor &style_gram,
                               const torch::Tensor &target_features) {
    const double dhw = static_cast<double>(target_features.size(1)) * target_features.size(2) * target_features.size(3);
    return (target_gram - style_gram).pow(2).mean() / dhw;
}

torch::Tensor total_variation(const torch::Tensor &image) {
    using torch::indexing::Slice;
    torch::Tensor dx = image.index({Slice(), Slice(), Slice(), Slice(1, torch::indexing::None)}) -
                       image.index({Slice(), Slice(), Slice(), Slice(torch::indexing::None, -1)});
    torch::Tensor dy = image.index({Slice(), Slice(), Slice(1, torch::indexing::None), Slice()}) -
                       image.index({Slice(), Slice(), Slice(torch::indexing::None, -1), Slice()});
    return dx.pow(2).mean() + dy.pow(2).mean();
}

} // namespace neural_style
