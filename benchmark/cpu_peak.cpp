#include "cpu_peak.h"

#include "process.h"
#include "vgg19.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NEURAL_STYLE_BENCHMARK_X86 1
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

namespace neural_style::benchmark {

CpuInfo cpu_info() {
    CpuInfo info;
    std::ifstream in("/proc/cpuinfo");
    std::string line, flags;
    while (std::getline(in, line)) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = line.substr(0, colon);
        key.erase(key.find_last_not_of(" \t") + 1);
        const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "model name" && info.model.empty())
            info.model = value;
        else if (key == "cpu MHz" && info.mhz == 0)
            info.mhz = std::strtod(value.c_str(), nullptr);
        else if (key == "flags" && flags.empty())
            flags = " " + value + " ";
    }
    info.avx512 = flags.find(" avx512f ") != std::string::npos;
    info.avx2_fma = flags.find(" avx2 ") != std::string::npos && flags.find(" fma ") != std::string::npos;
    if (info.avx512) {
        info.flop_per_cycle = 64;
        info.simd = "AVX-512: 2 FMA pipes x 16 floats x 2 FLOP";
    } else if (info.avx2_fma) {
        info.flop_per_cycle = 32;
        info.simd = "AVX2+FMA: 2 FMA pipes x 8 floats x 2 FLOP";
    }
    return info;
}

#ifdef NEURAL_STYLE_BENCHMARK_X86
constexpr int kChains = 16; // independent FMA chains: enough to cover 4-cycle latency on 2 pipes, twice over

__attribute__((target("avx512f"))) double fma_loop_avx512(long iterations) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i)
        acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long n = 0; n < iterations; ++n)
        for (int i = 0; i < kChains; ++i)
            acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __m512 sum = acc[0];
    for (int i = 1; i < kChains; ++i)
        sum = _mm512_add_ps(sum, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, sum);
    return out[0];
}

__attribute__((target("avx2,fma"))) double fma_loop_avx2(long iterations) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i)
        acc[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long n = 0; n < iterations; ++n)
        for (int i = 0; i < kChains; ++i)
            acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    __m256 sum = acc[0];
    for (int i = 1; i < kChains; ++i)
        sum = _mm256_add_ps(sum, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, sum);
    return out[0];
}
#endif

double measure_fma_peak(const CpuInfo &info, int threads) {
#ifdef NEURAL_STYLE_BENCHMARK_X86
    if (!info.avx512 && !info.avx2_fma)
        return 0;
    const int lanes = info.avx512 ? 16 : 8;
    const long iterations = 50'000'000; // 25.6 GFLOP per thread with AVX-512: a few tenths of a second
    double best = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::atomic<double> sink{0};
        std::vector<std::thread> pool;
        const Clock::time_point start = Clock::now();
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                const double r = info.avx512 ? fma_loop_avx512(iterations) : fma_loop_avx2(iterations);
                double expected = sink.load();
                while (!sink.compare_exchange_weak(expected, expected + r)) {
                }
            });
        for (std::thread &t : pool)
            t.join();
        const double seconds = seconds_since(start);
        const double flop = 2.0 * lanes * kChains * static_cast<double>(iterations) * threads;
        if (sink.load() != 0)
            best = std::max(best, flop / seconds / 1e9);
    }
    return best;
#else
    (void)info;
    (void)threads;
    return 0;
#endif
}

double model_gflop_per_step(int width, int height) {
    double forward = 0;
    double w = width, h = height;
    for (const VggConv &conv : vgg19_convs()) {
        forward += 2.0 * w * h * conv.in_channels * conv.out_channels * 9;
        if (conv.pool_after) {
            w = std::floor(w / 2);
            h = std::floor(h / 2);
        }
    }
    return 2 * forward / 1e9;
}

} // namespace neural_style::benchmark
