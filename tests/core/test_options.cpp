// SPDX-License-Identifier: GPL-3.0-or-later
// options.h (presets, names, validation) and weights_location.h (where the weights file is looked for).
#include "error.h"
#include "options.h"
#include "weights_location.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>

namespace ns = neural_style;

namespace {

// --- presets --------------------------------------------------------------------------------------------------

TEST(Presets, SeedMatchesTheNotebook) {
    const ns::StyleOptions o = ns::seed_preset();
    EXPECT_EQ(o.optimizer, ns::Optimizer::adam);
    EXPECT_EQ(o.learning_rate, 0.003);
    EXPECT_EQ(o.steps, 2000);
    EXPECT_EQ(o.max_size, 400);
    EXPECT_EQ(o.content_weight, 1.0);
    EXPECT_EQ(o.style_weight, 1e6);
    const std::array<double, 5> layers{1, 0.8, 0.5, 0.3, 0.1};
    EXPECT_EQ(o.style_layer_weights, layers);
    EXPECT_EQ(o.tv_weight, 0.0);
    EXPECT_EQ(o.init, ns::Init::content);
    EXPECT_EQ(o.scales, 1);
    EXPECT_EQ(o.device, ns::DeviceChoice::automatic);
    EXPECT_EQ(o.threads, 0);
    EXPECT_NO_THROW(ns::validate(o));
}

TEST(Presets, DefaultKeepsTheSeedLossesAndIsValid) {
    const ns::StyleOptions seed = ns::seed_preset();
    const ns::StyleOptions o = ns::default_preset();
    EXPECT_EQ(o.content_weight, seed.content_weight);
    EXPECT_EQ(o.style_weight, seed.style_weight);
    EXPECT_EQ(o.style_layer_weights, seed.style_layer_weights);
    EXPECT_EQ(o.tv_weight, seed.tv_weight);
    EXPECT_EQ(o.optimizer, ns::Optimizer::lbfgs);
    EXPECT_EQ(o.scales, 0);   // as many as fit between min_scale_size and the content's size
    EXPECT_EQ(o.max_size, 0); // the content's own size
    EXPECT_EQ(o.style_scale, 1);
    EXPECT_EQ(seed.style_scale, 0); // the seed stretches the style to the content
    EXPECT_NO_THROW(ns::validate(o));
}

TEST(Presets, ByName) {
    const std::vector<std::string> names = ns::preset_names();
    EXPECT_EQ(names.size(), 2u);
    for (const std::string &name : names) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(ns::preset_by_name(name).has_value());
    }
    ASSERT_TRUE(ns::preset_by_name("seed"));
    EXPECT_EQ(ns::preset_by_name("seed")->learning_rate, ns::seed_preset().learning_rate);
    EXPECT_EQ(ns::preset_by_name("seed")->steps, ns::seed_preset().steps);
    ASSERT_TRUE(ns::preset_by_name("default"));
    EXPECT_EQ(ns::preset_by_name("default")->optimizer, ns::default_preset().optimizer);
    EXPECT_EQ(ns::preset_by_name("default")->steps, ns::default_preset().steps);
    EXPECT_FALSE(ns::preset_by_name("Seed"));
    EXPECT_FALSE(ns::preset_by_name(""));
    EXPECT_FALSE(ns::preset_by_name("fast"));
}

// --- names ----------------------------------------------------------------------------------------------------

TEST(Names, OptimizerRoundTrip) {
    for (ns::Optimizer value : {ns::Optimizer::adam, ns::Optimizer::lbfgs}) {
        const std::optional<ns::Optimizer> parsed = ns::parse_optimizer(ns::optimizer_name(value));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, value);
    }
    EXPECT_STREQ(ns::optimizer_name(ns::Optimizer::adam), "adam");
    EXPECT_STREQ(ns::optimizer_name(ns::Optimizer::lbfgs), "lbfgs");
    EXPECT_FALSE(ns::parse_optimizer("sgd"));
    EXPECT_FALSE(ns::parse_optimizer("ADAM"));
    EXPECT_FALSE(ns::parse_optimizer(""));
}

TEST(Names, InitRoundTrip) {
    for (ns::Init value : {ns::Init::content, ns::Init::noise}) {
        const std::optional<ns::Init> parsed = ns::parse_init(ns::init_name(value));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, value);
    }
    EXPECT_STREQ(ns::init_name(ns::Init::content), "content");
    EXPECT_STREQ(ns::init_name(ns::Init::noise), "noise");
    EXPECT_FALSE(ns::parse_init("style"));
    EXPECT_FALSE(ns::parse_init(""));
}

TEST(Names, DeviceRoundTrip) {
    for (ns::DeviceChoice value : {ns::DeviceChoice::automatic, ns::DeviceChoice::cpu, ns::DeviceChoice::cuda}) {
        const std::optional<ns::DeviceChoice> parsed = ns::parse_device_choice(ns::device_choice_name(value));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, value);
    }
    EXPECT_STREQ(ns::device_choice_name(ns::DeviceChoice::automatic), "auto");
    EXPECT_STREQ(ns::device_choice_name(ns::DeviceChoice::cpu), "cpu");
    EXPECT_STREQ(ns::device_choice_name(ns::DeviceChoice::cuda), "cuda");
    EXPECT_FALSE(ns::parse_device_choice("gpu"));
    EXPECT_FALSE(ns::parse_device_choice("automatic"));
    EXPECT_FALSE(ns::parse_device_choice(""));
}

TEST(Names, ColorModeAndStrokeSizeRoundTrip) {
    for (ns::ColorMode value : {ns::ColorMode::style, ns::ColorMode::luminance, ns::ColorMode::histogram})
        EXPECT_EQ(ns::parse_color_mode(ns::color_mode_name(value)), value);
    for (ns::StrokeSize value : {ns::StrokeSize::fine, ns::StrokeSize::medium, ns::StrokeSize::coarse})
        EXPECT_EQ(ns::parse_stroke_size(ns::stroke_size_name(value)), value);
    EXPECT_FALSE(ns::parse_color_mode("colour"));
    EXPECT_FALSE(ns::parse_stroke_size("huge"));
}

// --- the artist's controls ------------------------------------------------------------------------------------

TEST(Balance, FiftyLeavesTheWeightAndEachQuarterIsADecade) {
    const double preset = ns::default_preset().style_weight;
    EXPECT_DOUBLE_EQ(ns::style_weight_at_balance(preset, 50), preset);
    EXPECT_DOUBLE_EQ(ns::style_weight_at_balance(1e6, 75), 1e7);
    EXPECT_DOUBLE_EQ(ns::style_weight_at_balance(1e6, 0), 1e4);
    EXPECT_DOUBLE_EQ(ns::style_weight_at_balance(1e6, 100), 1e8);
    EXPECT_DOUBLE_EQ(ns::style_weight_at_balance(0, 80), 0);
}

TEST(StrokeSize, MediumIsTheSeedsAndOthersAreCustom) {
    EXPECT_EQ(ns::stroke_size_weights(ns::StrokeSize::medium), ns::seed_preset().style_layer_weights);
    EXPECT_EQ(ns::stroke_size_of(ns::default_preset().style_layer_weights), ns::StrokeSize::medium);
    const auto fine = ns::stroke_size_weights(ns::StrokeSize::fine);
    const auto coarse = ns::stroke_size_weights(ns::StrokeSize::coarse);
    EXPECT_GT(fine[0] / fine[4], 1);     // fine leans on conv1_1
    EXPECT_GT(coarse[4] / coarse[0], 1); // coarse on conv5_1
    EXPECT_EQ(ns::stroke_size_of(fine), ns::StrokeSize::fine);
    EXPECT_FALSE(ns::stroke_size_of({1, 2, 3, 4, 5}));
}

// --- validate -------------------------------------------------------------------------------------------------

// Lower case, hyphens as spaces: "max-size" (the CLI's spelling) and "max size" name the same option.
std::string spelled_alike(std::string text) {
    for (char &c : text)
        c = c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

struct BadOption {
    const char *case_name;
    std::function<void(ns::StyleOptions &)> spoil;
    const char *named; // what the message must name
};

TEST(Validate, RejectsEachBadValueNamingIt) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<BadOption> cases = {
        {"steps 0", [](ns::StyleOptions &o) { o.steps = 0; }, "steps"},
        {"steps negative", [](ns::StyleOptions &o) { o.steps = -5; }, "steps"},
        {"steps too many", [](ns::StyleOptions &o) { o.steps = 1000001; }, "steps"},
        {"learning rate 0", [](ns::StyleOptions &o) { o.learning_rate = 0; }, "learning rate"},
        {"learning rate negative", [](ns::StyleOptions &o) { o.learning_rate = -0.1; }, "learning rate"},
        {"learning rate NaN", [=](ns::StyleOptions &o) { o.learning_rate = nan; }, "learning rate"},
        {"learning rate inf", [=](ns::StyleOptions &o) { o.learning_rate = inf; }, "learning rate"},
        {"content weight negative", [](ns::StyleOptions &o) { o.content_weight = -1; }, "content weight"},
        {"content weight NaN", [=](ns::StyleOptions &o) { o.content_weight = nan; }, "content weight"},
        {"content weight inf", [=](ns::StyleOptions &o) { o.content_weight = inf; }, "content weight"},
        {"style weight negative", [](ns::StyleOptions &o) { o.style_weight = -1e6; }, "style weight"},
        {"style weight inf", [=](ns::StyleOptions &o) { o.style_weight = inf; }, "style weight"},
        {"style layer weight negative", [](ns::StyleOptions &o) { o.style_layer_weights[4] = -0.1; },
         "style layer weights"},
        {"style layer weight NaN", [=](ns::StyleOptions &o) { o.style_layer_weights[0] = nan; },
         "style layer weights"},
        {"tv weight negative", [](ns::StyleOptions &o) { o.tv_weight = -1; }, "tv weight"},
        {"tv weight NaN", [=](ns::StyleOptions &o) { o.tv_weight = nan; }, "tv weight"},
        {"max size too small", [](ns::StyleOptions &o) { o.max_size = 15; }, "max size"},
        {"max size too large", [](ns::StyleOptions &o) { o.max_size = 16385; }, "max size"},
        {"max size negative", [](ns::StyleOptions &o) { o.max_size = -1; }, "max size"},
        {"scales negative", [](ns::StyleOptions &o) { o.scales = -1; }, "scales"},
        {"scales 13", [](ns::StyleOptions &o) { o.scales = 13; }, "scales"},
        {"style scale negative", [](ns::StyleOptions &o) { o.style_scale = -1; }, "style scale"},
        {"style scale NaN", [=](ns::StyleOptions &o) { o.style_scale = nan; }, "style scale"},
        {"style scale 5", [](ns::StyleOptions &o) { o.style_scale = 5; }, "style scale"},
        {"content weight over the limit", [](ns::StyleOptions &o) { o.content_weight = 2e12; }, "content weight"},
        {"memory limit 17 TB", [](ns::StyleOptions &o) { o.memory_limit = 17ull << 40; }, "memory limit"},
        {"min scale size 15", [](ns::StyleOptions &o) { o.min_scale_size = 15; }, "min scale size"},
        {"min scale size 16385", [](ns::StyleOptions &o) { o.min_scale_size = 16385; }, "min scale size"},
        {"lbfgs history 0", [](ns::StyleOptions &o) { o.lbfgs_history = 0; }, "lbfgs history"},
        {"lbfgs history 1001", [](ns::StyleOptions &o) { o.lbfgs_history = 1001; }, "lbfgs history"},
        {"threads negative", [](ns::StyleOptions &o) { o.threads = -1; }, "threads"},
        {"threads 1025", [](ns::StyleOptions &o) { o.threads = 1025; }, "threads"},
        {"style share 0", [](ns::StyleOptions &o) { o.style_shares = {1, 0}; }, "style blend"},
        {"style share NaN", [=](ns::StyleOptions &o) { o.style_shares = {nan}; }, "style blend"},
        {"style shares too many", [](ns::StyleOptions &o) { o.style_shares.assign(17, 1); }, "style blend"},
    };
    for (const BadOption &c : cases) {
        SCOPED_TRACE(c.case_name);
        ns::StyleOptions o = ns::seed_preset();
        c.spoil(o);
        try {
            ns::validate(o);
            ADD_FAILURE() << "validate accepted " << c.case_name;
        } catch (const ns::StyleError &e) {
            EXPECT_NE(spelled_alike(e.what()).find(spelled_alike(c.named)), std::string::npos)
                << "message '" << e.what() << "' does not name " << c.named;
        }
    }
}

TEST(Validate, AcceptsTheBounds) {
    ns::StyleOptions o = ns::seed_preset();
    o.steps = 1;
    o.max_size = 16;
    o.scales = 12;
    o.min_scale_size = 16;
    o.lbfgs_history = 1;
    o.threads = 0;
    o.content_weight = 0;
    o.tv_weight = 0;
    EXPECT_NO_THROW(ns::validate(o));
    o.steps = 1000000;
    o.max_size = 16384;
    o.min_scale_size = 16384;
    o.lbfgs_history = 1000;
    o.threads = 1024;
    EXPECT_NO_THROW(ns::validate(o));
    o.max_size = 0;
    o.scales = 0;
    o.style_scale = 4;
    EXPECT_NO_THROW(ns::validate(o));
}

// --- weights_location -----------------------------------------------------------------------------------------

// Sets or clears the three variables the search reads, restoring them afterwards.
class WeightsLocation : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char *name : kNames) {
            const char *value = std::getenv(name);
            saved_.push_back(value ? std::optional<std::string>(value) : std::nullopt);
            unsetenv(name);
        }
        char pattern[] = "/tmp/neural-style-location-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        for (size_t i = 0; i < saved_.size(); ++i) {
            if (saved_[i])
                setenv(kNames[i], saved_[i]->c_str(), 1);
            else
                unsetenv(kNames[i]);
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string touch(const std::string &relative) {
        const std::filesystem::path path = dir_ / relative;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << "x";
        return path.string();
    }

    static constexpr const char *kNames[3] = {"NEURAL_STYLE_WEIGHTS", "XDG_DATA_HOME", "HOME"};
    std::vector<std::optional<std::string>> saved_;
    std::filesystem::path dir_;
};

TEST_F(WeightsLocation, ExplicitPathIsTheOnlyCandidate) {
    const std::string env_file = touch("env/vgg19.safetensors");
    setenv("NEURAL_STYLE_WEIGHTS", env_file.c_str(), 1);
    setenv("XDG_DATA_HOME", (dir_ / "data").c_str(), 1);
    touch("data/neural-style-transfer/vgg19.safetensors");

    const std::string given = touch("given.safetensors");
    ns::WeightsSearch found = ns::find_weights(given);
    EXPECT_EQ(found.found, given);
    ASSERT_EQ(found.looked_at.size(), 1u);
    EXPECT_EQ(found.looked_at[0], given);

    // A missing explicit file is not replaced by the others.
    const std::string missing = (dir_ / "missing.safetensors").string();
    ns::WeightsSearch not_found = ns::find_weights(missing);
    EXPECT_EQ(not_found.found, "");
    ASSERT_EQ(not_found.looked_at.size(), 1u);
    EXPECT_EQ(not_found.looked_at[0], missing);
}

TEST_F(WeightsLocation, EnvironmentVariableThenXdgDataHome) {
    const std::string xdg = (dir_ / "data").string();
    setenv("XDG_DATA_HOME", xdg.c_str(), 1);
    const std::string default_path = xdg + "/neural-style-transfer/vgg19.safetensors";
    EXPECT_EQ(ns::default_weights_path(), default_path);

    const std::string env_file = (dir_ / "env/weights.safetensors").string();
    setenv("NEURAL_STYLE_WEIGHTS", env_file.c_str(), 1);

    // Neither exists yet.
    ns::WeightsSearch search = ns::find_weights("");
    EXPECT_EQ(search.found, "");
    ASSERT_EQ(search.looked_at.size(), 2u);
    EXPECT_EQ(search.looked_at[0], env_file);
    EXPECT_EQ(search.looked_at[1], default_path);

    // Only the default exists: found there.
    touch("data/neural-style-transfer/vgg19.safetensors");
    EXPECT_EQ(ns::find_weights("").found, default_path);

    // Both exist: the environment variable wins.
    touch("env/weights.safetensors");
    EXPECT_EQ(ns::find_weights("").found, env_file);

    // A folder is not a weights file.
    std::filesystem::create_directories(dir_ / "folder");
    setenv("NEURAL_STYLE_WEIGHTS", (dir_ / "folder").c_str(), 1);
    EXPECT_EQ(ns::find_weights("").found, default_path);

    // A folder named explicitly is taken, for the loader to say it is not a file.
    EXPECT_EQ(ns::find_weights((dir_ / "folder").string()).found, (dir_ / "folder").string());
    EXPECT_EQ(ns::find_weights((dir_ / "missing").string()).found, "");

    // An empty variable counts as unset.
    setenv("NEURAL_STYLE_WEIGHTS", "", 1);
    search = ns::find_weights("");
    ASSERT_EQ(search.looked_at.size(), 1u);
    EXPECT_EQ(search.looked_at[0], default_path);
}

TEST_F(WeightsLocation, HomeFallback) {
    const std::string home = (dir_ / "home").string();
    setenv("HOME", home.c_str(), 1);
    const std::string expected = home + "/.local/share/neural-style-transfer/vgg19.safetensors";
    EXPECT_EQ(ns::default_weights_path(), expected);
    ns::WeightsSearch search = ns::find_weights("");
    ASSERT_EQ(search.looked_at.size(), 1u);
    EXPECT_EQ(search.looked_at[0], expected);
    EXPECT_EQ(search.found, "");
    touch("home/.local/share/neural-style-transfer/vgg19.safetensors");
    EXPECT_EQ(ns::find_weights("").found, expected);

    // An empty XDG_DATA_HOME falls back to HOME as well.
    setenv("XDG_DATA_HOME", "", 1);
    EXPECT_EQ(ns::default_weights_path(), expected);
}

TEST_F(WeightsLocation, NotFoundMessageListsEveryPlace) {
    setenv("XDG_DATA_HOME", (dir_ / "data").c_str(), 1);
    setenv("NEURAL_STYLE_WEIGHTS", (dir_ / "env.safetensors").c_str(), 1);
    const ns::WeightsSearch search = ns::find_weights("");
    ASSERT_EQ(search.found, "");
    ASSERT_EQ(search.looked_at.size(), 2u);
    const std::string message = ns::weights_not_found_message(search);
    for (const std::string &place : search.looked_at)
        EXPECT_NE(message.find(place), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;

    const std::string explicit_message = ns::weights_not_found_message(ns::find_weights("/nowhere/w.safetensors"));
    EXPECT_NE(explicit_message.find("/nowhere/w.safetensors"), std::string::npos) << explicit_message;
}

} // namespace
