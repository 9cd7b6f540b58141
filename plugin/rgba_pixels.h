// Pixels as they travel between GIMP and the style job: interleaved non-linear R'G'B'A floats in [0,1].
// Kept free of GIMP and LibTorch so that both sides can include it.
#pragma once

#include <vector>

namespace nst_plugin {

struct RgbaPixels {
    int width = 0;
    int height = 0;
    std::vector<float> rgba; // width * height * 4, row-major
};

} // namespace nst_plugin
