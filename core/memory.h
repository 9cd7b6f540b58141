// SPDX-License-Identifier: GPL-3.0-or-later
// How much memory a run may use, and what its parts take: the numbers the run plan is sized by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace neural_style {

// What a run may use when the user sets no limit: three quarters of the memory available now, leaving the rest to
// the host (GIMP and its images) and the system. On CUDA, three quarters of the GPU's free memory (the CUDA
// runtime's cudaMemGetInfo): the plan's figures per pixel are the CPU's, and cuDNN's workspaces and the caching
// allocator's blocks come on top. 0 (no limit) where the GPU's free memory cannot be read; a GPU that runs out then
// ends the run with a clear message.
std::uint64_t default_memory_limit(bool cuda);

// Bytes of the forward and backward pass through VGG19 (conv1_1 to conv5_1) per pixel of the image it runs on,
// the activations kept for backward included, on the CPU (channels-last): an upper bound, since the plan must keep
// a run under its limit. Measured with three untiled steps of the CLI on a real photo (LibTorch 1.13, Debian 12,
// /usr/bin/time -v, 2026-11-30), the peak less the rest of the plan: 4100 bytes per pixel at 1024x640, 4270 at
// 1600x1000, 3600 at 2048x1280, 4360 at 2560x1600 (the heap's reuse of freed blocks varies from size to size).
constexpr double kBackwardBytesPerPixel = 4400;
// LibTorch 2 (Debian 13's 2.6) takes less: eleven untiled steps of the CLI (a default run's finest scale: ten L-BFGS
// pairs) on the same photo, /usr/bin/time -v in the Debian 13 root, the peak less the rest of the plan: 3180 bytes
// per pixel at 1600x1000, 3020 at 2048x1280, 2770 at 2560x1600 (2026-12-02, an AMD EPYC with AVX-512); the default
// run at 1024 px, whose heap also holds its coarser scales' leftovers, peaked at 0.95x of a plan counting 0.9 here:
// about 3680. 0.85 of 4400 (3740) covers them all, and lets a 2560x1600 scale go untiled under a 24 GB machine's
// default limit (12.5 GB measured), where 0.9 tiled it: 30 s a step there untiled, 43 s in tiles.
constexpr double kBackwardShareOnLibTorch2 = 0.85;
// What a tiled scale's heap holds beyond its live tensors and one tile's pass, as a share of that pass: freed
// activations of tiles of other sizes leave holes the next tile's blocks do not fit (kept by the process for speed,
// see prepare_device). The core hands the free pages back before any step or tile that finds the process above its
// live tensors and one pass (keep_within_plan), so a tile's pass finds at most what the tiles before it left: this
// grows with the tile, not the image (the step's image-sized blocks, the gradient and L-BFGS's buffers, are
// allocated once per scale). Measured over that line, two steps of the command line at 6000x4000 under 8 GB (54
// tiles of 832x832 with halos; /usr/bin/time -v, 2026-12-02, the AVX-512 EPYC): 0.27 of the tile's pass on
// LibTorch 1.13 (7.61 GB against a plan of 7.8), 0.13 on 2.6 (7.13 against 7.6); 0.25 in three steps at 4096x4096
// in 16 tiles of 1184x1184 on 1.13 (10.5 GB, 2026-12-01). It was 150 bytes per pixel of the image, which refused
// 6000x4000 under 8 GB.
constexpr double kTiledHeapShareOfPass = 1.0 / 3;
// LibTorch's own working memory and the VGG19 weights (52 MB): the peak of a run on a tiny image (a 64x64 step
// of the CLI: 315 MB).
constexpr std::uint64_t kBaseBytes = 300ull << 20;
// LibTorch 2.2 and later serve their blocks of 2 MiB and more from huge pages (device.cpp), whole 2 MiB pages each:
// up to 2 MiB more for each of a pass's 50 or so live blocks. The default run at 512 px (Autumn, Cascade) peaked at
// 1.27 GB on 2.6 with them and 1.20 GB without, against a plan of 1.28 GB that did not count them (2026-12-02).
constexpr std::uint64_t kHugePageRoundingBytes = 100ull << 20;

// "5.1 GB", "800 MB", "1.5 MB": for messages (and a download's progress and rate), two digits at least.
std::string format_bytes(std::uint64_t bytes);

// "800M", "6G", "1.5G", "2000000000": bytes, or nothing when the text is not such a size (or under a byte).
std::optional<std::uint64_t> parse_byte_size(const std::string &text);

} // namespace neural_style
