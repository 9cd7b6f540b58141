// neural-style-benchmark: speed, memory and time-to-quality of the core, per device and working size.
//
// Needs only LibTorch (stb, when the build has it, adds --content/--style PNG/JPEG input). Each measurement runs in
// a fresh child process (this program, re-executed with hidden --child-* options), so that peak memory starts clean
// and no measurement inherits another's allocator or thread state. Run with --help for the options.
#include "error.h"
#include "image.h"
#include "options.h"
#include "rgba_image.h"
#include "safetensors.h"
#include "stylize.h"
#include "version.h"
#include "vgg19.h"
#include "weights.h"

#ifdef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
#include "image_files.h"
#endif
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NEURAL_STYLE_BENCHMARK_X86 1
#endif

#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace ns = neural_style;
using json = nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU seconds (user + system) and minor page faults of this process so far.
struct Usage {
    double cpu_seconds = 0;
    long page_faults = 0;
};

Usage usage_now() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    auto seconds = [](const timeval &t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
    return {seconds(r.ru_utime) + seconds(r.ru_stime), r.ru_minflt};
}

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char *const kUsage = R"(Usage: neural-style-benchmark [OPTIONS]

Measures the neural style core on generated VGG19 weights and synthetic (or given) images: seconds per
optimisation step, achieved GFLOP/s against the model's FLOP count, peak memory, and time-to-quality (how soon the
default settings reach the total loss the seed preset ends with). Prints a table; --json writes everything,
loss-against-seconds curves included.

  --device LIST             cpu, cuda, auto; repeatable or comma-separated [cpu]
  --sizes LIST              square working sizes to time, px [256,512,1024]
  --steps-per-size N        timed steps per size, after the warm-up [3; on CUDA at least 20]
  --warmup N                untimed steps first [1; on CUDA 10]
  --memory-sizes LIST       sizes run for peak memory only: one cold step (plus, computed, the L-BFGS history) []
  --ttq-sizes LIST          sizes for time-to-quality runs [256]
  --seed-steps N|SIZE:N,..  length of the seed preset's reference run [2000]
  --seed-time-limit S       stop a seed run after S seconds; its loss then is the target (said in the output) [none]
  --stop-at-target          stop the default and PyTorch runs once they reach the target (shorter curves)
  --no-stop-at-target       run them in full (the default; overrides an earlier --stop-at-target)
  --pytorch SCRIPT          also run SCRIPT (benchmark/pytorch_reference.py), the same default optimizer in PyTorch
  --python PATH             the Python for --pytorch [/usr/bin/python3]
  --pytorch-threads N       its CPU threads [the benchmark's own count]
  --threads N               CPU threads, 0 = one per core [0]
  --weights FILE            VGG19 safetensors [generated: seeded random, He-initialised, like make-test-weights]
  --weights-seed N          seed of the generated weights [1]
  --content FILE, --style FILE
                            images (PNG/JPEG; needs a build with stb) [synthetic, made at each size]
  --json FILE               write the results as JSON
  --workdir DIR             where weights, images and child results go [a new folder in $TMPDIR, removed after]
  --no-peak-probe           skip the FMA loop that measures the CPU's FP32 peak
  --quick                   tiny sizes and runs: a smoke test of the whole program (figures meaningless)
  -h, --help                this text

Exit status: 0 success (a failed measurement is reported, not fatal), 1 failure, 2 usage error.
)";

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream stream(text);
    while (std::getline(stream, part, separator))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

long parse_long(const std::string &text, const std::string &what, long low, long high) {
    char *end = nullptr;
    errno = 0;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high)
        throw UsageError(what + ": expected a whole number from " + std::to_string(low) + " to " +
                         std::to_string(high) + ", got '" + text + "'");
    return value;
}

double parse_double(const std::string &text, const std::string &what) {
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0)
        throw UsageError(what + ": expected a number >= 0, got '" + text + "'");
    return value;
}

std::vector<int> parse_sizes(const std::string &text, const std::string &what) {
    std::vector<int> sizes;
    for (const std::string &part : split(text, ','))
        sizes.push_back(static_cast<int>(parse_long(part, what, 16, 16384)));
    return sizes;
}

std::string format(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

// The 1-minute load average: other work on the machine slows every figure down.
double load_average() {
    double one = -1;
    if (FILE *f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &one) != 1)
            one = -1;
        std::fclose(f);
    }
    return one;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// kB figures of /proc/self/status ("VmHWM", "VmRSS"); -1 where there is none.
double proc_status_mb(const char *key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0)
            return std::strtod(line.c_str() + prefix.size(), nullptr) / 1024.0;
    return -1;
}

// FLOP of one loss-and-gradient evaluation: the forward convolutions up to conv5_1 (2*H*W*Cin*Cout*9 each) and the
// backward pass to the input, which costs the same again (weights take no gradients). Grams, pools and losses
// are left out (under 1%).
double model_gflop_per_step(int width, int height) {
    double forward = 0;
    double w = width, h = height;
    for (const ns::VggConv &conv : ns::vgg19_convs()) {
        forward += 2.0 * w * h * conv.in_channels * conv.out_channels * 9;
        if (conv.pool_after) {
            w = std::floor(w / 2);
            h = std::floor(h / 2);
        }
    }
    return 2 * forward / 1e9;
}

// ---------------------------------------------------------------------------------------------------------------
// The CPU's FP32 peak: nominal from its SIMD flags and clock, and measured with an FMA loop.

struct CpuInfo {
    std::string model;
    double mhz = 0;
    bool avx512 = false, avx2_fma = false;
    int flop_per_cycle = 0; // per core, FP32, from the flags (2 FMA pipes x lanes x 2)
    std::string simd;
};

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

// GFLOP/s of `threads` threads running the widest FMA loop the flags allow, best of five; 0 where none applies.
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

// ---------------------------------------------------------------------------------------------------------------
// Weights and images

ns::Vgg19Weights generate_weights(uint64_t seed) {
    // The same recipe as tests/tools/make-test-weights: He-initialised, so activations keep a sensible scale.
    torch::manual_seed(seed);
    ns::Vgg19Weights weights;
    for (const ns::VggConv &conv : ns::vgg19_convs()) {
        weights.conv_weight.push_back(torch::randn({conv.out_channels, conv.in_channels, 3, 3}) *
                                      std::sqrt(2.0 / (conv.in_channels * 9.0)));
        weights.conv_bias.push_back(torch::randn({conv.out_channels}) * 0.01);
    }
    return weights;
}

void save_weights(const std::string &path, const ns::Vgg19Weights &weights) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (size_t i = 0; i < ns::vgg19_convs().size(); ++i) {
        const std::string prefix = "features." + std::to_string(ns::vgg19_convs()[i].feature_index);
        tensors.emplace_back(prefix + ".weight", weights.conv_weight[i]);
        tensors.emplace_back(prefix + ".bias", weights.conv_bias[i]);
    }
    ns::write_safetensors(path, tensors);
}

float smoothstep(float edge0, float edge1, float x) {
    const float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
    return t * t * (3 - 2 * t);
}

// Content: a sky-to-ground gradient with a sun, hills and a house-like block: smooth areas and clear edges, drawn
// in resolution-independent coordinates so that every size shows the same picture.
ns::RgbaImage synthetic_content(int size) {
    ns::RgbaImage image(size, size);
    const float edge = 1.5f / size;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const float u = (x + 0.5f) / size, v = (y + 0.5f) / size;
            float r = 0.35f + 0.3f * v, g = 0.55f + 0.2f * v, b = 0.95f - 0.25f * v; // sky
            const float sun = smoothstep(0.11f + edge, 0.11f - edge, std::hypot(u - 0.75f, v - 0.22f));
            r += (1.0f - r) * sun, g += (0.85f - g) * sun, b += (0.3f - b) * sun;
            const float hill_line = 0.62f + 0.08f * std::sin(7.0f * u) + 0.04f * std::sin(17.0f * u + 1.0f);
            const float hill = smoothstep(hill_line - edge, hill_line + edge, v);
            const float shade = 0.8f + 0.2f * std::sin(11.0f * u + 5.0f * v);
            r += (0.25f * shade - r) * hill, g += (0.5f * shade - g) * hill, b += (0.2f * shade - b) * hill;
            const float house = smoothstep(-edge, edge, std::min({u - 0.2f, 0.42f - u, v - 0.48f, 0.75f - v}));
            r += (0.7f - r) * house, g += (0.3f - g) * house, b += (0.25f - b) * house;
            const float window = smoothstep(-edge, edge, std::min({u - 0.26f, 0.33f - u, v - 0.55f, 0.63f - v}));
            r += (0.95f - r) * window, g += (0.9f - g) * window, b += (0.6f - b) * window;
            float *p = &image.pixels[(static_cast<size_t>(y) * size + x) * 4];
            p[0] = std::clamp(r, 0.0f, 1.0f), p[1] = std::clamp(g, 0.0f, 1.0f), p[2] = std::clamp(b, 0.0f, 1.0f);
        }
    return image;
}

// Style: diagonal coloured brush-stroke stripes, swirls and seeded grain: texture at several scales, like a painting.
ns::RgbaImage synthetic_style(int size) {
    ns::RgbaImage image(size, size);
    std::mt19937 random(12345);
    std::uniform_real_distribution<float> grain(-0.08f, 0.08f);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const float u = (x + 0.5f) / size, v = (y + 0.5f) / size;
            const float stripes = 0.5f + 0.5f * std::sin(40.0f * (u + 0.6f * v) + 3.0f * std::sin(9.0f * v));
            const float swirl = 0.5f + 0.5f * std::sin(25.0f * std::hypot(u - 0.4f, v - 0.6f) + 6.0f * u);
            const float blobs = 0.5f + 0.5f * std::sin(13.0f * u) * std::cos(11.0f * v);
            float *p = &image.pixels[(static_cast<size_t>(y) * size + x) * 4];
            p[0] = std::clamp(0.1f + 0.8f * stripes * blobs + grain(random), 0.0f, 1.0f);
            p[1] = std::clamp(0.2f + 0.5f * swirl + 0.2f * stripes + grain(random), 0.0f, 1.0f);
            p[2] = std::clamp(0.9f - 0.6f * stripes + 0.2f * swirl + grain(random), 0.0f, 1.0f);
        }
    return image;
}

// Images travel to the children and to the PyTorch script as .npy: float32 [H, W, 4], exact values.
void save_npy(const std::string &path, const ns::RgbaImage &image) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(image.height) +
                         ", " + std::to_string(image.width) + ", 4), }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t length = static_cast<uint16_t>(header.size());
    const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(length_bytes, 2);
    out << header;
    out.write(reinterpret_cast<const char *>(image.pixels.data()),
              static_cast<std::streamsize>(image.pixels.size() * sizeof(float)));
    if (!out)
        throw ns::StyleError(path + ": cannot write");
}

// Reads what save_npy() wrote (little-endian float32 [H, W, 4], C order).
ns::RgbaImage load_npy(const std::string &path) {
    const std::string bytes = read_file(path);
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
        throw ns::StyleError(path + ": not a .npy file");
    const size_t length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    const std::string header = bytes.substr(10, length);
    const size_t shape = header.find("'shape': (");
    if (header.find("'<f4'") == std::string::npos || shape == std::string::npos)
        throw ns::StyleError(path + ": expected float32 [H, W, 4]");
    int height = 0, width = 0, channels = 0;
    if (std::sscanf(header.c_str() + shape + 10, "%d, %d, %d", &height, &width, &channels) != 3 || channels != 4 ||
        height <= 0 || width <= 0)
        throw ns::StyleError(path + ": expected shape (H, W, 4)");
    ns::RgbaImage image(width, height);
    if (bytes.size() != 10 + length + image.pixels.size() * sizeof(float))
        throw ns::StyleError(path + ": truncated");
    std::memcpy(image.pixels.data(), bytes.data() + 10 + length, image.pixels.size() * sizeof(float));
    return image;
}

// ---------------------------------------------------------------------------------------------------------------
// Options

struct Args {
    std::vector<std::string> devices{"cpu"};
    bool devices_given = false;
    std::vector<int> sizes{256, 512, 1024};
    std::vector<int> memory_sizes;
    std::vector<int> ttq_sizes{256};
    int steps_per_size = -1; // -1: per device default
    int warmup = -1;
    int seed_steps_all = 2000;
    std::map<int, int> seed_steps_by_size;
    double seed_time_limit = 0;
    bool stop_at_target = false;
    std::string pytorch_script;
    std::string python = "/usr/bin/python3";
    int pytorch_threads = 0;
    int threads = 0;
    std::string weights;
    uint64_t weights_seed = 1;
    std::string content, style;
    std::string json_path;
    std::string workdir;
    bool peak_probe = true;
    bool quick = false;

    // Hidden: what a child process is to measure.
    std::string child; // "", "measure", "memory", "ttq"
    int child_size = 0;
    std::string child_device;
    std::string child_preset;
    int child_steps = 0;
    int child_warmup = 0;
    double child_target = -1;
    double child_time_limit = 0;
    std::string child_result;

    std::vector<std::string> command;

    int seed_steps_for(int size) const {
        const auto found = seed_steps_by_size.find(size);
        return found != seed_steps_by_size.end() ? found->second : seed_steps_all;
    }
};

Args parse_args(int argc, char **argv) {
    Args args;
    for (int i = 0; i < argc; ++i)
        args.command.push_back(argv[i]);
    auto value = [&](int &i, const std::string &name) -> std::string {
        if (i + 1 >= argc)
            throw UsageError(name + " needs a value");
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else if (arg == "--device") {
            if (!args.devices_given)
                args.devices.clear();
            args.devices_given = true;
            for (const std::string &d : split(value(i, arg), ',')) {
                if (!ns::parse_device_choice(d))
                    throw UsageError("--device: expected cpu, cuda or auto, got '" + d + "'");
                args.devices.push_back(d);
            }
        } else if (arg == "--sizes") {
            args.sizes = parse_sizes(value(i, arg), arg);
        } else if (arg == "--memory-sizes") {
            args.memory_sizes = parse_sizes(value(i, arg), arg);
        } else if (arg == "--ttq-sizes") {
            args.ttq_sizes = parse_sizes(value(i, arg), arg);
        } else if (arg == "--steps-per-size") {
            args.steps_per_size = static_cast<int>(parse_long(value(i, arg), arg, 1, 100000));
        } else if (arg == "--warmup") {
            args.warmup = static_cast<int>(parse_long(value(i, arg), arg, 0, 100000));
        } else if (arg == "--seed-steps") {
            for (const std::string &part : split(value(i, arg), ',')) {
                const size_t colon = part.find(':');
                if (colon == std::string::npos)
                    args.seed_steps_all = static_cast<int>(parse_long(part, arg, 1, 1000000));
                else
                    args.seed_steps_by_size[static_cast<int>(parse_long(part.substr(0, colon), arg, 16, 16384))] =
                        static_cast<int>(parse_long(part.substr(colon + 1), arg, 1, 1000000));
            }
        } else if (arg == "--seed-time-limit") {
            args.seed_time_limit = parse_double(value(i, arg), arg);
        } else if (arg == "--stop-at-target") {
            args.stop_at_target = true;
        } else if (arg == "--no-stop-at-target") {
            args.stop_at_target = false;
        } else if (arg == "--pytorch") {
            args.pytorch_script = value(i, arg);
        } else if (arg == "--python") {
            args.python = value(i, arg);
        } else if (arg == "--pytorch-threads") {
            args.pytorch_threads = static_cast<int>(parse_long(value(i, arg), arg, 0, 1024));
        } else if (arg == "--threads") {
            args.threads = static_cast<int>(parse_long(value(i, arg), arg, 0, 1024));
        } else if (arg == "--weights") {
            args.weights = value(i, arg);
        } else if (arg == "--weights-seed") {
            args.weights_seed = static_cast<uint64_t>(parse_long(value(i, arg), arg, 0, 2147483647));
        } else if (arg == "--content") {
            args.content = value(i, arg);
        } else if (arg == "--style") {
            args.style = value(i, arg);
        } else if (arg == "--json") {
            args.json_path = value(i, arg);
        } else if (arg == "--workdir") {
            args.workdir = value(i, arg);
        } else if (arg == "--no-peak-probe") {
            args.peak_probe = false;
        } else if (arg == "--quick") {
            args.quick = true;
        } else if (arg == "--child") {
            args.child = value(i, arg);
        } else if (arg == "--child-size") {
            args.child_size = static_cast<int>(parse_long(value(i, arg), arg, 16, 16384));
        } else if (arg == "--child-device") {
            args.child_device = value(i, arg);
        } else if (arg == "--child-preset") {
            args.child_preset = value(i, arg);
        } else if (arg == "--child-steps") {
            args.child_steps = static_cast<int>(parse_long(value(i, arg), arg, 0, 1000000));
        } else if (arg == "--child-warmup") {
            args.child_warmup = static_cast<int>(parse_long(value(i, arg), arg, 0, 1000000));
        } else if (arg == "--child-target") {
            args.child_target = std::strtod(value(i, arg).c_str(), nullptr);
        } else if (arg == "--child-time-limit") {
            args.child_time_limit = parse_double(value(i, arg), arg);
        } else if (arg == "--child-result") {
            args.child_result = value(i, arg);
        } else {
            throw UsageError("unknown option '" + arg + "' (see --help)");
        }
    }
#ifndef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
    if (!args.content.empty() || !args.style.empty())
        throw UsageError("--content/--style need a build with stb (libstb-dev); without it the images are synthetic");
#endif
    if (args.content.empty() != args.style.empty())
        throw UsageError("give both --content and --style, or neither");
    if (args.quick) {
        args.sizes = {32, 48};
        args.memory_sizes = {64};
        args.ttq_sizes = {32};
        args.seed_steps_all = 30;
        args.seed_steps_by_size.clear();
        if (args.steps_per_size < 0)
            args.steps_per_size = 2;
        if (args.warmup < 0)
            args.warmup = 1;
        args.peak_probe = false;
    }
    return args;
}

// ---------------------------------------------------------------------------------------------------------------
// Children: one measurement each, result as JSON in --child-result

ns::StyleOptions child_options(const Args &args, const std::string &preset) {
    ns::StyleOptions options = *ns::preset_by_name(preset);
    options.max_size = args.child_size;
    options.device = *ns::parse_device_choice(args.child_device);
    options.threads = args.threads;
    return options;
}

std::string image_path(const std::string &workdir, const char *which, int size) {
    return workdir + "/" + which + "_" + std::to_string(size) + ".npy";
}

// Memory figures of this process so far (CPU) or of the GPU's caching allocator since the last reset (CUDA).
json memory_report(bool cuda, double baseline_mb) {
    json m;
    m["baseline_mb"] = baseline_mb; // resident before the run: program, LibTorch, weights, images
    m["peak_rss_mb"] = proc_status_mb("VmHWM");
    m["working_mb"] = proc_status_mb("VmHWM") - baseline_mb;
    m["kind"] = "process peak resident set (VmHWM), fresh process";
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
    if (cuda) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
        // Index 0 of each stat array is the aggregate over pool types, in every LibTorch version.
        m["gpu_peak_allocated_mb"] = static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0);
        m["gpu_peak_reserved_mb"] = static_cast<double>(stats.reserved_bytes[0].peak) / (1024.0 * 1024.0);
        m["working_mb"] = m["gpu_peak_allocated_mb"];
        m["kind"] = "GPU caching allocator peak allocated bytes";
    }
#else
    (void)cuda;
#endif
    return m;
}

void reset_gpu_peak(bool cuda) {
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
    if (cuda)
        c10::cuda::CUDACachingAllocator::resetPeakStats(0);
#else
    (void)cuda;
#endif
}

int run_child(const Args &args) {
    const ns::RgbaImage content = load_npy(image_path(args.workdir, "content", args.child_size));
    const ns::RgbaImage style = load_npy(image_path(args.workdir, "style", args.child_size));
    const ns::Vgg19Weights weights = ns::load_vgg19_weights(args.workdir + "/weights.safetensors");
    const bool cuda = args.child_device == "cuda";
    json result;
    result["size"] = args.child_size;
    result["device"] = args.child_device;

    if (args.child == "measure" || args.child == "memory") {
        // The seed preset's Adam: exactly one loss-and-gradient evaluation per step, so steps time the model
        // (an L-BFGS step makes a varying number of them). memory: one cold step, for its peak only.
        const bool memory = args.child == "memory";
        ns::StyleOptions options = child_options(args, "seed");
        options.scales = 1;
        options.steps = memory ? 1 : args.child_warmup + args.child_steps;
        std::vector<double> wall; // at each report; on CUDA the reports come after a synchronising batch flush
        std::vector<double> reported;
        std::vector<Usage> usage; // at each report
        std::string description;
        int width = 0, height = 0;
        if (cuda)
            torch::cuda::synchronize();
        reset_gpu_peak(cuda);
        const double baseline = proc_status_mb("VmRSS");
        const Clock::time_point start = Clock::now();
        ns::stylize(content, style, weights, options, [&](const ns::StepReport &r) {
            wall.push_back(seconds_since(start));
            reported.push_back(r.seconds);
            usage.push_back(usage_now());
            description = r.device;
            width = r.width;
            height = r.height;
            return true;
        });
        const double total = seconds_since(start);
        result["device_description"] = description;
        result["width"] = width;
        result["height"] = height;
        result["memory"] = memory_report(cuda, baseline);
        if (memory) {
            result["cold_step_seconds"] = total;
            // What the default settings' L-BFGS adds: its history of image-sized vector pairs (Adam keeps two).
            result["lbfgs_history_mb"] = 2.0 * ns::default_preset().lbfgs_history * 3 * 4 * static_cast<double>(width) *
                                         height / (1024.0 * 1024.0);
        } else {
            const int w = args.child_warmup;
            const double begin = w > 0 ? reported[static_cast<size_t>(w) - 1] : 0;
            // CUDA reports come in batches of 10 after a synchronisation: use the host clock at those points.
            const double begin_wall = w > 0 ? wall[static_cast<size_t>(w) - 1] : 0;
            const double timed = cuda ? wall.back() - begin_wall : reported.back() - begin;
            result["warmup_steps"] = w;
            result["timed_steps"] = args.child_steps;
            result["seconds_per_step"] = timed / args.child_steps;
            // CPU time and page faults per timed step: where a loaded machine makes wall time pessimistic, and how
            // much of a step goes to faulting in freshly allocated memory.
            const Usage before = w > 0 ? usage[static_cast<size_t>(w) - 1] : Usage{};
            result["cpu_seconds_per_step"] = (usage.back().cpu_seconds - before.cpu_seconds) / args.child_steps;
            result["page_faults_per_step"] =
                static_cast<double>(usage.back().page_faults - before.page_faults) / args.child_steps;
            result["first_step_seconds"] = reported.front();
            result["step_seconds"] = reported;
        }
    } else if (args.child == "ttq") {
        ns::StyleOptions options = child_options(args, args.child_preset);
        const ns::Size final = ns::fit_within({content.width, content.height}, options.max_size);
        if (args.child_steps > 0)
            options.steps = args.child_steps;
        json curve = json::array();
        std::string description;
        double reached = -1;
        bool stopped_by_time = false;
        reset_gpu_peak(cuda);
        const double baseline = proc_status_mb("VmRSS");
        const Clock::time_point start = Clock::now();
        ns::stylize(content, style, weights, options, [&](const ns::StepReport &r) {
            description = r.device;
            curve.push_back({r.step, r.seconds, r.total, r.width, r.height});
            // The target is a loss at the full working size: coarser scales' losses are not comparable.
            if (reached < 0 && args.child_target >= 0 && r.width == final.width && r.height == final.height &&
                r.total <= args.child_target)
                reached = r.seconds;
            if (reached >= 0 && args.child_target >= 0 && args.stop_at_target)
                return false;
            if (args.child_time_limit > 0 && r.seconds >= args.child_time_limit) {
                stopped_by_time = true;
                return false;
            }
            return true;
        });
        result["device_description"] = description;
        result["preset"] = args.child_preset;
        result["planned_steps"] = options.steps;
        result["steps_done"] = curve.size();
        result["stopped_by_time"] = stopped_by_time;
        result["wall_seconds"] = seconds_since(start);
        result["curve_columns"] = {"step", "seconds", "total", "width", "height"};
        result["curve"] = curve;
        result["final_loss"] = curve.empty() ? json() : curve.back()[2];
        result["final_seconds"] = curve.empty() ? json() : curve.back()[1];
        result["reached_target_seconds"] = reached >= 0 ? json(reached) : json();
        result["memory"] = memory_report(cuda, baseline);
    } else {
        throw UsageError("unknown --child " + args.child);
    }
    std::ofstream(args.child_result) << result.dump() << "\n";
    return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: prepares inputs, runs the children and the PyTorch script, prints and writes the results

std::string self_path() {
    char buffer[4096];
    const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n <= 0)
        throw ns::StyleError("cannot find this program's own path (/proc/self/exe)");
    return std::string(buffer, static_cast<size_t>(n));
}

// Runs a program to completion with stdout and stderr passed through; returns a description of the failure or "".
std::string run_program(const std::vector<std::string> &command) {
    std::vector<char *> argv;
    for (const std::string &s : command)
        argv.push_back(const_cast<char *>(s.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    std::cout.flush();
    std::cerr.flush();
    if (const int error = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ); error != 0)
        return "cannot start " + command[0] + ": " + std::strerror(error);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return std::string("waitpid: ") + std::strerror(errno);
    if (WIFSIGNALED(status))
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) +
               (WTERMSIG(status) == SIGKILL ? " (out of memory?)" : "");
    if (WEXITSTATUS(status) != 0)
        return "exit status " + std::to_string(WEXITSTATUS(status));
    return "";
}

struct Runner {
    const Args &args;
    std::string self;
    int counter = 0;

    // Runs one child measurement; the result JSON, or {"error": ...}.
    json child(const std::string &kind, const std::string &device, int size, std::vector<std::string> extra) {
        const std::string result_path = args.workdir + "/result_" + std::to_string(++counter) + ".json";
        std::vector<std::string> command = {self,           "--child",       kind,       "--child-device", device,
                                            "--child-size", std::to_string(size), "--workdir", args.workdir,
                                            "--threads",    std::to_string(args.threads), "--child-result",
                                            result_path};
        if (args.stop_at_target)
            command.push_back("--stop-at-target");
        command.insert(command.end(), extra.begin(), extra.end());
        const std::string failure = run_program(command);
        if (!failure.empty())
            return json{{"error", failure}};
        try {
            return json::parse(read_file(result_path));
        } catch (const std::exception &e) {
            return json{{"error", std::string("unreadable child result: ") + e.what()}};
        }
    }
};

std::string mkdtemp_workdir() {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/neural-style-benchmark.XXXXXX";
    if (!mkdtemp(pattern.data()))
        throw ns::StyleError("cannot create a temporary folder: " + std::string(std::strerror(errno)));
    return pattern;
}

void remove_tree(const std::string &path) { run_program({"/bin/rm", "-rf", "--", path}); }

json options_json(const ns::StyleOptions &o) {
    return {{"steps", o.steps},
            {"optimizer", ns::optimizer_name(o.optimizer)},
            {"learning_rate", o.learning_rate},
            {"content_weight", o.content_weight},
            {"style_weight", o.style_weight},
            {"style_layer_weights", o.style_layer_weights},
            {"tv_weight", o.tv_weight},
            {"init", ns::init_name(o.init)},
            {"max_size", o.max_size},
            {"scales", o.scales},
            {"min_scale_size", o.min_scale_size},
            {"lbfgs_history", o.lbfgs_history}};
}

std::string resolve_device(const std::string &choice) {
    if (choice == "auto")
        return torch::cuda::is_available() ? "cuda" : "cpu";
    return choice;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
}

std::string cell(const json &value, int decimals) {
    if (!value.is_number())
        return "-";
    return format(value.get<double>(), decimals);
}

int run_parent(Args &args) {
    const Clock::time_point started = Clock::now();
    const double load_at_start = load_average();
    const bool own_workdir = args.workdir.empty();
    if (own_workdir)
        args.workdir = mkdtemp_workdir();
    else
        mkdir(args.workdir.c_str(), 0755);

    std::vector<std::string> devices;
    for (const std::string &d : args.devices) {
        const std::string resolved = resolve_device(d);
        if (resolved == "cuda" && !torch::cuda::is_available())
            throw ns::StyleError("--device cuda: LibTorch sees no CUDA GPU (no GPU, no driver, or a CPU-only LibTorch)");
        if (std::find(devices.begin(), devices.end(), resolved) == devices.end())
            devices.push_back(resolved);
    }
    const int threads = args.threads > 0 ? args.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

    // Inputs, written once for the children and the PyTorch script.
    const std::string weights_path = args.workdir + "/weights.safetensors";
    if (args.weights.empty())
        save_weights(weights_path, generate_weights(args.weights_seed));
    else
        save_weights(weights_path, ns::load_vgg19_weights(args.weights));
    std::vector<int> all_sizes = args.sizes;
    all_sizes.insert(all_sizes.end(), args.memory_sizes.begin(), args.memory_sizes.end());
    all_sizes.insert(all_sizes.end(), args.ttq_sizes.begin(), args.ttq_sizes.end());
    std::sort(all_sizes.begin(), all_sizes.end());
    all_sizes.erase(std::unique(all_sizes.begin(), all_sizes.end()), all_sizes.end());
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
    std::optional<ns::RgbaImage> given_content, given_style;
    if (!args.content.empty()) {
        given_content = ns::image_files::load_image(args.content);
        given_style = ns::image_files::load_image(args.style);
    }
#endif
    for (int size : all_sizes) {
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_IMAGE_FILES
        if (given_content) {
            // The core fits the content into each working size itself (never enlarging) and resizes the style.
            save_npy(image_path(args.workdir, "content", size), *given_content);
            save_npy(image_path(args.workdir, "style", size), *given_style);
            continue;
        }
#endif
        save_npy(image_path(args.workdir, "content", size), synthetic_content(size));
        save_npy(image_path(args.workdir, "style", size), synthetic_style(size));
    }

    json out;
    out["program"] = "neural-style-benchmark";
    out["version"] = NEURAL_STYLE_VERSION;
    out["libtorch"] = TORCH_VERSION;
    out["date"] = utc_now();
    out["command"] = args.command;
    out["quick"] = args.quick;
    out["weights"] = args.weights.empty() ? "generated (seeded random, He-initialised), seed " +
                                                std::to_string(args.weights_seed)
                                          : args.weights;
    out["images"] = args.content.empty() ? "synthetic (landscape content, striped style), made at each size"
                                          : args.content + " / " + args.style;
    out["presets"] = {{"seed", options_json(ns::seed_preset())}, {"default", options_json(ns::default_preset())}};
    out["model_gflop_per_step_note"] =
        "forward conv1_1..conv5_1 (2*H*W*Cin*Cout*9 per conv) plus the same again for the backward pass to the image";

    // The CPU's FP32 peak.
    const CpuInfo cpu = cpu_info();
    const double nominal = cpu.flop_per_cycle * cpu.mhz * 1e-3 * threads;
    double measured = 0;
    if (args.peak_probe && std::find(devices.begin(), devices.end(), "cpu") != devices.end()) {
        std::cerr << "measuring the CPU's FP32 peak with an FMA loop on " << threads << " threads...\n";
        measured = measure_fma_peak(cpu, threads);
    }
    const double peak = std::max(nominal, measured);
    out["cpu"] = {{"model", cpu.model},
                  {"mhz", cpu.mhz},
                  {"threads", threads},
                  {"simd", cpu.simd},
                  {"flop_per_cycle_per_core", cpu.flop_per_cycle},
                  {"nominal_peak_gflops", nominal},
                  {"measured_fma_peak_gflops", measured > 0 ? json(measured) : json()},
                  {"peak_gflops", peak > 0 ? json(peak) : json()},
                  {"peak_method", "the larger of nominal (FLOP/cycle from the SIMD flags x cpu MHz from /proc/cpuinfo x "
                                  "threads) and measured (16 independent FMA chains per thread, widest SIMD the "
                                  "flags allow, best of 5)"}};

    Runner runner{args, self_path()};
    out["devices"] = json::array();
    for (const std::string &device : devices) {
        const bool cuda = device == "cuda";
        json dev;
        dev["device"] = device;
        const int warmup = args.warmup >= 0 ? args.warmup : cuda ? 10 : 1;
        int steps = args.steps_per_size >= 0 ? args.steps_per_size : cuda ? 20 : 3;
        if (cuda) // CUDA reports (and so the clock readings) come in batches of 10 steps
            steps = std::max(10, (steps + 9) / 10 * 10);
        const int cuda_warmup = cuda ? (warmup + 9) / 10 * 10 : warmup;

        dev["sizes"] = json::array();
        for (int size : args.sizes) {
            std::cerr << "[" << device << " " << size << " px] timing " << steps << " steps after " << cuda_warmup
                      << " warm-up...\n";
            json r = runner.child("measure", device, size,
                                  {"--child-steps", std::to_string(steps), "--child-warmup", std::to_string(cuda_warmup)});
            if (!r.contains("error")) {
                const double gflop = model_gflop_per_step(r["width"], r["height"]);
                r["model_gflop_per_step"] = gflop;
                r["gflops"] = gflop / r["seconds_per_step"].get<double>();
                if (!cuda && peak > 0)
                    r["percent_of_peak"] = 100 * r["gflops"].get<double>() / peak;
                const double mpx = r["width"].get<double>() * r["height"].get<double>() / 1e6;
                r["working_mb_per_megapixel"] = r["memory"]["working_mb"].get<double>() / mpx;
                dev["description"] = r["device_description"];
            }
            dev["sizes"].push_back(r);
        }

        dev["memory_sizes"] = json::array();
        for (int size : args.memory_sizes) {
            std::cerr << "[" << device << " " << size << " px] peak memory of one step...\n";
            json r = runner.child("memory", device, size, {});
            if (!r.contains("error")) {
                const double mpx = r["width"].get<double>() * r["height"].get<double>() / 1e6;
                r["working_mb_per_megapixel"] = r["memory"]["working_mb"].get<double>() / mpx;
            }
            dev["memory_sizes"].push_back(r);
        }

        dev["time_to_quality"] = json::array();
        for (int size : args.ttq_sizes) {
            json t;
            t["size"] = size;
            const int seed_steps = args.seed_steps_for(size);
            std::cerr << "[" << device << " " << size << " px] seed preset, " << seed_steps << " steps"
                      << (args.seed_time_limit > 0 ? " or " + format(args.seed_time_limit, 0) + " s" : "") << "...\n";
            std::vector<std::string> seed_extra = {"--child-preset", "seed", "--child-steps", std::to_string(seed_steps)};
            if (args.seed_time_limit > 0)
                seed_extra.insert(seed_extra.end(), {"--child-time-limit", format(args.seed_time_limit, 3)});
            json seed = runner.child("ttq", device, size, seed_extra);
            t["seed"] = seed;
            if (seed.contains("error") || !seed["final_loss"].is_number()) {
                dev["time_to_quality"].push_back(t);
                continue;
            }
            const double target = seed["final_loss"];
            const int seed_done = seed["steps_done"];
            t["seed_steps_planned"] = seed_steps;
            t["seed_steps_done"] = seed_done;
            t["seed_full_length"] = seed_done >= 2000;
            t["seed_note"] = seed_done >= 2000 ? "the seed preset's full 2000 steps"
                                               : "a shortened seed run: " + std::to_string(seed_done) +
                                                     " steps instead of 2000" +
                                                     (seed["stopped_by_time"].get<bool>() ? " (time limit)" : "");
            t["target_loss"] = target;
            t["seed_seconds"] = seed["final_seconds"];

            std::cerr << "[" << device << " " << size << " px] default settings, target loss " << target << "...\n";
            std::ostringstream target_text;
            target_text << std::setprecision(17) << target;
            json def = runner.child("ttq", device, size,
                                    {"--child-preset", "default", "--child-target", target_text.str()});
            t["default"] = def;
            if (!def.contains("error")) {
                t["default_seconds"] = def["reached_target_seconds"];
                if (def["reached_target_seconds"].is_number())
                    t["speedup_vs_seed"] = target <= 0 ? json() : json(seed["final_seconds"].get<double>() /
                                                                       def["reached_target_seconds"].get<double>());
            }

            if (!args.pytorch_script.empty()) {
                std::cerr << "[" << device << " " << size << " px] PyTorch reference of the default settings...\n";
                const ns::StyleOptions d = ns::default_preset();
                const std::string result_path = args.workdir + "/pytorch_" + device + "_" + std::to_string(size) + ".json";
                std::ostringstream layer_weights;
                for (size_t i = 0; i < d.style_layer_weights.size(); ++i)
                    layer_weights << (i ? "," : "") << d.style_layer_weights[i];
                std::vector<std::string> command = {
                    args.python, args.pytorch_script,
                    "--weights", weights_path,
                    "--content", image_path(args.workdir, "content", size),
                    "--style", image_path(args.workdir, "style", size),
                    "--max-size", std::to_string(size),
                    "--device", device,
                    "--threads", std::to_string(args.pytorch_threads > 0 ? args.pytorch_threads : threads),
                    "--steps", std::to_string(d.steps),
                    "--scales", std::to_string(d.scales),
                    "--min-scale-size", std::to_string(d.min_scale_size),
                    "--lbfgs-history", std::to_string(d.lbfgs_history),
                    "--learning-rate", format(d.learning_rate, 6),
                    "--content-weight", format(d.content_weight, 6),
                    "--style-weight", format(d.style_weight, 6),
                    "--style-layer-weights", layer_weights.str(),
                    "--tv-weight", format(d.tv_weight, 6),
                    "--target", target_text.str(),
                    "--result", result_path};
                if (args.stop_at_target)
                    command.push_back("--stop-at-target");
                json py;
                const std::string failure = run_program(command);
                if (!failure.empty()) {
                    py = {{"error", failure}};
                } else {
                    try {
                        py = json::parse(read_file(result_path));
                    } catch (const std::exception &e) {
                        py = {{"error", std::string("unreadable PyTorch result: ") + e.what()}};
                    }
                }
                t["pytorch"] = py;
                if (!py.contains("error")) {
                    t["pytorch_seconds"] = py["reached_target_seconds"];
                    if (py["reached_target_seconds"].is_number() && t["default_seconds"].is_number())
                        t["speedup_vs_pytorch"] =
                            py["reached_target_seconds"].get<double>() / t["default_seconds"].get<double>();
                }
            }
            dev["time_to_quality"].push_back(t);
        }
        out["devices"].push_back(dev);
    }
    out["total_seconds"] = seconds_since(started);
    out["load_average_1min"] = {{"start", load_at_start}, {"end", load_average()}};

    // The table.
    std::ostringstream table;
    table << "neural-style-benchmark " << NEURAL_STYLE_VERSION << ", LibTorch " << TORCH_VERSION << ", " << out["date"].get<std::string>()
          << (args.quick ? "  (--quick: figures meaningless)" : "") << "\n";
    table << "CPU: " << cpu.model << ", " << threads << (threads == 1 ? " thread, " : " threads, ") << format(cpu.mhz, 0)
          << " MHz";
    if (peak > 0)
        table << "; FP32 peak assumed " << format(peak, 0) << " GFLOP/s (nominal " << format(nominal, 0) << ": "
              << cpu.simd << " x " << format(cpu.mhz, 0) << " MHz x " << threads << "; measured FMA loop "
              << (measured > 0 ? format(measured, 0) + " = " +
                                     format(measured / (cpu.flop_per_cycle * threads), 2) + " GHz effective"
                               : std::string("not run"))
              << ")";
    table << "\nImages: " << out["images"].get<std::string>() << "; weights: " << out["weights"].get<std::string>() << "\n\n";
    table << "Per step (one loss+gradient evaluation: the seed preset's Adam; after warm-up; CPU s: user+system time "
             "of all threads; faults: minor page faults):\n";
    table << std::left << std::setw(8) << "device" << std::right << std::setw(7) << "size" << std::setw(12)
          << "GFLOP/step" << std::setw(10) << "s/step" << std::setw(10) << "GFLOP/s" << std::setw(8) << "%peak"
          << std::setw(10) << "peak MB" << std::setw(12) << "working MB" << std::setw(10) << "MB/Mpx" << std::setw(12)
          << "CPU s/step" << std::setw(13) << "faults/step" << "\n";
    for (const json &dev : out["devices"]) {
        for (const json &r : dev["sizes"]) {
            table << std::left << std::setw(8) << dev["device"].get<std::string>() << std::right << std::setw(7)
                  << r["size"].get<int>();
            if (r.contains("error")) {
                table << "  failed: " << r["error"].get<std::string>() << "\n";
                continue;
            }
            const json &m = r["memory"];
            const bool on_gpu = m.contains("gpu_peak_allocated_mb");
            table << std::setw(12) << cell(r["model_gflop_per_step"], 1) << std::setw(10)
                  << cell(r["seconds_per_step"], 3) << std::setw(10) << cell(r["gflops"], 1) << std::setw(8)
                  << (r.contains("percent_of_peak") ? cell(r["percent_of_peak"], 1) : "-") << std::setw(10)
                  << cell(on_gpu ? m["gpu_peak_reserved_mb"] : m["peak_rss_mb"], 0) << std::setw(12)
                  << cell(m["working_mb"], 0) << std::setw(10) << cell(r["working_mb_per_megapixel"], 0)
                  << std::setw(12) << cell(r["cpu_seconds_per_step"], 3) << std::setw(13)
                  << cell(r["page_faults_per_step"], 0) << "\n";
        }
        for (const json &r : dev["memory_sizes"]) {
            table << std::left << std::setw(8) << dev["device"].get<std::string>() << std::right << std::setw(7)
                  << r["size"].get<int>();
            if (r.contains("error")) {
                table << "  memory run failed: " << r["error"].get<std::string>() << "\n";
                continue;
            }
            const json &m = r["memory"];
            const bool on_gpu = m.contains("gpu_peak_allocated_mb");
            table << std::setw(12) << cell(json(model_gflop_per_step(r["width"], r["height"])), 1) << std::setw(10)
                  << "-" << std::setw(10) << "-" << std::setw(8) << "-" << std::setw(10)
                  << cell(on_gpu ? m["gpu_peak_reserved_mb"] : m["peak_rss_mb"], 0) << std::setw(12)
                  << cell(m["working_mb"], 0) << std::setw(10) << cell(r["working_mb_per_megapixel"], 0)
                  << "  (one cold step, " << cell(r["cold_step_seconds"], 0) << " s; the default settings' full L-BFGS "
                  << "history adds " << cell(r["lbfgs_history_mb"], 0) << " MB)\n";
        }
    }
    table << "\nTime to quality (seconds until the total loss at the full size is at most the seed preset's final loss):\n";
    table << std::left << std::setw(8) << "device" << std::right << std::setw(7) << "size" << std::setw(12)
          << "seed steps" << std::setw(13) << "target loss" << std::setw(10) << "seed s" << std::setw(11)
          << "default s" << std::setw(10) << "vs seed" << std::setw(11) << "PyTorch s" << std::setw(12)
          << "vs PyTorch" << "\n";
    std::vector<std::string> notes;
    for (const json &dev : out["devices"])
        for (const json &t : dev["time_to_quality"]) {
            table << std::left << std::setw(8) << dev["device"].get<std::string>() << std::right << std::setw(7)
                  << t["size"].get<int>();
            if (!t.contains("target_loss")) {
                table << "  seed run failed: " << t["seed"].value("error", std::string("no steps")) << "\n";
                continue;
            }
            std::ostringstream loss;
            loss << std::setprecision(4) << t["target_loss"].get<double>();
            auto speedup = [](const json &v) { return v.is_number() ? format(v.get<double>(), 1) + "x" : "-"; };
            auto seconds = [](const json &holder, const char *key) {
                if (holder.contains(key) && holder[key].is_number())
                    return format(holder[key].get<double>(), 1);
                return std::string(holder.contains(key) ? "not reached" : "-");
            };
            table << std::setw(12) << (std::to_string(t["seed_steps_done"].get<int>()) + (t["seed_full_length"].get<bool>() ? "" : "*"))
                  << std::setw(13) << loss.str() << std::setw(10) << cell(t["seed_seconds"], 1) << std::setw(11)
                  << seconds(t, "default_seconds") << std::setw(10)
                  << speedup(t.value("speedup_vs_seed", json())) << std::setw(11) << seconds(t, "pytorch_seconds")
                  << std::setw(12) << speedup(t.value("speedup_vs_pytorch", json())) << "\n";
            if (!t["seed_full_length"].get<bool>())
                notes.push_back("* " + dev["device"].get<std::string>() + " " + std::to_string(t["size"].get<int>()) +
                                " px: " + t["seed_note"].get<std::string>());
            if (t.contains("default") && t["default"].contains("error"))
                notes.push_back("  default run failed: " + t["default"]["error"].get<std::string>());
            if (t.contains("pytorch") && t["pytorch"].contains("error"))
                notes.push_back("  PyTorch run failed: " + t["pytorch"]["error"].get<std::string>());
            else if (t.contains("pytorch"))
                notes.push_back("  PyTorch " + t["pytorch"].value("torch_version", std::string("?")) + " (Python) on " +
                                std::to_string(t["pytorch"].value("threads", 0)) + " thread(s), same weights, images, "
                                "losses and optimizer");
        }
    for (const std::string &note : notes)
        table << note << "\n";
    table << "Total benchmark time: " << format(out["total_seconds"].get<double>(), 0) << " s; load average (1 min) "
          << format(load_at_start, 2) << " at the start, " << format(out["load_average_1min"]["end"].get<double>(), 2)
          << " at the end" << (load_at_start > 0.5 ? ": other work was running, every figure is pessimistic" : "")
          << "\n";
    std::cout << table.str();
    out["table"] = table.str();

    if (!args.json_path.empty()) {
        std::ofstream file(args.json_path);
        file << out.dump(1) << "\n";
        if (!file)
            throw ns::StyleError(args.json_path + ": cannot write");
    }
    if (own_workdir)
        remove_tree(args.workdir);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    try {
        Args args = parse_args(argc, argv);
        if (!args.child.empty())
            return run_child(args);
        return run_parent(args);
    } catch (const UsageError &e) {
        std::cerr << "neural-style-benchmark: " << e.what() << "\n";
        return 2;
    } catch (const std::exception &e) {
        std::cerr << "neural-style-benchmark: " << e.what() << "\n";
        return 1;
    }
}
