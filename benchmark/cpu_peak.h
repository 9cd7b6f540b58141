// What the hardware and the model set as limits: the CPU's FP32 peak (nominal from its SIMD flags and clock, and
// measured with an FMA loop), and the FLOP one step of the model takes.
#pragma once

#include <string>

namespace neural_style::benchmark {

struct CpuInfo {
    std::string model;
    double mhz = 0;
    bool avx512 = false, avx2_fma = false;
    int flop_per_cycle = 0; // per core, FP32, from the flags (2 FMA pipes x lanes x 2)
    std::string simd;
};

CpuInfo cpu_info();

// GFLOP/s of `threads` threads running the widest FMA loop the flags allow, best of five; 0 where none applies.
double measure_fma_peak(const CpuInfo &info, int threads);

// FLOP of one loss-and-gradient evaluation: the forward convolutions up to conv5_1 (2*H*W*Cin*Cout*9 each) and the
// backward pass to the input, which costs the same again (weights take no gradients). Grams, pools and losses
// are left out (under 1%).
double model_gflop_per_step(int width, int height);

} // namespace neural_style::benchmark
