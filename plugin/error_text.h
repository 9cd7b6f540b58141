// SPDX-License-Identifier: GPL-3.0-or-later
// The core's errors in the artist's language: each kind the core names gets a translated sentence with the
// error's values in it; anything else keeps the core's English line after a translated lead.
#pragma once

#include "error.h"

#include <string>

namespace nst_plugin {

std::string error_text(const neural_style::StyleError &error);

// What a std::bad_alloc caught in the plug-in becomes: the out_of_memory kind, which error_text() words.
neural_style::StyleError out_of_memory_error();

} // namespace nst_plugin
