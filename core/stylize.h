// SPDX-License-Identifier: GPL-3.0-or-later
// The optimisation loop: content and style images and options in, stylized image out.
#pragma once

#include "options.h"
#include "rgba_image.h"
#include "step_report.h"
#include "weights.h"

namespace neural_style {

// Throws StyleError for anything the caller can fix (including running out of GPU memory).
RgbaImage stylize(const RgbaImage &content, const RgbaImage &style, const Vgg19Weights &weights,
                  const StyleOptions &options, const StepCallback &on_step = {});

} // namespace neural_style
