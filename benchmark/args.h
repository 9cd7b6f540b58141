// The benchmark's command line: what to measure, and the hidden options that tell a child process its one
// measurement.
#pragma once

#include "command_line.h"
#include "rgba_image.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neural_style::benchmark {

using cli::UsageError;

struct Args {
    std::vector<std::string> devices{"cpu"};
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
    std::uint64_t weights_seed = 1;
    std::string content, style;
    std::string json_path;
    std::string workdir;
    bool peak_probe = true;
    bool quick = false;

    // The large-image section (--large), on the CPU.
    bool large = false;
    std::vector<Size> large_sizes{{2560, 1600}, {4096, 4096}, {8192, 5464}};
    std::uint64_t memory_limit = 8ull << 30;
    Size overhead_size{1600, 1000}; // where the untiled step fits the limit, to compare with forced tiles
    int overhead_tile = 1024;
    Size default_run_size{2560, 1600};
    int old_working_size = 512; // the defaults before full resolution
    int large_style_side = 1024;

    // Hidden: what a child process is to measure.
    std::string child; // "", "measure", "memory", "ttq", "large-step", "large-run"
    int child_size = 0; // the working size (max_size) of the speed and time-to-quality children
    std::string child_device = "cpu";
    std::string child_content, child_style; // .npy images
    std::string child_preset;
    int child_steps = 0;
    int child_warmup = 0;
    double child_target = -1;
    double child_time_limit = 0;
    int child_tile_size = 0;
    std::string child_result;

    std::vector<std::string> command;

    int seed_steps_for(int size) const {
        const auto found = seed_steps_by_size.find(size);
        return found != seed_steps_by_size.end() ? found->second : seed_steps_all;
    }
};

// Exits after printing the help for -h/--help; throws UsageError for anything else it cannot take.
Args parse_args(int argc, char **argv);

} // namespace neural_style::benchmark
