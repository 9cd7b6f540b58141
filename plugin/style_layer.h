// SPDX-License-Identifier: GPL-3.0-or-later
// A sensible style layer to pre-set, since GIMP does not remember layer arguments between runs.
#pragma once

#include <libgimp/gimp.h>

namespace nst_plugin {

// The layer below the content (or above it, when it is the lowest), else the selected layer of another open
// image, else nullptr. Not referenced: the returned layer lives as long as the run's image list.
GimpLayer *suggest_style_layer(GimpLayer *content);

} // namespace nst_plugin
