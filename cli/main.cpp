// SPDX-License-Identifier: GPL-3.0-or-later
// neural-style: the command-line driver of the core.
#include "cli_args.h"
#include "error.h"
#include "device.h"
#include "image.h"
#include "image_files.h"
#include "memory.h"
#include "run_plan.h"
#include "progress_display.h"
#include "stylize.h"
#include "version.h"
#include "weights_location.h"

#ifdef NEURAL_STYLE_HAVE_FETCH
#include "fetch_weights_command.h"
#endif

#include <torch/version.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace ns = neural_style;

namespace {

#ifdef NEURAL_STYLE_HAVE_FETCH
const char *const kHowToGetWeights = "; download them with: neural-style fetch-weights";
#else
const char *const kHowToGetWeights = "; see README.md, \"The VGG19 weights\"";
#endif

// "2560x1600 px in 7 scales, 3 of them in tiles; up to 3.1 GB of memory (limit 17.6 GB); about 6 minutes on 2 CPU
// threads"
std::string plan_text(const ns::RunPlan &plan, bool cuda, int threads) {
    const ns::ScalePlan &finest = plan.scales.back();
    int tiled = 0;
    for (const ns::ScalePlan &scale : plan.scales)
        tiled += scale.tiles > 1;
    std::string text = ns::size_text(finest.size) + " px in " + std::to_string(plan.scales.size()) + (plan.scales.size() == 1 ? " scale" : " scales");
    if (tiled > 0)
        text += ", " + std::to_string(tiled) + " of them in tiles";
    const std::string limit = plan.memory_limit > 0 ? "limit " + ns::format_bytes(plan.memory_limit)
                                                    : "no limit: --memory-limit sets one";
    text += "; up to " + ns::format_bytes(plan.peak_bytes) + " of memory (" + limit + ")";
    const double seconds = ns::estimated_seconds(plan, cuda, threads);
    if (seconds > 0)
        text += "; about " +
                (seconds < 90 ? std::to_string(std::max(1L, std::lround(seconds))) + " s"
                              : std::to_string(std::lround(seconds / 60)) + " min") +
                " on " + std::to_string(threads) + " CPU threads";
    return text;
}

std::string folder_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// STYLE as jcjohnson/neural-style takes it: comma-separated files, unless a file of that very name exists.
std::vector<std::string> style_paths(const std::string &text) {
    if (text.find(',') == std::string::npos || access(text.c_str(), F_OK) == 0)
        return {text};
    std::vector<std::string> paths;
    size_t start = 0;
    for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
        paths.push_back(text.substr(start, comma - start));
    paths.push_back(text.substr(start));
    for (const std::string &path : paths)
        if (path.empty())
            throw ns::cli::UsageError("STYLE: an empty file name in '" + text + "'");
    return paths;
}

// Whether two paths name one file: the same inode where both exist, else the same text.
bool same_file(const std::string &a, const std::string &b) {
    struct stat info_a {}, info_b {};
    if (stat(a.c_str(), &info_a) == 0 && stat(b.c_str(), &info_b) == 0)
        return info_a.st_dev == info_b.st_dev && info_a.st_ino == info_b.st_ino;
    return a == b;
}

// The log is written from its first byte, so a log named like one of the run's files would destroy it.
void check_log_is_its_own_file(const std::string &log, const std::vector<std::pair<std::string, std::string>> &files) {
    for (const auto &[what, path] : files)
        if (!path.empty() && same_file(log, path))
            throw ns::cli::UsageError("--log: " + log + " is " + what + "; the log needs a file of its own");
}

int run(const ns::cli::CliArgs &args) {
    // Everything that can be checked cheaply is checked before minutes of computation.
    if (!ns::image_files::is_writable_image_name(args.output))
        throw ns::cli::UsageError(args.output + ": cannot write this format (use .png or .jpg)");
    const std::string output_folder = folder_of(args.output);
    struct stat folder {}, output {};
    if (stat(output_folder.c_str(), &folder) != 0 || !S_ISDIR(folder.st_mode) ||
        access(output_folder.c_str(), W_OK) != 0)
        throw ns::StyleError(args.output + ": the folder does not exist or is not writable");
    if (stat(args.output.c_str(), &output) == 0 && S_ISDIR(output.st_mode))
        throw ns::StyleError(args.output + ": is a folder");
    const ns::WeightsSearch search = ns::find_weights(args.weights);
    if (search.found.empty())
        throw ns::StyleError(ns::weights_not_found_message(search) + kHowToGetWeights);

    const std::vector<std::string> paths = style_paths(args.style);
    if (paths.size() > static_cast<size_t>(ns::limits::styles.max))
        throw ns::cli::UsageError("STYLE: at most " + std::to_string(ns::limits::styles.max) + " style images");
    if (!args.options.style_shares.empty() && args.options.style_shares.size() != paths.size())
        throw ns::cli::UsageError("--style-blend: " + std::to_string(args.options.style_shares.size()) +
                                  " shares for " + std::to_string(paths.size()) + " style images");

    if (!args.log.empty()) {
        std::vector<std::pair<std::string, std::string>> files{
            {"the content image", args.content}, {"the output", args.output}, {"the mask", args.mask},
            {"the weights", search.found}};
        for (const std::string &path : paths)
            files.emplace_back(paths.size() == 1 ? "the style image" : "a style image", path);
        check_log_is_its_own_file(args.log, files);
    }

    const ns::RgbaImage content = ns::image_files::load_image(args.content);
    std::vector<ns::RgbaImage> styles;
    std::vector<ns::Size> style_sizes;
    for (const std::string &path : paths) {
        styles.push_back(ns::image_files::load_image(path));
        style_sizes.push_back({styles.back().width, styles.back().height});
    }
    const ns::GreyImage mask =
        args.mask.empty() ? ns::GreyImage() : ns::mask_from_image(ns::image_files::load_image(args.mask));
    const ns::Vgg19Weights weights = ns::load_vgg19_weights(search.found);

    // The plan is made once, with the memory limit it settled on, so the run does what was announced.
    ns::StyleOptions options = args.options;
    const bool cuda = ns::select_device(options.device).is_cuda();
    const ns::RunPlan plan =
        ns::plan_run({content.width, content.height}, ns::largest_size(style_sizes), options, cuda);
    options.memory_limit = plan.memory_limit;
    if (!args.quiet)
        std::cerr << plan_text(plan, cuda, options.threads > 0 ? options.threads : ns::cpu_threads()) << "\n";

    ns::cli::ProgressDisplay display(args.quiet, args.log);
    const ns::RgbaImage result = ns::stylize(
        content, styles, weights, options,
        [&](const ns::StepReport &r) {
            display.show(r);
            return true;
        },
        mask);
    display.finish();
    ns::image_files::save_image(args.output, result);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
#ifdef NEURAL_STYLE_HAVE_FETCH
    if (argc >= 2 && std::strcmp(argv[1], "fetch-weights") == 0)
        return fetch_weights_command(argc - 1, argv + 1);
#endif
    try {
        const ns::cli::CliArgs args = ns::cli::parse_cli_args(argc, argv);
        if (args.help || args.version) {
            if (args.help)
                std::cout << ns::cli::usage_text();
            else
                std::cout << "neural-style " << NEURAL_STYLE_VERSION << " (LibTorch " << TORCH_VERSION_MAJOR << "."
                          << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH << ")\n";
            if (!std::cout.flush())
                throw ns::StyleError("cannot write to the standard output");
            return 0;
        }
        return run(args);
    } catch (const ns::cli::UsageError &e) {
        std::cerr << "neural-style: " << e.what() << " (see neural-style --help)\n";
        return 2;
    } catch (const ns::StyleError &e) {
        std::cerr << "neural-style: " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "neural-style: unexpected failure: " << e.what() << "\n";
        return 1;
    }
}
