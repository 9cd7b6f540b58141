// SPDX-License-Identifier: GPL-3.0-or-later
#include "pace.h"

#include <algorithm>

namespace neural_style {

void PaceMeter::add(const StepReport &report) {
    if (report.in_step)
        return;
    const bool same_scale = has_last_ && report.width == last_.width && report.height == last_.height;
    if (same_scale && report.tiles == 1 && report.seconds > last_.seconds)
        paces_.push_back((report.seconds - last_.seconds) / (static_cast<double>(report.width) * report.height / 1e6));
    last_ = report;
    has_last_ = true;
}

double PaceMeter::seconds_per_megapixel_step() const {
    if (paces_.size() < static_cast<size_t>(kPaceSteps))
        return 0;
    std::vector<double> sorted = paces_;
    const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
    std::nth_element(sorted.begin(), middle, sorted.end());
    return *middle;
}

} // namespace neural_style
