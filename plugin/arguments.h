// SPDX-License-Identifier: GPL-3.0-or-later
// The procedure's arguments: registration (names are the contract for scripts and tests, defaults come from
// the core's default preset) and reading a run's configuration back into the core's options.
#pragma once

#include "options.h"

#include <libgimp/gimp.h>

#include <memory>
#include <string>

namespace nst_plugin {

struct ObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};
using LayerRef = std::unique_ptr<GimpLayer, ObjectUnref>;

struct Arguments {
    LayerRef style_layer;     // empty when the argument is unset
    neural_style::StyleOptions options;
    std::string weights_file; // empty: the default location
};

// The per-layer style weights, conv1_1 ... conv5_1 (the dialog groups them).
extern const char *const kStyleLayerWeightArguments[neural_style::kStyleLayerCount];

void add_arguments(GimpProcedure *procedure);

// Reads and checks every argument; on failure returns false and a message for the artist in `error`.
bool read_arguments(GimpProcedureConfig *config, Arguments &arguments, std::string &error);

} // namespace nst_plugin
