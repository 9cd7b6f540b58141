// SPDX-License-Identifier: GPL-3.0-or-later
// Where the weights file is looked for: --weights / the dialog's file, then $NEURAL_STYLE_WEIGHTS, then
// $XDG_DATA_HOME/neural-style-transfer/vgg19.safetensors (~/.local/share/... when XDG_DATA_HOME is unset).
#pragma once

#include <string>
#include <vector>

namespace neural_style {

struct WeightsSearch {
    std::string found;                  // empty when no candidate exists (explicit: of any kind; else a regular file)
    std::vector<std::string> looked_at; // every candidate, in order
};

// The default download destination (the last candidate).
std::string default_weights_path();

// `explicit_path` (may be empty) comes first; when given it is the only candidate.
WeightsSearch find_weights(const std::string &explicit_path);

// "A, B, C": every place looked at, for a host's message.
std::string looked_at_text(const WeightsSearch &search);

// One line for users naming every place looked at; the host adds how it gets the file.
std::string weights_not_found_message(const WeightsSearch &search);

} // namespace neural_style
