// SPDX-License-Identifier: GPL-3.0-or-later
// What a run reports after each step, and how the caller answers. Free of LibTorch, for host code that only
// shows progress.
#pragma once

#include "rgba_image.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

namespace neural_style {

struct StepReport {
    int step = 0;          // 1-based, counted over all scales
    int total_steps = 0;
    int width = 0;         // working size of this step
    int height = 0;
    double total = 0;      // content_weight * content + style_weight * style + tv_weight * tv
    double content = 0;    // unweighted content loss
    double style = 0;      // layer-weighted style sum, before the style weight
    double tv = 0;         // unweighted total variation
    double seconds = 0;    // since the run started (setup included)
    double work_done = 0;  // share of the run's computation done after this step, 0 to 1: each step counts
                           // with its scale's pixel count, so a coarse step weighs less than a fine one
    std::string device;    // where the run computes, in words
    // A step evaluated in tiles also reports between its tiles, so that a stop is heard within seconds: then
    // in_step is true, `step` is the step underway, the losses are the last step's, and tiles_done < tiles.
    bool in_step = false;
    int tiles_done = 0;    // in_step: the tile evaluations of this step done so far
    int tiles = 1;         // in_step: the tile evaluations of this step (two passes when a style is used);
                           // otherwise the tiles the image is cut into at this scale (1: untiled)
    // The picture as it stands, finished as the result will be (colours, mask), scaled on the computing device to
    // fit `max_side`. Computed only when called, since on a GPU it makes the host wait for it; callable during the
    // callback only (it reads the run's state).
    std::function<RgbaImage(int max_side)> picture;
};

// Called after each step with the losses measured at the start of that step (and between tiles, see in_step).
// Returning false stops the run, and stylize() returns the image as it was after the last whole step. On CUDA the
// reports come in batches every few steps (reading losses forces the host to wait for the GPU).
using StepCallback = std::function<bool(const StepReport &)>;

// Seconds the rest of the run should take at its pace so far, per pixel computed: with coarse-to-fine scales the
// steps grow slower as the run goes on, so steps alone would promise too little. 0 before the first report.
inline double estimated_seconds_left(const StepReport &report) {
    return report.work_done > 0 ? report.seconds * (1 - report.work_done) / report.work_done : 0;
}

// "0:42", "12:05", "1:02:09": a duration as both hosts show it.
inline std::string clock_text(double seconds) {
    const long total = std::lround(std::max(0.0, seconds));
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}

} // namespace neural_style
