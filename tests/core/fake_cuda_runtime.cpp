// SPDX-License-Identifier: GPL-3.0-or-later
// LD_PRELOAD'ed into the GPU memory limit tests in place of the CUDA runtime a CUDA LibTorch loads (no machine
// that runs the tests has a GPU): cudaMemGetInfo reports $NST_FAKE_GPU_FREE_BYTES free of 80 GiB, or fails
// (cudaErrorInitializationError, 3) when that variable is "error".
#include <cstddef>
#include <cstdlib>
#include <cstring>

extern "C" int cudaMemGetInfo(std::size_t *free, std::size_t *total) {
    const char *free_bytes = std::getenv("NST_FAKE_GPU_FREE_BYTES");
    if (!free_bytes || std::strcmp(free_bytes, "error") == 0)
        return 3;
    *free = std::strtoull(free_bytes, nullptr, 10);
    *total = std::size_t{80} << 30;
    return 0;
}
