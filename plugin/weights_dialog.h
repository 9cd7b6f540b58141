// SPDX-License-Identifier: GPL-3.0-or-later
// Before the settings dialog of an interactive run: when no weights file is found, say so and offer to download
// one (when built with the downloader) or to choose one, instead of failing after the artist pressed OK.
#pragma once

#include <libgimp/gimp.h>

#include <string>

namespace nst_plugin {

// True when a weights file is ready (found, downloaded, or chosen and set as "weights-file" in `config`).
// False when the artist cancelled (error empty) or the download failed (error says why).
// gimp_ui_init must have been called.
bool offer_weights(GimpProcedureConfig *config, std::string &error);

} // namespace nst_plugin
