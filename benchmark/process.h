// This process and its children: clocks, CPU time and memory figures, running programs, the working folder.
// Each measurement runs in a fresh child process (this program, re-executed with hidden --child-* options), so
// that peak memory starts clean and no measurement inherits another's allocator or thread state.
#pragma once

#include "args.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace neural_style::benchmark {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) and minor page faults of this process so far.
struct Usage {
    double cpu_seconds = 0;
    long page_faults = 0;
};
Usage usage_now();

// The 1-minute load average: other work on the machine slows every figure down. -1 when unknown.
double load_average();

// MiB figures of /proc/self/status ("VmHWM": peak resident, "VmRSS": resident now); -1 where there is none.
double proc_status_mb(const char *key);

std::string read_file(const std::string &path);
std::string utc_now();

// Runs a program to completion with stdout and stderr passed through; returns a description of the failure or "".
std::string run_program(const std::vector<std::string> &command);

// The working folder: the one given, or a new one in $TMPDIR removed when this goes.
class Workdir {
public:
    explicit Workdir(const std::string &given);
    ~Workdir();
    Workdir(const Workdir &) = delete;
    Workdir &operator=(const Workdir &) = delete;
    const std::string &path() const { return path_; }

private:
    std::string path_;
    bool own_;
};

// Runs this program again as a child for one measurement.
class Runner {
public:
    Runner(const Args &args, std::string workdir);
    // The child's result JSON, or {"error": ...}. `extra` are more --child-* options.
    json child(const std::string &kind, const std::string &device, const std::vector<std::string> &extra);
    const std::string &workdir() const { return workdir_; }

private:
    const Args &args_;
    std::string self_, workdir_;
    int counter_ = 0;
};

} // namespace neural_style::benchmark
