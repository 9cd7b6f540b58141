// SPDX-License-Identifier: GPL-3.0-or-later
// The optimisation loop: content and style images and options in, stylized image out.
#pragma once

#include "options.h"
#include "rgba_image.h"
#include "step_report.h"
#include "weights.h"

#include <vector>

namespace neural_style {

// Paints `content` in the blend of `styles` (options.style_shares, equal when empty; each style keeps its own size
// and aspect ratio, see options.style_scale). Where `mask` (any size, stretched to the content's; empty:
// everywhere) is 0 the content is kept, where it is 1 the style goes, and values between blend. Transparent pixels
// of a style do not count in its statistics; those of the content take no style. Throws StyleError for anything
// the caller can fix (including running out of GPU memory).
RgbaImage stylize(const RgbaImage &content, const std::vector<RgbaImage> &styles, const Vgg19Weights &weights,
                  const StyleOptions &options, const StepCallback &on_step = {}, const GreyImage &mask = {});

} // namespace neural_style
