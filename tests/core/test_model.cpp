// SPDX-License-Identifier: GPL-3.0-or-later
// losses.h against hand-computed values, the VGG19 layer table and forward pass (vgg19.h, weights.h's key list),
// image.h's conversions, and device.h on this machine.
#include "device.h"
#include "error.h"
#include "image.h"
#include "losses.h"
#include "vgg19.h"
#include "weights.h"

#include "test_support.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

namespace ns = neural_style;
using test_support::pattern_image;

namespace {

torch::Tensor floats(std::vector<float> values, std::vector<int64_t> shape) {
    return torch::tensor(values, torch::kFloat32).view(shape);
}

// --- losses ---------------------------------------------------------------------------------------------------

TEST(Losses, GramOfA2x1x2Map) {
    // F = [[1, 2], [3, 4]] (d = 2 channels, h·w = 2): F·Fᵀ = [[1+4, 3+8], [3+8, 9+16]].
    const torch::Tensor gram = ns::gram_matrix(floats({1, 2, 3, 4}, {1, 2, 1, 2}));
    ASSERT_EQ(gram.sizes(), torch::IntArrayRef({2, 2}));
    EXPECT_TRUE(torch::equal(gram, floats({5, 11, 11, 25}, {2, 2}))) << gram;
}

TEST(Losses, GramIsNotNormalised) {
    // One channel of h·w = 6 ones: the sum, 6, not the mean.
    const torch::Tensor gram = ns::gram_matrix(torch::ones({1, 1, 2, 3}));
    ASSERT_EQ(gram.numel(), 1);
    EXPECT_FLOAT_EQ(gram.item<float>(), 6.0f);
}

TEST(Losses, ContentLossIsTheMeanSquaredDifference) {
    // Differences 1, 0, -2, 0: mean of squares 5 / 4.
    const torch::Tensor target = floats({1, 2, 3, 4}, {1, 2, 1, 2});
    const torch::Tensor content = floats({0, 2, 5, 4}, {1, 2, 1, 2});
    EXPECT_FLOAT_EQ(ns::content_loss(target, content).item<float>(), 1.25f);
    EXPECT_FLOAT_EQ(ns::content_loss(target, target).item<float>(), 0.0f);
}

TEST(Losses, StyleLayerLossDividesByDepthHeightWidth) {
    // G_T − G_S = [[1, 1], [1, 5]]: mean of squares 28 / 4 = 7; d·h·w = 2·1·2 = 4.
    const torch::Tensor features = floats({1, 2, 3, 4}, {1, 2, 1, 2});
    const torch::Tensor target_gram = ns::gram_matrix(features);
    const torch::Tensor style_gram = floats({4, 10, 10, 20}, {2, 2});
    EXPECT_FLOAT_EQ(ns::style_layer_loss(target_gram, style_gram, features).item<float>(), 1.75f);
}

TEST(Losses, StyleLayerLossUsesTheTargetMapSizes) {
    // F = [[1, 0, 2], [0, 1, 1]] (d = 2, h = 1, w = 3): G = [[5, 2], [2, 2]]; against zeros the mean of squares is
    // (25 + 4 + 4 + 4) / 4 = 9.25, divided by d·h·w = 6 (not by d² = 4 nor h·w = 3).
    const torch::Tensor features = floats({1, 0, 2, 0, 1, 1}, {1, 2, 1, 3});
    const torch::Tensor gram = ns::gram_matrix(features);
    EXPECT_TRUE(torch::equal(gram, floats({5, 2, 2, 2}, {2, 2}))) << gram;
    EXPECT_FLOAT_EQ(ns::style_layer_loss(gram, torch::zeros({2, 2}), features).item<float>(), 9.25f / 6.0f);
}

TEST(Losses, TotalVariation) {
    // [[0, 1, 3], [2, 2, 2]]: horizontal differences 1, 2, 0, 0 (mean of squares 5/4); vertical 2, 1, -1 (mean 2).
    const torch::Tensor image = floats({0, 1, 3, 2, 2, 2}, {1, 1, 2, 3});
    EXPECT_FLOAT_EQ(ns::total_variation(image).item<float>(), 3.25f);
    EXPECT_FLOAT_EQ(ns::total_variation(torch::full({1, 3, 5, 4}, 0.3)).item<float>(), 0.0f);
    // A vertical step of 1 between rows 0 and 1 of a 3-channel 2x2 image: vertical mean 1, horizontal 0.
    const torch::Tensor step = floats({0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, {1, 3, 2, 2});
    EXPECT_FLOAT_EQ(ns::total_variation(step).item<float>(), 1.0f);
}

TEST(Losses, GradientsFlowToTheTarget) {
    torch::Tensor features = floats({1, 2, 3, 4}, {1, 2, 1, 2}).requires_grad_(true);
    torch::Tensor loss = ns::content_loss(features, torch::zeros({1, 2, 1, 2})) +
                         ns::style_layer_loss(ns::gram_matrix(features), torch::zeros({2, 2}), features);
    loss.backward();
    ASSERT_TRUE(features.grad().defined());
    EXPECT_GT(features.grad().abs().sum().item<float>(), 0.0f);
}

// --- the layer table ------------------------------------------------------------------------------------------

TEST(Vgg19Table, ThirteenConvsThroughConv5_1) {
    const std::vector<ns::VggConv> &convs = ns::vgg19_convs();
    ASSERT_EQ(convs.size(), 13u);
    const std::vector<std::string> names = {"conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1",
                                            "conv3_2", "conv3_3", "conv3_4", "conv4_1", "conv4_2",
                                            "conv4_3", "conv4_4", "conv5_1"};
    const std::vector<int> indices = {0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28};
    const std::vector<int> in = {3, 64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512};
    const std::vector<int> out = {64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512};
    const std::vector<bool> pool = {false, true, false, true, false, false, false, true,
                                    false, false, false, true, false};
    for (size_t i = 0; i < convs.size(); ++i) {
        SCOPED_TRACE(names[i]);
        EXPECT_EQ(convs[i].name, names[i]);
        EXPECT_EQ(convs[i].feature_index, indices[i]);
        EXPECT_EQ(convs[i].in_channels, in[i]);
        EXPECT_EQ(convs[i].out_channels, out[i]);
        EXPECT_EQ(convs[i].pool_after, pool[i]);
        if (i > 0) {
            EXPECT_EQ(convs[i].in_channels, convs[i - 1].out_channels);
        }
    }
}

TEST(Vgg19Table, ConvPosition) {
    EXPECT_EQ(ns::vgg19_conv_position("conv1_1"), 0);
    EXPECT_EQ(ns::vgg19_conv_position("conv2_1"), 2);
    EXPECT_EQ(ns::vgg19_conv_position("conv3_1"), 4);
    EXPECT_EQ(ns::vgg19_conv_position("conv4_1"), 8);
    EXPECT_EQ(ns::vgg19_conv_position("conv4_2"), 9);
    EXPECT_EQ(ns::vgg19_conv_position("conv5_1"), 12);
    for (size_t i = 0; i < ns::vgg19_convs().size(); ++i)
        EXPECT_EQ(ns::vgg19_conv_position(ns::vgg19_convs()[i].name), static_cast<int>(i));
    for (const char *bad : {"conv5_2", "relu1_1", "", "CONV1_1"}) {
        try {
            ns::vgg19_conv_position(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const ns::StyleError &e) {
            EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos) << e.what();
        }
    }
}

TEST(Vgg19Table, NeededTensors) {
    const std::vector<ns::NeededTensor> needed = ns::needed_vgg19_tensors();
    ASSERT_EQ(needed.size(), 26u);
    const std::vector<int> indices = {0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28};
    int64_t parameters = 0;
    for (size_t i = 0; i < indices.size(); ++i) {
        const ns::VggConv &conv = ns::vgg19_convs()[i];
        const std::string prefix = "features." + std::to_string(indices[i]);
        EXPECT_EQ(needed[2 * i].key, prefix + ".weight");
        EXPECT_EQ(needed[2 * i].shape, (std::vector<int64_t>{conv.out_channels, conv.in_channels, 3, 3}));
        EXPECT_EQ(needed[2 * i + 1].key, prefix + ".bias");
        EXPECT_EQ(needed[2 * i + 1].shape, (std::vector<int64_t>{conv.out_channels}));
        for (int j = 0; j < 2; ++j) {
            int64_t n = 1;
            for (int64_t d : needed[2 * i + j].shape)
                n *= d;
            parameters += n;
        }
    }
    EXPECT_EQ(needed.front().shape, (std::vector<int64_t>{64, 3, 3, 3}));
    EXPECT_EQ(needed.back().key, "features.28.bias");
    EXPECT_EQ(needed.back().shape, (std::vector<int64_t>{512}));
    EXPECT_EQ(parameters, 12944960); // 12.94 M through conv5_1
}

// --- the forward pass -----------------------------------------------------------------------------------------

class Vgg19Forward : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tensors_ = new std::vector<std::pair<std::string, torch::Tensor>>(test_support::random_vgg19_tensors(11));
    }
    static void TearDownTestSuite() {
        delete tensors_;
        tensors_ = nullptr;
    }
    static ns::Vgg19Weights weights() { return test_support::weights_from(*tensors_); }
    static torch::Tensor input(int width, int height) {
        return ns::imagenet_normalize(ns::rgb_tensor(pattern_image(width, height, 1)));
    }
    static std::vector<std::pair<std::string, torch::Tensor>> *tensors_;
};
std::vector<std::pair<std::string, torch::Tensor>> *Vgg19Forward::tensors_ = nullptr;

TEST_F(Vgg19Forward, ShapesAt32x32) {
    const ns::Vgg19Features vgg(weights(), torch::kCPU);
    std::vector<int> all;
    for (int i = 0; i < 13; ++i)
        all.push_back(i);
    torch::NoGradGuard no_grad;
    const std::vector<torch::Tensor> features = vgg.forward(input(32, 32), all);
    ASSERT_EQ(features.size(), 13u);
    const std::vector<std::vector<int64_t>> expected = {
        {1, 64, 32, 32},  {1, 64, 32, 32},  {1, 128, 16, 16}, {1, 128, 16, 16}, {1, 256, 8, 8},
        {1, 256, 8, 8},   {1, 256, 8, 8},   {1, 256, 8, 8},   {1, 512, 4, 4},   {1, 512, 4, 4},
        {1, 512, 4, 4},   {1, 512, 4, 4},   {1, 512, 2, 2}};
    for (size_t i = 0; i < features.size(); ++i) {
        SCOPED_TRACE(ns::vgg19_convs()[i].name);
        EXPECT_EQ(features[i].sizes().vec(), expected[i]);
        EXPECT_GE(features[i].min().item<float>(), 0.0f) << "post-ReLU activations are never negative";
        EXPECT_GT(features[i].max().item<float>(), 0.0f);
        EXPECT_TRUE(torch::isfinite(features[i]).all().item<bool>());
    }
}

TEST_F(Vgg19Forward, NonSquareShapesAndOrderOfPositions) {
    const ns::Vgg19Features vgg(weights(), torch::kCPU);
    torch::NoGradGuard no_grad;
    // 48 wide, 40 high; asked deepest first.
    const std::vector<torch::Tensor> features = vgg.forward(input(48, 40), {12, 9, 0, 4});
    ASSERT_EQ(features.size(), 4u);
    EXPECT_EQ(features[0].sizes().vec(), (std::vector<int64_t>{1, 512, 2, 3}));
    EXPECT_EQ(features[1].sizes().vec(), (std::vector<int64_t>{1, 512, 5, 6}));
    EXPECT_EQ(features[2].sizes().vec(), (std::vector<int64_t>{1, 64, 40, 48}));
    EXPECT_EQ(features[3].sizes().vec(), (std::vector<int64_t>{1, 256, 10, 12}));
}

TEST_F(Vgg19Forward, Conv1_1IsReluOfTheConvolution) {
    const ns::Vgg19Features vgg(weights(), torch::kCPU);
    const torch::Tensor x = input(20, 18);
    torch::NoGradGuard no_grad;
    const torch::Tensor got = vgg.forward(x, {0})[0];
    const torch::Tensor want = at::relu(at::conv2d(x, (*tensors_)[0].second, (*tensors_)[1].second, {1, 1}, {1, 1}));
    EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-6));
    // Same activations whatever else is asked for.
    EXPECT_TRUE(torch::equal(vgg.forward(x, {0, 3})[0], got));
}

TEST_F(Vgg19Forward, StopsAtTheDeepestLayerAskedFor) {
    // conv5_1's weight has an impossible shape: running it would throw.
    ns::Vgg19Weights broken = weights();
    broken.conv_weight[12] = torch::ones({1, 1, 1, 1});
    const ns::Vgg19Features vgg(broken, torch::kCPU);
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> features;
    EXPECT_NO_THROW(features = vgg.forward(input(32, 32), {9}));
    ASSERT_EQ(features.size(), 1u);
    EXPECT_EQ(features[0].sizes().vec(), (std::vector<int64_t>{1, 512, 4, 4}));
    EXPECT_ANY_THROW(vgg.forward(input(32, 32), {12}));
}

TEST_F(Vgg19Forward, GradientsReachTheImage) {
    const ns::Vgg19Features vgg(weights(), torch::kCPU);
    torch::Tensor x = input(16, 16).requires_grad_(true);
    torch::Tensor y = vgg.forward(x, {12})[0].sum();
    y.backward();
    ASSERT_TRUE(x.grad().defined());
    EXPECT_GT(x.grad().abs().sum().item<float>(), 0.0f);
}

TEST(ImageNet, NormalizeAndBack) {
    const torch::Tensor rgb = torch::tensor({0.485f, 0.456f, 0.406f, 1.0f, 1.0f, 1.0f}).view({2, 3}).t().reshape(
        {1, 3, 1, 2});
    const torch::Tensor n = ns::imagenet_normalize(rgb);
    // Mean maps to 0, 1 maps to (1 − mean) / std.
    EXPECT_NEAR(n[0][0][0][0].item<float>(), 0.0f, 1e-6);
    EXPECT_NEAR(n[0][1][0][0].item<float>(), 0.0f, 1e-6);
    EXPECT_NEAR(n[0][2][0][0].item<float>(), 0.0f, 1e-6);
    EXPECT_NEAR(n[0][0][0][1].item<float>(), (1 - 0.485) / 0.229, 1e-5);
    EXPECT_NEAR(n[0][1][0][1].item<float>(), (1 - 0.456) / 0.224, 1e-5);
    EXPECT_NEAR(n[0][2][0][1].item<float>(), (1 - 0.406) / 0.225, 1e-5);
    const torch::Tensor image = ns::rgb_tensor(pattern_image(9, 7, 2));
    EXPECT_TRUE(torch::allclose(ns::imagenet_denormalize(ns::imagenet_normalize(image)), image, 1e-5, 1e-6));
}

// --- image.h --------------------------------------------------------------------------------------------------

TEST(Image, FitWithin) {
    auto fit = [](int w, int h, int max_side) {
        const ns::Size s = ns::fit_within({w, h}, max_side);
        return std::vector<int>{s.width, s.height};
    };
    EXPECT_EQ(fit(64, 40, 32), (std::vector<int>{32, 20}));
    EXPECT_EQ(fit(40, 64, 32), (std::vector<int>{20, 32}));
    EXPECT_EQ(fit(100, 100, 50), (std::vector<int>{50, 50}));
    EXPECT_EQ(fit(1000, 750, 400), (std::vector<int>{400, 300}));
    EXPECT_EQ(fit(48, 40, 32), (std::vector<int>{32, 27})); // 26.67 rounds to 27
    // Never enlarges.
    EXPECT_EQ(fit(30, 20, 32), (std::vector<int>{30, 20}));
    EXPECT_EQ(fit(32, 20, 32), (std::vector<int>{32, 20}));
    // Never rounds a side down to nothing.
    EXPECT_EQ(fit(1000, 1, 16), (std::vector<int>{16, 1}));
}

TEST(Image, RgbTensorLayout) {
    ns::RgbaImage image(3, 2);
    for (size_t i = 0; i < image.pixels.size(); ++i)
        image.pixels[i] = static_cast<float>(i) / 100.0f;
    const torch::Tensor t = ns::rgb_tensor(image);
    ASSERT_EQ(t.sizes().vec(), (std::vector<int64_t>{1, 3, 2, 3}));
    EXPECT_EQ(t.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(t.device().is_cpu());
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            for (int c = 0; c < 3; ++c)
                EXPECT_EQ(t[0][c][y][x].item<float>(), image.pixels[(y * 3 + x) * 4 + c]);
    // The tensor owns its data.
    image.pixels[0] = 0.99f;
    EXPECT_EQ(t[0][0][0][0].item<float>(), 0.0f);
}

TEST(Image, RoundTripKeepsPixelsAndAlpha) {
    ns::RgbaImage image = pattern_image(13, 9, 3);
    for (int i = 0; i < 13 * 9; ++i)
        image.pixels[i * 4 + 3] = static_cast<float>(i) / (13 * 9);
    const ns::RgbaImage back = ns::image_from_rgb(ns::rgb_tensor(image), image);
    EXPECT_EQ(back.width, 13);
    EXPECT_EQ(back.height, 9);
    EXPECT_EQ(back.pixels, image.pixels);
}

TEST(Image, ImageFromRgbClampsAndTakesAlphaFromTheSource) {
    ns::RgbaImage alpha_source(2, 1);
    alpha_source.pixels = {0.1f, 0.2f, 0.3f, 0.25f, 0.4f, 0.5f, 0.6f, 0.75f};
    const torch::Tensor rgb = floats({-1.0f, 0.5f, 0.2f, 2.0f, 1.0f, 0.0f}, {1, 3, 1, 2});
    const ns::RgbaImage out = ns::image_from_rgb(rgb, alpha_source);
    EXPECT_EQ(out.pixels, (std::vector<float>{0.0f, 0.2f, 1.0f, 0.25f, 0.5f, 1.0f, 0.0f, 0.75f}));
    EXPECT_THROW(ns::image_from_rgb(rgb, ns::RgbaImage(1, 2)), ns::StyleError);
}

TEST(Image, ResizeSizes) {
    const torch::Tensor rgb = ns::rgb_tensor(pattern_image(64, 40, 0));
    EXPECT_EQ(ns::resize_rgb(rgb, {32, 20}).sizes().vec(), (std::vector<int64_t>{1, 3, 20, 32}));
    EXPECT_EQ(ns::resize_rgb(rgb, {100, 50}).sizes().vec(), (std::vector<int64_t>{1, 3, 50, 100}));
    EXPECT_EQ(ns::resize_rgb(rgb, {80, 30}).sizes().vec(), (std::vector<int64_t>{1, 3, 30, 80}));
    EXPECT_TRUE(ns::resize_rgb(rgb, {64, 40}).is_same(rgb));
}

TEST(Image, ShrinkingAveragesAreas) {
    const torch::Tensor rgb = torch::arange(3 * 4 * 4, torch::kFloat32).view({1, 3, 4, 4});
    const torch::Tensor half = ns::resize_rgb(rgb, {2, 2});
    // Top-left block of channel 0: 0, 1, 4, 5.
    EXPECT_FLOAT_EQ(half[0][0][0][0].item<float>(), 2.5f);
    EXPECT_FLOAT_EQ(half[0][2][1][1].item<float>(), 32 + (10 + 11 + 14 + 15) / 4.0f);
    const torch::Tensor constant = ns::resize_rgb(torch::full({1, 3, 30, 50}, 0.7), {7, 5});
    EXPECT_NEAR(constant.max().item<float>(), 0.7f, 1e-6);
    EXPECT_NEAR(constant.min().item<float>(), 0.7f, 1e-6);
}

TEST(Image, CheckImage) {
    EXPECT_NO_THROW(ns::check_image(ns::RgbaImage(4, 3), "content"));
    try {
        ns::check_image(ns::RgbaImage(), "content");
        ADD_FAILURE() << "empty image accepted";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("content"), std::string::npos) << e.what();
    }
    ns::RgbaImage short_buffer(4, 3);
    short_buffer.pixels.pop_back();
    try {
        ns::check_image(short_buffer, "style");
        ADD_FAILURE() << "short buffer accepted";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("style"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4x3"), std::string::npos) << e.what();
    }
}

// --- device.h -------------------------------------------------------------------------------------------------

TEST(Device, CpuAndAutomatic) {
    EXPECT_TRUE(ns::select_device(ns::DeviceChoice::cpu).is_cpu());
    EXPECT_EQ(ns::describe_device(torch::kCPU).rfind("CPU (", 0), 0u) << ns::describe_device(torch::kCPU);
    if (torch::cuda::is_available()) {
        EXPECT_TRUE(ns::select_device(ns::DeviceChoice::automatic).is_cuda());
        EXPECT_TRUE(ns::select_device(ns::DeviceChoice::cuda).is_cuda());
    } else {
        EXPECT_TRUE(ns::select_device(ns::DeviceChoice::automatic).is_cpu());
    }
}

TEST(Device, CudaWithoutAGpuIsAStyleError) {
    if (torch::cuda::is_available())
        GTEST_SKIP() << "this machine has a CUDA GPU";
    try {
        ns::select_device(ns::DeviceChoice::cuda);
        ADD_FAILURE() << "device cuda accepted without a GPU";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("cuda"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cpu"), std::string::npos) << e.what();
    }
}

TEST(Device, LibTorchIsAskedForHugePagesBeforeItAllocates) {
    // device.cpp sets it while the program starts, before main(): LibTorch 2 reads it once, at its first allocation.
    const char *value = std::getenv("THP_MEM_ALLOC_ENABLE");
    ASSERT_NE(value, nullptr);
    EXPECT_STREQ(value, "1");
}

TEST(Device, OpenBlasTakesOneThreadForSmallScalesAndLibTorchsCountForLargeOnes) {
    using GetThreads = int (*)();
    const auto blas_threads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    ASSERT_NE(blas_threads, nullptr) << "LibTorch's BLAS is not OpenBLAS: install libopenblas0-pthread (README, Building)";
    torch::set_num_threads(2);
    ns::ScalePlan small;
    small.size = {512, 320};
    ns::ScalePlan large;
    large.size = {905, 566};
    ASSERT_GE(static_cast<long long>(large.size.width) * large.size.height, ns::kManyBlasThreadsFromPixels);
    if (std::getenv("OPENBLAS_NUM_THREADS")) { // the user's choice stands
        const int chosen = blas_threads();
        ns::set_blas_threads_for(torch::kCPU, small);
        EXPECT_EQ(blas_threads(), chosen);
        return;
    }
    ns::set_blas_threads_for(torch::kCPU, small);
    EXPECT_EQ(blas_threads(), 1);
    ns::set_blas_threads_for(torch::kCPU, large);
    EXPECT_EQ(blas_threads(), 2);
    ns::set_blas_threads_for(torch::kCUDA, small);
    EXPECT_EQ(blas_threads(), 2) << "a CUDA run leaves the CPU's BLAS alone";
}

} // namespace
