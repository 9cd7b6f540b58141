// SPDX-License-Identifier: GPL-3.0-or-later
// What a run paints, read from GIMP: the content's part to paint, the style layers and the mask. The run and the
// dialog's preview read them alike.
#pragma once

#include "arguments.h"
#include "region.h"
#include "rgba_image.h"
#include "run_plan.h"

#include <string>
#include <vector>

namespace nst_plugin {

struct RunInputs {
    PaintArea area;
    neural_style::RgbaImage content;             // area.rect of the content layer, at the working size
    std::vector<neural_style::RgbaImage> styles; // the style layers, in order
    neural_style::GreyImage mask;                // over `content`; empty when nothing limits the style
};

// Empty when the content and every style layer still exist, else a message naming the one that is gone. (A
// deleted layer that GIMP keeps for undo is no longer valid either.)
std::string check_still_there(GimpLayer *content, const Arguments &arguments);

// The core's plan for these layers and settings (its memory limit settled, its time to show): the content's part
// to paint and the largest style layer. Throws StyleError when the run cannot fit.
neural_style::RunPlan plan_run_inputs(GimpLayer *content, const Arguments &arguments, bool cuda);

// Reads no larger than the run will use them: the content with its longest side at most `working_side` (0: full
// size), the styles at their size at the finest scale (which is at most their longest side's share of the working
// size, or the working size). Empty when all is well, else a message for the artist: a layer deleted meanwhile, a
// style layer with nothing on it, or the memory running out while reading.
std::string read_run_inputs(GimpLayer *content, const Arguments &arguments, int working_side, RunInputs &inputs);

} // namespace nst_plugin
