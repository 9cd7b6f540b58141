// SPDX-License-Identifier: GPL-3.0-or-later
#include "device.h"

#include "error.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <dlfcn.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace neural_style {

namespace {

// Every step allocates and frees the same activations, megabytes to gigabytes each. glibc serves blocks that large
// with fresh mmap()s and unmaps them on free, so each step page-faults (and zeroes) its whole working set again:
// at 512 px that doubled the step time, at 1024 px tripled it. Served from the heap and never trimmed, the freed
// blocks are reused as they are. The memory stays with the process until it exits, which a run's process does.
void keep_freed_memory() {
#ifdef __GLIBC__
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1); // -1: never trim
#endif
}

// Each new scale's first pass faults in its whole working set, gigabytes, page by page: in a virtual machine each
// 4 KiB fault costs about 20 us, and at 2560x1600 (3.6 million faults) the scale's setup took 47 s and its first step
// 64 s, where the steps after took 29 s. Served from 2 MiB transparent huge pages they took 27 and 36 s (LibTorch
// 2.6, the AMD EPYC, 2026-12-02). LibTorch 2.2 and later advise them for their blocks of 2 MiB and more when
// THP_MEM_ALLOC_ENABLE is set, which it reads once, at its first allocation: so it is set as the program starts,
// unless the environment already says otherwise. LibTorch 1.13 has no such switch and ignores it.
const bool huge_pages_requested = setenv("THP_MEM_ALLOC_ENABLE", "1", /*overwrite=*/0) == 0;

// The line under which a scale's live tensors and one pass fit: the plan's peak less its heap_allowance().
std::uint64_t plan_line(const ScalePlan &scale) { return scale.peak_bytes - heap_allowance(scale); }

void release_freed_memory_above(torch::Device device, std::uint64_t line) {
    if (resident_bytes() > line)
        release_freed_memory(device);
}

} // namespace

torch::Device select_device(DeviceChoice choice) {
    if (choice == DeviceChoice::cpu)
        return torch::kCPU;
    const bool have_cuda = torch::cuda::is_available();
    if (choice == DeviceChoice::cuda && !have_cuda)
        throw StyleError(ErrorKind::no_gpu, "device cuda: LibTorch sees no CUDA GPU (no GPU, no driver, or a CPU-only LibTorch); "
                         "use device auto or cpu");
    return have_cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

int cpu_threads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

void prepare_device(torch::Device device, int cpu_threads) {
    if (device.is_cuda()) {
        // Image sizes stay fixed within a scale, so autotuning pays back after the first step.
        at::globalContext().setBenchmarkCuDNN(true);
        at::globalContext().setAllowTF32CuDNN(true);
        at::globalContext().setAllowTF32CuBLAS(true);
    }
    // LibTorch's own default counts physical cores and, in virtual machines, often finds one: use every core.
    torch::set_num_threads(cpu_threads > 0 ? cpu_threads : neural_style::cpu_threads());
    if (!device.is_cuda()) {
        keep_freed_memory();
        // Deep activations and their gradients reach denormal floats, which run many times slower on x86.
        // The flag is per thread: set it on each of LibTorch's worker threads, one chunk each.
        at::parallel_for(0, torch::get_num_threads(), 1,
                         [](int64_t, int64_t) { at::globalContext().setFlushDenormal(true); });
        at::globalContext().setFlushDenormal(true);
    }
}

void set_blas_threads_for(torch::Device device, const ScalePlan &scale) {
    using SetThreads = void (*)(int);
    static const auto set_openblas_threads =
        std::getenv("OPENBLAS_NUM_THREADS") ? nullptr
                                            : reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (device.is_cuda() || !set_openblas_threads)
        return;
    const long long pixels = static_cast<long long>(scale.size.width) * scale.size.height;
    set_openblas_threads(pixels < kManyBlasThreadsFromPixels ? 1 : torch::get_num_threads());
}

void release_freed_memory(torch::Device device) {
#ifdef __GLIBC__
    if (!device.is_cuda())
        malloc_trim(0);
#else
    (void)device;
#endif
}

void keep_within_plan(torch::Device device, const ScalePlan &scale) {
    release_freed_memory_above(device, plan_line(scale));
}

void keep_setup_within_plan(torch::Device device, const ScalePlan &scale) {
    if (scale.tiles > 1)
        release_freed_memory_above(device, plan_line(scale) - tile_forward_bytes(scale));
}

std::uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return 0;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

torch::Tensor upload(const torch::Tensor &host, torch::Device device) {
    if (!device.is_cuda())
        return host.to(device);
    return host.pin_memory().to(device, /*non_blocking=*/true);
}

std::string describe_device(torch::Device device) {
    if (device.is_cuda())
        return "CUDA GPU " + std::to_string(device.index() < 0 ? 0 : device.index());
    const int threads = torch::get_num_threads();
    return "CPU (" + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
}

} // namespace neural_style
