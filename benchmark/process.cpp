#include "process.h"

#include "error.h"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

extern char **environ;

namespace neural_style::benchmark {

Usage usage_now() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    auto seconds = [](const timeval &t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
    return {seconds(r.ru_utime) + seconds(r.ru_stime), r.ru_minflt};
}

double load_average() {
    double one = -1;
    if (FILE *f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &one) != 1)
            one = -1;
        std::fclose(f);
    }
    return one;
}

double proc_status_mb(const char *key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0)
            return std::strtod(line.c_str() + prefix.size(), nullptr) / 1024.0; // the kernel gives kB
    return -1;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
}

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

namespace {

std::string self_path() {
    char buffer[4096];
    const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n <= 0)
        throw StyleError("cannot find this program's own path (/proc/self/exe)");
    return std::string(buffer, static_cast<size_t>(n));
}

} // namespace

Workdir::Workdir(const std::string &given) : path_(given), own_(given.empty()) {
    if (!own_) {
        mkdir(path_.c_str(), 0755);
        return;
    }
    const char *tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/neural-style-benchmark.XXXXXX";
    if (!mkdtemp(path_.data()))
        throw StyleError("cannot create a temporary folder: " + std::string(std::strerror(errno)));
}

Workdir::~Workdir() {
    if (own_)
        run_program({"/bin/rm", "-rf", "--", path_});
}

Runner::Runner(const Args &args, std::string workdir) : args_(args), self_(self_path()), workdir_(std::move(workdir)) {}

json Runner::child(const std::string &kind, const std::string &device, const std::vector<std::string> &extra) {
    const std::string result_path = workdir_ + "/result_" + std::to_string(++counter_) + ".json";
    std::vector<std::string> command = {self_, "--child", kind, "--child-device", device, "--workdir", workdir_, "--threads",
                                        std::to_string(args_.threads), "--child-result", result_path};
    if (args_.stop_at_target)
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

} // namespace neural_style::benchmark
