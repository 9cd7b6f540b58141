// SPDX-License-Identifier: GPL-3.0-or-later
// The one place where the download learns which tensors the core needs (weights.h brings LibTorch headers).
#include "weights.h"
#include "weights_download.h"

namespace nst_plugin {

std::vector<neural_style::NeededTensor> needed_tensors() { return neural_style::needed_vgg19_tensors(); }

} // namespace nst_plugin
