// SPDX-License-Identifier: GPL-3.0-or-later
// The procedure's arguments: registration (names are the contract for scripts and tests, defaults come from
// the core's default preset) and reading a run's configuration back into the core's options.
#pragma once

#include "options.h"

#include <libgimp/gimp.h>

#include <memory>
#include <string>
#include <vector>

namespace nst_plugin {

struct ObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};
using LayerRef = std::unique_ptr<GimpLayer, ObjectUnref>;

struct Arguments {
    LayerRef style_layer;     // empty when the argument is unset
    std::vector<LayerRef> more_style_layers; // the second and third style layers given a share, in order; with
                                             // them options.style_shares has one share per style layer
    neural_style::StyleOptions options;
    std::string weights_file; // empty: the default location
};

// The per-layer style weights, conv1_1 ... conv5_1 (the dialog groups them).
extern const char *const kStyleLayerWeightArguments[neural_style::kStyleLayerCount];

// The second and third style layers and their shares of the blend, relative to the first style's kFirstStyleShare.
constexpr int kMoreStyles = 2;
extern const char *const kMoreStyleLayerArguments[kMoreStyles];
extern const char *const kMoreStyleShareArguments[kMoreStyles];
constexpr double kFirstStyleShare = 100;

// The stroke-size choice's id that leaves the five per-layer weights as they are set.
constexpr int kCustomStrokeSize = 100;

// The first style layer, then the others given a share.
std::vector<GimpLayer *> style_layers(const Arguments &arguments);

void add_arguments(GimpProcedure *procedure);

// Reads and checks every argument; on failure returns false and a message for the artist in `error`.
bool read_arguments(GimpProcedureConfig *config, Arguments &arguments, std::string &error);

} // namespace nst_plugin
