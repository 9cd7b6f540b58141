// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests of the downloader library: the URL policy, range planning, and cancel/resume/atomicity over file://.
#include "safetensors_header.h"
#include "weights_fetch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace ns = neural_style;
namespace fs = std::filesystem;

namespace {

// The default source names a commit of the repository, not a branch that can move.
TEST(SourceUrl, DefaultIsPinnedToARevision) {
    const std::string url = ns::kDefaultWeightsUrl;
    const std::string prefix = "https://huggingface.co/timm/vgg19.tv_in1k/resolve/";
    const std::string suffix = "/model.safetensors";
    ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
    ASSERT_GT(url.size(), prefix.size() + suffix.size()) << url;
    ASSERT_EQ(url.compare(url.size() - suffix.size(), suffix.size(), suffix), 0) << url;
    const std::string revision = url.substr(prefix.size(), url.size() - prefix.size() - suffix.size());
    EXPECT_EQ(revision.size(), 40u) << revision;
    EXPECT_EQ(revision.find_first_not_of("0123456789abcdef"), std::string::npos) << revision;
}

TEST(SourceUrl, HttpsAndFileAndLoopbackHttpOnly) {
    EXPECT_NO_THROW(ns::check_source_url(ns::kDefaultWeightsUrl));
    EXPECT_NO_THROW(ns::check_source_url("file:///tmp/x.safetensors"));
    EXPECT_NO_THROW(ns::check_source_url("http://127.0.0.1:8080/x"));
    EXPECT_NO_THROW(ns::check_source_url("http://localhost/x"));
    EXPECT_NO_THROW(ns::check_source_url("http://[::1]:9/x"));
    EXPECT_NO_THROW(ns::check_source_url("HTTPS://Example.COM/x"));
    EXPECT_NO_THROW(ns::check_source_url("http://LOCALHOST:8/x"));
    EXPECT_NO_THROW(ns::check_source_url("file://localhost/tmp/x"));
    for (const char *bad : {"http://example.com/x", "http://127.0.0.1.example.com/x", "http://10.0.0.1/x",
                            "http://127.0.0.1@example.com/x", "http://example.com#@127.0.0.1/x",
                            "http://example.com/?127.0.0.1", "file://example.com/tmp/x", "ftp://example.com/x",
                            "/tmp/x.safetensors", "gopher://localhost/x", "", "https://"}) {
        try {
            ns::check_source_url(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const ns::StyleError &e) {
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
        }
    }
    try {
        ns::check_source_url("http://example.com/model.safetensors");
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("https://"), std::string::npos) << e.what();
    }
}

ns::SafetensorsHeader header_of(const std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>> &t) {
    nlohmann::json root = nlohmann::json::object();
    std::uint64_t offset = 0;
    for (const auto &[key, dtype, shape] : t) {
        std::uint64_t n = static_cast<std::uint64_t>(ns::dtype_size(dtype));
        for (int64_t d : shape)
            n *= static_cast<std::uint64_t>(d);
        root[key] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {offset, offset + n}}};
        offset += n;
    }
    return ns::parse_safetensors_header(root.dump(), 100, offset);
}

TEST(PlanByteRanges, MergesCloseRangesAndChecksTensors) {
    // a: 0-400, b (not needed): 400-4400, c: 4400-4800, d: 4800-4816
    const auto header =
        header_of({{"a", "F32", {100}}, {"b", "F32", {1000}}, {"c", "F32", {10, 10}}, {"d", "F32", {4}}});
    const std::vector<ns::NeededTensor> wanted = {{"d", {4}}, {"a", {100}}, {"c", {10, 10}}};
    auto apart = ns::plan_byte_ranges(header, wanted, 100);
    ASSERT_EQ(apart.size(), 2u);
    EXPECT_EQ(apart[0], (ns::ByteRange{100, 500}));
    EXPECT_EQ(apart[1], (ns::ByteRange{4500, 4916}));
    auto merged = ns::plan_byte_ranges(header, wanted, 4000);
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(merged[0], (ns::ByteRange{100, 4916}));

    EXPECT_THROW(ns::plan_byte_ranges(header, {{"e", {1}}}, 0), ns::StyleError);
    EXPECT_THROW(ns::plan_byte_ranges(header, {{"a", {10, 10}}}, 0), ns::StyleError);
    const auto f16 = header_of({{"h", "F16", {8}}});
    EXPECT_THROW(ns::plan_byte_ranges(f16, {{"h", {8}}}, 0), ns::StyleError);
}

class FetchFile : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/fetch-unit-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        // Tensors of 256 KiB apart from a 2 MiB one in the middle that is not asked for.
        std::vector<std::tuple<std::string, std::vector<int64_t>, bool>> layout = {
            {"first", {256, 256}, true}, {"unused", {512, 1024}, false}, {"second", {64, 1024}, true},
            {"third", {3}, true}};
        nlohmann::json root = nlohmann::json::object();
        std::uint64_t offset = 0;
        std::mt19937 random(7);
        std::normal_distribution<float> normal;
        std::vector<float> values;
        for (const auto &[key, shape, needed] : layout) {
            std::uint64_t n = 1;
            for (int64_t d : shape)
                n *= static_cast<std::uint64_t>(d);
            root[key] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + 4 * n}}};
            offset += 4 * n;
            for (std::uint64_t i = 0; i < n; ++i)
                values.push_back(normal(random));
            if (needed)
                request_.tensors.push_back({key, shape});
        }
        std::string header = root.dump();
        source_ = dir_ + "/source.safetensors";
        std::ofstream out(source_, std::ios::binary);
        const std::uint64_t length = header.size();
        for (int i = 0; i < 8; ++i)
            out.put(static_cast<char>((length >> (8 * i)) & 0xff));
        out << header;
        out.write(reinterpret_cast<const char *>(values.data()), static_cast<std::streamsize>(values.size() * 4));
        out.close();
        request_.url = "file://" + source_;
        request_.output = dir_ + "/out/vgg19.safetensors";
        request_.merge_gap = 0;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string dir_, source_;
    ns::FetchRequest request_;
};

TEST_F(FetchFile, CancelKeepsThePartAndTheNextRunResumes) {
    // Every chunk is reported: the first report after some data arrived cancels.
    request_.progress_interval_ms = 0;
    auto cancel_after_data = [](const ns::FetchProgress &p) {
        return !(p.stage == ns::FetchStage::Downloading && p.bytes_done > 0);
    };
    EXPECT_THROW(ns::fetch_weights(request_, cancel_after_data), ns::FetchCancelled);
    EXPECT_FALSE(fs::exists(request_.output));
    EXPECT_TRUE(fs::exists(request_.output + ".part"));
    EXPECT_TRUE(fs::exists(request_.output + ".part.json"));

    const ns::FetchResult result = ns::fetch_weights(request_, nullptr);
    EXPECT_GT(result.bytes_resumed, 0u);
    EXPECT_EQ(result.tensors, 3u);
    EXPECT_EQ(result.sha256, ns::sha256_file(request_.output));
    EXPECT_EQ(result.file_bytes, fs::file_size(request_.output));
    // Only the needed data came over: 256 KiB + 256 KiB + 12 bytes, plus the header, not the 2 MiB between.
    EXPECT_LT(result.bytes_received + result.bytes_resumed, 600u * 1024);
    EXPECT_FALSE(fs::exists(request_.output + ".part"));
    EXPECT_FALSE(fs::exists(request_.output + ".part.json"));

    std::ifstream in(request_.output, std::ios::binary);
    unsigned char prefix[8];
    in.read(reinterpret_cast<char *>(prefix), 8);
    const std::uint64_t length = ns::header_length_from_prefix(prefix, fs::file_size(request_.output));
    std::string json(length, '\0');
    in.read(json.data(), static_cast<std::streamsize>(length));
    const auto header = ns::parse_safetensors_header(json, 8 + length, fs::file_size(request_.output) - 8 - length);
    EXPECT_EQ(header.tensors.size(), 3u);
    EXPECT_EQ(header.data_start % 8, 0u);
    EXPECT_EQ(header.tensors.count("unused"), 0u);
}

TEST_F(FetchFile, NonFiniteValuesLeaveTheOldDestinationAlone) {
    fs::create_directories(dir_ + "/out");
    { std::ofstream(request_.output) << "old"; }
    // A NaN in "second".
    {
        std::fstream f(source_, std::ios::in | std::ios::out | std::ios::binary);
        unsigned char prefix[8];
        f.read(reinterpret_cast<char *>(prefix), 8);
        const std::uint64_t length = ns::header_length_from_prefix(prefix, fs::file_size(source_));
        const float nan = std::nanf("");
        f.seekp(static_cast<std::streamoff>(8 + length + 4 * (256 * 256 + 512 * 1024) + 40));
        f.write(reinterpret_cast<const char *>(&nan), 4);
    }
    try {
        ns::fetch_weights(request_, nullptr);
        ADD_FAILURE() << "NaN accepted";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("'second'"), std::string::npos) << e.what();
    }
    std::ifstream in(request_.output);
    std::string old;
    in >> old;
    EXPECT_EQ(old, "old");
    EXPECT_FALSE(fs::exists(request_.output + ".part"));
    std::size_t files = 0;
    for (const auto &entry : fs::directory_iterator(dir_ + "/out"))
        files += entry.is_regular_file();
    EXPECT_EQ(files, 1u) << "a temporary file was left behind";
}

TEST_F(FetchFile, MissingTensorIsOneLine) {
    request_.tensors.push_back({"features.99.weight", {1}});
    try {
        ns::fetch_weights(request_, nullptr);
        ADD_FAILURE() << "accepted";
    } catch (const ns::StyleError &e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("features.99.weight"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(request_.output));
    EXPECT_FALSE(fs::exists(request_.output + ".part"));
}

} // namespace

namespace {

TEST(Sha256, KnownAnswer) {
    char pattern[] = "/tmp/fetch-sha-XXXXXX";
    const int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "abc", 3), 3);
    close(fd);
    EXPECT_EQ(ns::sha256_file(pattern), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(pattern);
    EXPECT_THROW(ns::sha256_file("/nonexistent/file"), ns::StyleError);
}

} // namespace
