// SPDX-License-Identifier: GPL-3.0-or-later
#include "fetch_weights_command.h"

#include "command_line.h"
#include "error.h"
#include "memory.h"
#include "progress_display.h"
#include "weights.h"
#include "weights_fetch.h"
#include "weights_location.h"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <string>

namespace ns = neural_style;

namespace {

const char *const kUsage =
    "Usage: neural-style fetch-weights [--url URL] [--output FILE] [--quiet]\n"
    "\n"
    "Downloads the VGG19 convolution weights (torchvision's ImageNet weights, BSD-3-Clause) and writes them as\n"
    "a compact safetensors file. Only the header and the byte ranges of the tensors used are fetched (about\n"
    "52 MB of the 575 MB file); an interrupted download resumes where it stopped when run again.\n"
    "\n"
    "Options:\n"
    "  --url URL       source safetensors file: https://..., or file:///path [the timm vgg19.tv_in1k file]\n"
    "  --output FILE   destination [$XDG_DATA_HOME/neural-style-transfer/vgg19.safetensors]\n"
    "  --retries N     transfer failures retried within this run [3]\n"
    "  --time-limit S  seconds this run may take, retries included; what arrived is kept [3600]\n"
    "  --force         accept a source or result that differs from the first download's record\n"
    "  --quiet         no progress, only the SHA-256 line\n"
    "  --help          this text\n"
    "\n"
    "The first download records the SHA-256 of the source's header and of the file written in FILE.trust.json;\n"
    "a later one that differs is refused (trust on first use). Prints the SHA-256 of the written file as\n"
    "'HASH  FILE'. With PyTorch at hand, a torchvision .pth can be converted instead:\n"
    "tools/pth_to_safetensors.py.\n";

volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_signal(int) { interrupted = 1; }

// The download's progress: a bar on a terminal, a line every 10% otherwise.
class FetchDisplay {
public:
    explicit FetchDisplay(bool quiet) : line_(quiet) {}

    bool show(const ns::FetchProgress &p) {
        if (p.stage == ns::FetchStage::Downloading && p.bytes_total > 0) {
            if (!announced_) {
                announced_ = true;
                start_ = std::chrono::steady_clock::now();
                received_at_start_ = p.bytes_received;
                if (p.bytes_resumed > 0)
                    line("resuming: " + ns::format_bytes(p.bytes_resumed) + " already downloaded");
                line("downloading " + ns::format_bytes(p.bytes_total) + " of tensor data");
            }
            const double done = static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
            const int percent = static_cast<int>(100.0 * done);
            const std::string amount = ns::format_bytes(p.bytes_done) + " of " + ns::format_bytes(p.bytes_total);
            if (line_.live()) {
                line_.draw(done, std::to_string(percent) + "%  " + amount + rate(p) +
                                     (p.full_download ? "  (no range support: reading the whole file)" : ""));
            } else if (percent / 10 > last_decile_) {
                last_decile_ = percent / 10;
                line(std::to_string(percent) + "% (" + amount + ")");
            }
        } else if (p.stage == ns::FetchStage::Verifying && !verifying_) {
            verifying_ = true;
            line("verifying and writing");
        }
        return interrupted == 0;
    }

    void line(const std::string &text) { line_.line("fetch-weights: " + text); }
    void finish() { line_.finish(); }

private:
    // This run's transfer rate ("  1.3 MB/s"), once there is enough of it to tell.
    std::string rate(const ns::FetchProgress &p) const {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        if (seconds <= 0.5)
            return "";
        const double per_second = static_cast<double>(p.bytes_received - received_at_start_) / seconds;
        return "  " + ns::format_bytes(static_cast<std::uint64_t>(per_second)) + "/s";
    }

    ns::cli::ProgressLine line_;
    bool announced_ = false, verifying_ = false;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point start_;
    std::uint64_t received_at_start_ = 0;
};

} // namespace

int fetch_weights_command(int argc, char **argv) {
    ns::FetchRequest request;
    bool quiet = false;
    try {
        const ns::cli::SplitArguments split = ns::cli::split_arguments(
            argc, argv, {"--url", "--output", "--retries", "--time-limit"}, {"--help", "--quiet", "--force"});
        if (split.flags.count("--help")) {
            std::cout << kUsage;
            return 0;
        }
        if (!split.positional.empty())
            throw ns::cli::UsageError("unexpected argument '" + split.positional.front() + "'");
        quiet = split.flags.count("--quiet") > 0;
        request.force = split.flags.count("--force") > 0;
        for (const auto &[name, value] : split.options) {
            if (value.empty())
                throw ns::cli::UsageError(name + ": needs a value");
            if (name == "--url")
                request.url = value;
            else if (name == "--output")
                request.output = value;
            else if (name == "--retries")
                request.retries = ns::cli::parse_int_within(name, value, 0, 100);
            else
                request.time_limit_s = ns::cli::parse_int_within(name, value, 1, 86400);
        }
    } catch (const ns::cli::UsageError &e) {
        std::cerr << "neural-style fetch-weights: " << e.what() << " (see neural-style fetch-weights --help)\n";
        return 2;
    }

    if (request.output.empty())
        request.output = ns::default_weights_path();
    request.tensors = ns::needed_vgg19_tensors();

    // Ctrl-C stops the download cleanly: what has arrived is kept for the next run. A second one kills.
    struct sigaction action {}, old_int {}, old_term {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
    struct RestoreSignals {
        struct sigaction *old_int, *old_term;
        ~RestoreSignals() {
            sigaction(SIGINT, old_int, nullptr);
            sigaction(SIGTERM, old_term, nullptr);
        }
    } restore{&old_int, &old_term};

    FetchDisplay display(quiet);
    try {
        ns::check_source_url(request.url);
        display.line("fetching VGG19 weights from " + request.url);
        const ns::FetchResult result =
            ns::fetch_weights(request, [&](const ns::FetchProgress &p) { return display.show(p); });
        display.line("wrote " + result.path + " (" + std::to_string(result.tensors) + " tensors, " +
                     ns::format_bytes(result.file_bytes) + "; received " + ns::format_bytes(result.bytes_received) +
                     (result.bytes_resumed ? " + " + ns::format_bytes(result.bytes_resumed) + " resumed" : "") +
                     (result.source_bytes ? " of a " + ns::format_bytes(result.source_bytes) + " file" : "") + ")");
        std::cout << result.sha256 << "  " << result.path << "\n";
        return 0;
    } catch (const ns::StyleError &e) {
        display.finish();
        std::cerr << "neural-style fetch-weights: " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        display.finish();
        std::cerr << "neural-style fetch-weights: " << e.what() << "\n";
        return 1;
    }
}
