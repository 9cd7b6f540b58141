// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights_location.h"

#include <cstdlib>
#include <filesystem>

namespace neural_style {

namespace {

std::string env(const char *name) {
    const char *value = std::getenv(name);
    return value ? value : "";
}

} // namespace

std::string default_weights_path() {
    std::string data_home = env("XDG_DATA_HOME");
    if (data_home.empty())
        data_home = env("HOME") + "/.local/share";
    return data_home + "/neural-style-transfer/vgg19.safetensors";
}

WeightsSearch find_weights(const std::string &explicit_path) {
    WeightsSearch search;
    if (!explicit_path.empty()) {
        search.looked_at.push_back(explicit_path);
    } else {
        if (!env("NEURAL_STYLE_WEIGHTS").empty())
            search.looked_at.push_back(env("NEURAL_STYLE_WEIGHTS"));
        search.looked_at.push_back(default_weights_path());
    }
    for (const std::string &candidate : search.looked_at) {
        std::error_code error;
        // A path the user named is taken whatever is there, so that the loader says what is wrong with a folder or
        // a device ("is not a file") instead of the search saying nothing is there; the places searched on their
        // own offer regular files only.
        if (explicit_path.empty() ? std::filesystem::is_regular_file(candidate, error)
                                  : std::filesystem::exists(candidate, error)) {
            search.found = candidate;
            break;
        }
    }
    return search;
}

std::string looked_at_text(const WeightsSearch &search) {
    std::string places;
    for (const std::string &place : search.looked_at)
        places += (places.empty() ? "" : ", ") + place;
    return places;
}

std::string weights_not_found_message(const WeightsSearch &search) {
    return "VGG19 weights not found (looked at " + looked_at_text(search) + ")";
}

} // namespace neural_style
