// SPDX-License-Identifier: GPL-3.0-or-later
// Downloading the VGG19 weights from the dialog, with the project's downloader (fetch/): a small window with a
// progress bar and Cancel, the transfer on a worker thread. Built only when the downloader is (libcurl, nettle).
#pragma once

#include "weights_fetch.h"

#include <string>
#include <vector>

namespace nst_plugin {

// The tensors the core reads: its needed_vgg19_tensors(), from needed_tensors.cpp, the one file of this download
// that may include weights.h and with it LibTorch.
std::vector<neural_style::NeededTensor> needed_tensors();

// Size in bytes of those tensors (float32): what a download brings.
double needed_bytes();

// Downloads to `destination` while showing the window (gimp_ui_init must have been called). True when the file
// is there; false when cancelled (error empty) or failed (error says why). A partial download is kept and
// resumed next time.
bool download_weights(const std::string &destination, std::string &error);

} // namespace nst_plugin
