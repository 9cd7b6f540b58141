// SPDX-License-Identifier: GPL-3.0-or-later
#include "memory.h"

#include <dlfcn.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace neural_style {

namespace {

// MemAvailable of /proc/meminfo: what can be allocated without swapping (Linux 3.14 and later).
std::uint64_t available_ram() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kilobytes = 0;
    std::string unit;
    while (meminfo >> key >> kilobytes >> unit)
        if (key == "MemAvailable:")
            return kilobytes * 1024;
    return 0;
}

// Free memory of CUDA device 0 (where this project's runs compute), from the CUDA runtime that a CUDA LibTorch has
// loaded; 0 without one (a CPU-only LibTorch) or when it fails. Looked up when called, so that the core needs no
// CUDA headers and one build serves both.
std::uint64_t free_gpu_memory() {
    using MemGetInfo = int(std::size_t *free, std::size_t *total); // cudaMemGetInfo; 0 is cudaSuccess
    auto *mem_get_info = reinterpret_cast<MemGetInfo *>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
    std::size_t free = 0, total = 0;
    if (!mem_get_info || mem_get_info(&free, &total) != 0)
        return 0;
    return free;
}

} // namespace

std::uint64_t default_memory_limit(bool cuda) {
    return (cuda ? free_gpu_memory() : available_ram()) / 4 * 3;
}

std::string format_bytes(std::uint64_t bytes) {
    char text[32];
    const double megabytes = static_cast<double>(bytes) / (1 << 20);
    if (megabytes < 10)
        std::snprintf(text, sizeof text, "%.1f MB", megabytes);
    else if (megabytes < 1000)
        std::snprintf(text, sizeof text, "%.0f MB", megabytes);
    else
        std::snprintf(text, sizeof text, "%.1f GB", megabytes / 1024);
    return text;
}

std::optional<std::uint64_t> parse_byte_size(const std::string &text) {
    std::istringstream in(text);
    double number = 0;
    if (!(in >> number) || !std::isfinite(number) || number <= 0)
        return std::nullopt;
    std::string suffix;
    in >> suffix;
    double unit = 1;
    if (suffix == "K" || suffix == "k")
        unit = 1024.0;
    else if (suffix == "M" || suffix == "m")
        unit = 1024.0 * 1024;
    else if (suffix == "G" || suffix == "g")
        unit = 1024.0 * 1024 * 1024;
    else if (!suffix.empty())
        return std::nullopt;
    if (!in.eof() && in.peek() != std::char_traits<char>::eof())
        return std::nullopt;
    const double bytes = number * unit;
    if (bytes < 1 || bytes > 1e18) // under a byte would read as 0, which means the default limit
        return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

} // namespace neural_style
