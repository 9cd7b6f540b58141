// SPDX-License-Identifier: GPL-3.0-or-later
// The fixture of the tests that run stylize(): seeded VGG19-shaped weights, the seed's settings at a test-sized
// working size, and a run that records its reports.
#pragma once

#include "options.h"
#include "stylize.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

struct StylizeResult {
    neural_style::RgbaImage image;
    std::vector<neural_style::StepReport> reports;
};

class StylizeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tensors_ = new std::vector<std::pair<std::string, torch::Tensor>>(test_support::random_vgg19_tensors(21));
        weights_ = new neural_style::Vgg19Weights(test_support::weights_from(*tensors_));
    }
    static void TearDownTestSuite() {
        delete weights_;
        delete tensors_;
    }

    // The seed's settings at a test-sized working size.
    static neural_style::StyleOptions small_options(int steps) {
        neural_style::StyleOptions o = neural_style::seed_preset();
        o.steps = steps;
        o.max_size = 32;
        o.min_scale_size = 16;
        o.device = neural_style::DeviceChoice::cpu; // exact comparisons; a GPU run reports in batches, may use TF32
        return o;
    }

    static StylizeResult run(const neural_style::RgbaImage &content, const neural_style::RgbaImage &style,
                             const neural_style::StyleOptions &options, int stop_after = 0) {
        StylizeResult r;
        const auto record = [&](const neural_style::StepReport &report) {
            r.reports.push_back(report);
            return stop_after == 0 || report.step < stop_after;
        };
        r.image = neural_style::stylize(content, {style}, *weights_, options, record);
        return r;
    }

    static double max_difference(const neural_style::RgbaImage &a, const neural_style::RgbaImage &b) {
        EXPECT_EQ(a.pixels.size(), b.pixels.size());
        double d = 0;
        for (size_t i = 0; i < std::min(a.pixels.size(), b.pixels.size()); ++i)
            d = std::max(d, static_cast<double>(std::abs(a.pixels[i] - b.pixels[i])));
        return d;
    }

    inline static std::vector<std::pair<std::string, torch::Tensor>> *tensors_ = nullptr; // the weights' tensors
    inline static neural_style::Vgg19Weights *weights_ = nullptr;
};
