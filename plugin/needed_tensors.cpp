// The one place where the download learns which tensors the core needs (weights.h brings LibTorch headers).
#include "weights.h"
#include "weights_download.h"

namespace nst_plugin {

std::vector<neural_style::FetchTensor> needed_fetch_tensors() {
    std::vector<neural_style::FetchTensor> tensors;
    for (const neural_style::NeededTensor &needed : neural_style::needed_vgg19_tensors())
        tensors.push_back({needed.key, needed.shape});
    return tensors;
}

} // namespace nst_plugin
