// SPDX-License-Identifier: GPL-3.0-or-later
// Chooses where the computation runs and prepares that device for speed.
#pragma once

#include "options.h"
#include "run_plan.h"

#include <torch/types.h>

#include <cstdint>

#include <string>

namespace neural_style {

// automatic: CUDA when LibTorch sees a GPU, else the CPU. cuda: throws StyleError when there is none.
torch::Device select_device(DeviceChoice choice);

// cuDNN autotuning and TF32 on CUDA; CPU threads (0: one per core), denormals flushed, and (glibc) freed memory
// kept by the process for reuse instead of returned to the system. Call on the computing thread.
void prepare_device(torch::Device device, int cpu_threads);

// OpenBLAS threads for `scale`'s Gram matrices, the one part of a step LibTorch leaves to the BLAS: one under
// kManyBlasThreadsFromPixels, as many as LibTorch's own above, unless the environment sets OPENBLAS_NUM_THREADS.
// OpenBLAS runs its threads beside LibTorch's and they spin a while after each call, on the cores the next
// convolution needs: a 2-core step at 256x160 took 0.38 s with two and 0.24 s with one (LibTorch 2.6; 0.28 and 0.22 s
// on 1.13), at 512x320 1.05 and 0.95 s (0.98 and 0.95 on 1.13). Larger products use two threads well: at 2048x1280
// one thread took 14.9 s a step, two 14.2, and at 905x566 on 1.13 3.18 s, two 2.93 (2026-12-03, the AMD EPYC with
// AVX-512). Nothing on CUDA, or where the BLAS is not OpenBLAS.
void set_blas_threads_for(torch::Device device, const ScalePlan &scale);
constexpr long long kManyBlasThreadsFromPixels = 512 * 512;

// Hands the free pages the process kept (see prepare_device) back to the system; on the CPU with glibc only. At
// each new scale, whose tensors have other sizes than the last one's, and for tiled scales between steps: their
// tiles of several sizes and the long-lived image-sized tensors fragment the heap, which then grows past what is
// alive.
void release_freed_memory(torch::Device device);

// Before a step of `scale` and between its tiles: the heap's free pages go back to the system once the process
// holds more than the plan's live tensors and one pass (the plan's peak less its heap_allowance()). Freed blocks are
// kept for reuse (see prepare_device), but blocks of other sizes fragment the heap, which then grows: from step to
// step (the default run at 2560x1600, untiled and planned at 16.2 GB, held 22 GB at its last scale), and from tile
// to tile, whose sizes differ at the border (4096x4096 in 1024 px tiles, planned at 11.8 GB, held 13.1 GB by its
// third step). Handing the pages back after every tile instead kept that run at 8.9 GB but took its first step
// from 394 to 498 s: each tile then faults its working set in again.
void keep_within_plan(torch::Device device, const ScalePlan &scale);

// Between the tiles of a tiled scale's setup (the content's targets and the styles' Gram matrices, forward passes
// without gradients): the same, with room left under the plan's line for the next tile's forward
// (tile_forward_bytes()). Few tensors live through a setup, but each forward's blocks land in the holes the last
// one left and the heap grows: the default run at 2560x1600 in two tiles, planned at 11.4 GB, held 12.5 GB at the
// end of its last scale's setup, of which 2.4 GB were alive (LibTorch 1.13, 2026-12-02). Nothing for a whole scale,
// whose setup is two passes.
void keep_setup_within_plan(torch::Device device, const ScalePlan &scale);

// Bytes of memory this process holds now (its resident set; Linux), 0 where unknown.
std::uint64_t resident_bytes();

// A CPU tensor on `device`. To a GPU it goes through pinned (page-locked) memory, which the GPU copies from
// directly and without making the CPU wait.
torch::Tensor upload(const torch::Tensor &host, torch::Device device);

// The CPU threads a run uses when told 0: one per core.
int cpu_threads();

// "CPU (2 threads)", "CUDA GPU 0".
std::string describe_device(torch::Device device);

} // namespace neural_style
