// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors reader and writer (safetensors.h, safetensors_header.h) and load_vgg19_weights (weights.h) on a
// good file, a timm-like file, and many kinds of broken file.
#include "error.h"
#include "safetensors.h"
#include "safetensors_header.h"
#include "weights.h"

#include "test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace ns = neural_style;
using test_support::TempDir;
using test_support::write_raw_safetensors;

namespace {

std::string bytes_of(const torch::Tensor &tensor) {
    const torch::Tensor data = tensor.contiguous();
    return std::string(static_cast<const char *>(data.data_ptr()), data.numel() * data.element_size());
}

std::string length_prefix(std::uint64_t length) {
    std::string prefix(8, '\0');
    for (int i = 0; i < 8; ++i)
        prefix[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    return prefix;
}

void write_bytes(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    ASSERT_TRUE(out.flush());
}

// Expects load_vgg19_weights(path) to throw a one-line StyleError naming the file and containing every `part`.
void expect_load_error(const std::string &path, const std::vector<std::string> &parts) {
    try {
        ns::load_vgg19_weights(path);
        ADD_FAILURE() << "loaded " << path;
    } catch (const ns::StyleError &e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << "does not name the file: " << message;
        for (const std::string &part : parts)
            EXPECT_NE(message.find(part), std::string::npos) << "does not say '" << part << "': " << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
        // For a host's own words: the file, then why (the message without the file's name in front).
        EXPECT_EQ(e.kind(), ns::ErrorKind::weights_file) << message;
        ASSERT_EQ(e.values().size(), 2u) << message;
        EXPECT_EQ(e.values()[0], path);
        EXPECT_EQ(path + ": " + e.values()[1], message);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "not a StyleError: " << e.what();
    }
}

// The first tensor the loader reads: conv1_1's weight, [64, 3, 3, 3] = 1728 floats = 6912 bytes.
const char *const kFirst = "features.0.weight";
constexpr int kFirstBytes = 64 * 3 * 3 * 3 * 4;

std::string first_weight_data(float poison_value = 0.5f, int poison_at = -1) {
    torch::Tensor t = torch::full({64, 3, 3, 3}, 0.5f);
    if (poison_at >= 0)
        t.view({-1})[poison_at] = poison_value;
    return bytes_of(t);
}

// A header with one entry for the first tensor.
std::string one_entry(const std::string &dtype, const std::string &shape, std::uint64_t begin, std::uint64_t end) {
    return std::string("{\"") + kFirst + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}}";
}

class WeightsFile : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tensors_ = new std::vector<std::pair<std::string, torch::Tensor>>(test_support::random_vgg19_tensors(3));
    }
    static void TearDownTestSuite() {
        delete tensors_;
        tensors_ = nullptr;
    }
    static void expect_weights_equal(const ns::Vgg19Weights &weights) {
        ASSERT_EQ(weights.conv_weight.size(), 13u);
        ASSERT_EQ(weights.conv_bias.size(), 13u);
        for (size_t i = 0; i < 13; ++i) {
            SCOPED_TRACE((*tensors_)[2 * i].first);
            EXPECT_EQ(weights.conv_weight[i].scalar_type(), torch::kFloat32);
            EXPECT_TRUE(weights.conv_weight[i].device().is_cpu());
            EXPECT_TRUE(torch::equal(weights.conv_weight[i], (*tensors_)[2 * i].second));
            EXPECT_TRUE(torch::equal(weights.conv_bias[i], (*tensors_)[2 * i + 1].second));
        }
    }
    static std::vector<std::pair<std::string, torch::Tensor>> *tensors_;
    TempDir dir_;
};
std::vector<std::pair<std::string, torch::Tensor>> *WeightsFile::tensors_ = nullptr;

// --- good files -----------------------------------------------------------------------------------------------

TEST_F(WeightsFile, LoadsWhatWasWritten) {
    const std::string path = dir_.file("vgg19.safetensors");
    ns::write_safetensors(path, *tensors_);
    expect_weights_equal(ns::load_vgg19_weights(path));

    // The writer's layout: data 8-byte aligned, tensors back to back in the given order.
    ns::SafetensorsFile file(path);
    EXPECT_EQ(file.path(), path);
    EXPECT_EQ(file.header().data_start % 8, 0u);
    EXPECT_EQ(file.header().tensors.size(), 26u);
    std::uint64_t offset = 0;
    for (const auto &[key, tensor] : *tensors_) {
        const ns::TensorEntry &entry = file.header().tensors.at(key);
        EXPECT_EQ(entry.dtype, "F32");
        EXPECT_EQ(entry.shape, tensor.sizes().vec());
        EXPECT_EQ(entry.begin, offset);
        offset += tensor.numel() * 4;
        EXPECT_EQ(entry.end, offset);
    }
    EXPECT_EQ(std::filesystem::file_size(path), file.header().data_start + offset);
}

TEST_F(WeightsFile, TimmLikeFileWithExtraTensorsLoads) {
    // timm's vgg19.tv_in1k: keys in alphabetical order, metadata, convs past conv5_1 and a classifier. Here the
    // classifier holds NaN, which must not matter because unneeded tensors are never read, and the header is not
    // padded, so the data section starts misaligned.
    std::vector<std::pair<std::string, torch::Tensor>> all = *tensors_;
    torch::manual_seed(5);
    all.emplace_back("features.30.weight", torch::randn({512, 512, 3, 3}));
    all.emplace_back("features.30.bias", torch::zeros({512}));
    all.emplace_back("head.fc.weight", torch::full({10, 64}, std::numeric_limits<float>::quiet_NaN()));
    all.emplace_back("head.fc.bias", torch::zeros({10}));
    all.emplace_back("pre_logits.fc1.weight", torch::randn({32, 64}));
    all.emplace_back("pre_logits.fc1.bias", torch::zeros({32}));
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    header["__metadata__"] = {{"format", "pt"}};
    std::string data;
    for (const auto &[key, tensor] : all) {
        header[key] = {{"dtype", "F32"},
                       {"shape", tensor.sizes().vec()},
                       {"data_offsets", {data.size(), data.size() + tensor.numel() * 4}}};
        data += bytes_of(tensor);
    }
    std::string header_text = header.dump();
    while ((8 + header_text.size()) % 8 != 3)
        header_text += ' ';
    const std::string path = dir_.file("model.safetensors");
    write_raw_safetensors(path, header_text, data);

    ns::SafetensorsFile file(path);
    EXPECT_EQ(file.header().data_start % 8, 3u);
    EXPECT_EQ(file.header().tensors.size(), all.size()); // __metadata__ is not a tensor
    EXPECT_EQ(file.header().tensors.count("__metadata__"), 0u);
    expect_weights_equal(ns::load_vgg19_weights(path));
}

TEST_F(WeightsFile, ReadF32OfASmallFile) {
    const std::string path = dir_.file("small.safetensors");
    const torch::Tensor a = torch::arange(6, torch::kFloat32).view({2, 3});
    const torch::Tensor b = torch::tensor({-1.5f, 2.25f});
    // Non-contiguous input is written in row-major order.
    ns::write_safetensors(path, {{"a", a.t()}, {"b", b}});
    ns::SafetensorsFile file(path);
    EXPECT_TRUE(torch::equal(file.read_f32("a", {3, 2}), a.t().contiguous()));
    EXPECT_TRUE(torch::equal(file.read_f32("b", {2}), b));
    EXPECT_TRUE(torch::equal(file.read_f32("a", {3, 2}), a.t().contiguous())) << "reading again works";
    EXPECT_THROW(file.read_f32("a", {2, 3}), ns::StyleError);
    EXPECT_THROW(file.read_f32("c", {2}), ns::StyleError);
}

TEST(SafetensorsWriter, HeaderBytes) {
    const std::string bytes = ns::safetensors_header_bytes({{"x", {3}}, {"y", {2, 2}}});
    ASSERT_GE(bytes.size(), 8u);
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i)
        length = (length << 8) | static_cast<unsigned char>(bytes[i]);
    EXPECT_EQ(length, bytes.size() - 8);
    EXPECT_EQ(bytes.size() % 8, 0u);
    const nlohmann::json parsed = nlohmann::json::parse(bytes.substr(8));
    EXPECT_EQ(parsed["x"]["dtype"], "F32");
    EXPECT_EQ(parsed["x"]["data_offsets"], nlohmann::json::array({0, 12}));
    EXPECT_EQ(parsed["y"]["shape"], nlohmann::json::array({2, 2}));
    EXPECT_EQ(parsed["y"]["data_offsets"], nlohmann::json::array({12, 28}));
    EXPECT_EQ(parsed.count("__metadata__"), 0u);
    // The insertion order is kept, not sorted by key; metadata comes first when given.
    const std::string ordered = ns::safetensors_header_bytes({{"z", {1}}, {"a", {1}}}, {{"format", "pt"}});
    EXPECT_LT(ordered.find("\"__metadata__\":{\"format\":\"pt\"}"), ordered.find("\"z\""));
    EXPECT_LT(ordered.find("\"z\""), ordered.find("\"a\""));
    // What it writes, the parser takes.
    const ns::SafetensorsHeader header = ns::parse_safetensors_header(ordered.substr(8), ordered.size(), 8);
    EXPECT_EQ(header.tensors.at("a").begin, 4u);
    EXPECT_EQ(ns::f32_data_bytes({{"z", {1}}, {"a", {2, 3}}}), 28u);
}

TEST(SafetensorsWriter, OnlyF32) {
    TempDir dir;
    const std::string path = dir.file("f16.safetensors");
    EXPECT_THROW(ns::write_safetensors(path, {{"h", torch::zeros({2}, torch::kFloat16)}}), ns::StyleError);
    EXPECT_FALSE(std::filesystem::exists(path)) << "nothing is created for a tensor it cannot write";
}

TEST(SafetensorsHeader, ParsesWithUnknownDataSize) {
    // A download that has fetched only the header: offsets far beyond anything local are accepted.
    const std::string json = R"({"__metadata__":{"format":"pt"},"v":{"dtype":"F16","shape":[250000000],)"
                             R"("data_offsets":[0,500000000]},"w":{"dtype":"F16","shape":[1000,1000],)"
                             R"("data_offsets":[500000000,502000000]}})";
    const ns::SafetensorsHeader header =
        ns::parse_safetensors_header(json, 8 + json.size(), std::numeric_limits<std::uint64_t>::max());
    ASSERT_EQ(header.tensors.size(), 2u);
    const ns::TensorEntry &w = header.tensors.at("w");
    EXPECT_EQ(w.dtype, "F16");
    EXPECT_EQ(w.shape, (std::vector<int64_t>{1000, 1000}));
    EXPECT_EQ(w.begin, 500000000u);
    EXPECT_EQ(w.end, 502000000u);
    EXPECT_EQ(header.data_start, 8 + json.size());
    EXPECT_THROW(ns::parse_safetensors_header(json, 8 + json.size(), 1000), ns::StyleError);
}

TEST(SafetensorsHeader, DtypeSizesAndPrefix) {
    EXPECT_EQ(ns::dtype_size("F32"), 4);
    EXPECT_EQ(ns::dtype_size("F16"), 2);
    EXPECT_EQ(ns::dtype_size("BF16"), 2);
    EXPECT_EQ(ns::dtype_size("F64"), 8);
    EXPECT_EQ(ns::dtype_size("U8"), 1);
    EXPECT_EQ(ns::dtype_size("f32"), 0);
    EXPECT_EQ(ns::dtype_size("F33"), 0);
    const std::string prefix = length_prefix(0x0102);
    const auto *p = reinterpret_cast<const unsigned char *>(prefix.data());
    EXPECT_EQ(ns::header_length_from_prefix(p, 0x0102 + 8), 0x0102u);
    EXPECT_EQ(ns::header_length_from_prefix(p, std::numeric_limits<std::uint64_t>::max()), 0x0102u);
    EXPECT_THROW(ns::header_length_from_prefix(p, 0x0102 + 7), ns::StyleError);
    const std::string too_big = length_prefix(ns::kMaxHeaderBytes + 1);
    EXPECT_THROW(ns::header_length_from_prefix(reinterpret_cast<const unsigned char *>(too_big.data()),
                                               std::numeric_limits<std::uint64_t>::max()),
                 ns::StyleError);
}

// --- broken files ---------------------------------------------------------------------------------------------

TEST_F(WeightsFile, MissingFile) {
    expect_load_error(dir_.file("nowhere.safetensors"), {"cannot open"});
}

TEST_F(WeightsFile, ShorterThanEightBytes) {
    const std::string path = dir_.file("short.safetensors");
    write_bytes(path, std::string("\x05\0\0\0\0", 5));
    expect_load_error(path, {"too short", "5 bytes"});
    write_bytes(path, "");
    expect_load_error(path, {"too short", "0 bytes"});
}

TEST_F(WeightsFile, HeaderLengthPastTheEndOfTheFile) {
    const std::string path = dir_.file("past.safetensors");
    write_bytes(path, length_prefix(1000) + "{}");
    expect_load_error(path, {"header length 1000", "past the end of the file", "10 bytes"});
}

TEST_F(WeightsFile, HeaderLengthOver100MB) {
    const std::string path = dir_.file("huge.safetensors");
    write_bytes(path, length_prefix(200000000) + "{}");
    expect_load_error(path, {"header length 200000000", "out of bounds"});
    write_bytes(path, length_prefix(0) + "{}");
    expect_load_error(path, {"header length 0", "out of bounds"});
}

TEST_F(WeightsFile, HeaderNotJson) {
    const std::string path = dir_.file("notjson.safetensors");
    write_raw_safetensors(path, std::string("{\"") + kFirst + "\": {\"dtype\": ", "");
    expect_load_error(path, {"not valid JSON"});
    write_raw_safetensors(path, "PK\x03\x04 not a safetensors file", std::string(64, 'x'));
    expect_load_error(path, {"not valid JSON"});
}

TEST_F(WeightsFile, HeaderJsonNotAnObject) {
    const std::string path = dir_.file("array.safetensors");
    write_raw_safetensors(path, "[1, 2, 3]", "");
    expect_load_error(path, {"not a JSON object"});
    write_raw_safetensors(path, "\"features.0.weight\"", "");
    expect_load_error(path, {"not a JSON object"});
}

TEST_F(WeightsFile, NeededTensorMissing) {
    const std::string path = dir_.file("other.safetensors");
    write_raw_safetensors(path, R"({"other":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0'));
    expect_load_error(path, {"'features.0.weight' is missing"});
}

TEST_F(WeightsFile, LastNeededTensorMissing) {
    // Everything but conv5_1's bias, which is read last.
    std::vector<std::pair<std::string, torch::Tensor>> all_but_one(tensors_->begin(), tensors_->end() - 1);
    const std::string path = dir_.file("incomplete.safetensors");
    ns::write_safetensors(path, all_but_one);
    expect_load_error(path, {"'features.28.bias' is missing"});
}

TEST_F(WeightsFile, WrongDtype) {
    const std::string path = dir_.file("f16.safetensors");
    write_raw_safetensors(path, one_entry("F16", "[64,3,3,3]", 0, kFirstBytes / 2), std::string(kFirstBytes / 2, '\0'));
    expect_load_error(path, {std::string("'") + kFirst + "'", "F16", "expected F32"});
    write_raw_safetensors(path, one_entry("F64", "[64,3,3,3]", 0, kFirstBytes * 2), std::string(kFirstBytes * 2, '\0'));
    expect_load_error(path, {"F64", "expected F32"});
}

TEST_F(WeightsFile, UnknownDtype) {
    const std::string path = dir_.file("f33.safetensors");
    write_raw_safetensors(path, one_entry("F33", "[64,3,3,3]", 0, kFirstBytes), first_weight_data());
    expect_load_error(path, {"unknown dtype", "F33"});
}

TEST_F(WeightsFile, WrongShape) {
    const std::string path = dir_.file("shape.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,1]", 0, kFirstBytes / 3), std::string(kFirstBytes / 3, '\0'));
    expect_load_error(path, {std::string("'") + kFirst + "'", "[64x3x3x1]", "expected [64x3x3x3]"});
    // Same byte count, input and output channels swapped.
    write_raw_safetensors(path, one_entry("F32", "[3,64,3,3]", 0, kFirstBytes), first_weight_data());
    expect_load_error(path, {"[3x64x3x3]", "expected [64x3x3x3]"});
}

TEST_F(WeightsFile, DataOffsetsPastTheEnd) {
    const std::string path = dir_.file("truncated.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,3]", 0, kFirstBytes), first_weight_data().substr(0, 100));
    expect_load_error(path, {std::string("'") + kFirst + "'", "past the end of the data", "100 bytes"});
}

TEST_F(WeightsFile, OffsetsDisagreeWithTheShape) {
    const std::string path = dir_.file("disagree.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,3]", 0, kFirstBytes - 4), first_weight_data());
    expect_load_error(path, {std::string("'") + kFirst + "'", "span 6908 bytes", "needs 6912"});
}

TEST_F(WeightsFile, OffsetsEndBeforeTheyBegin) {
    const std::string path = dir_.file("backwards.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,3]", kFirstBytes, 0), first_weight_data());
    expect_load_error(path, {"end before they begin"});
}

TEST_F(WeightsFile, OffsetsNotIntegers) {
    const std::string path = dir_.file("offsets.safetensors");
    write_raw_safetensors(path, std::string("{\"") + kFirst +
                                    R"(":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":[-4,6908]}})",
                          first_weight_data());
    expect_load_error(path, {"non-negative integers"});
    write_raw_safetensors(path, std::string("{\"") + kFirst +
                                    R"(":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":[0]}})",
                          first_weight_data());
    expect_load_error(path, {"data_offsets a pair"});
}

TEST_F(WeightsFile, OverlappingTensors) {
    const std::string path = dir_.file("overlap.safetensors");
    const std::string header = std::string("{\"") + kFirst +
                               R"(":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":[0,6912]},)"
                               R"("features.0.bias":{"dtype":"F32","shape":[64],"data_offsets":[6656,6912]}})";
    write_raw_safetensors(path, header, first_weight_data());
    expect_load_error(path, {"overlap", "6656"});
}

TEST_F(WeightsFile, NaNValues) {
    const std::string path = dir_.file("nan.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,3]", 0, kFirstBytes),
                          first_weight_data(std::numeric_limits<float>::quiet_NaN(), 100));
    expect_load_error(path, {std::string("'") + kFirst + "'", "NaN or infinite"});
}

TEST_F(WeightsFile, InfiniteValues) {
    const std::string path = dir_.file("inf.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,3,3,3]", 0, kFirstBytes),
                          first_weight_data(-std::numeric_limits<float>::infinity(), 1727));
    expect_load_error(path, {std::string("'") + kFirst + "'", "NaN or infinite"});
}

TEST_F(WeightsFile, NaNInALaterTensor) {
    std::vector<std::pair<std::string, torch::Tensor>> poisoned = *tensors_;
    poisoned[10].second = poisoned[10].second.clone();
    poisoned[10].second.view({-1})[7] = std::numeric_limits<float>::quiet_NaN();
    const std::string path = dir_.file("nan-later.safetensors");
    ns::write_safetensors(path, poisoned);
    expect_load_error(path, {"'" + poisoned[10].first + "'", "NaN or infinite"});
}

TEST_F(WeightsFile, NegativeDimension) {
    const std::string path = dir_.file("negative.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[64,-3,3,3]", 0, kFirstBytes), first_weight_data());
    expect_load_error(path, {std::string("'") + kFirst + "'", "negative"});
}

TEST_F(WeightsFile, ImpossiblyLargeShape) {
    const std::string path = dir_.file("large.safetensors");
    write_raw_safetensors(path, one_entry("F32", "[4294967296,4294967296,4]", 0, kFirstBytes), first_weight_data());
    expect_load_error(path, {std::string("'") + kFirst + "'", "impossibly large"});
}

TEST_F(WeightsFile, EntryNotAnObject) {
    const std::string path = dir_.file("entry.safetensors");
    write_raw_safetensors(path, std::string("{\"") + kFirst + "\":[0,6912]}", first_weight_data());
    expect_load_error(path, {std::string("'") + kFirst + "'", "not a JSON object"});
}

TEST_F(WeightsFile, EntryMissingAField) {
    const std::string path = dir_.file("fields.safetensors");
    write_raw_safetensors(path, std::string("{\"") + kFirst + R"(":{"dtype":"F32","shape":[64,3,3,3]}})",
                          first_weight_data());
    expect_load_error(path, {std::string("'") + kFirst + "'", "dtype, shape and data_offsets"});
}

TEST_F(WeightsFile, BrokenUnneededEntryIsStillRejected) {
    // The whole header is checked, not only the entries the loader needs.
    std::vector<ns::NeededTensor> layout;
    for (const auto &[key, tensor] : *tensors_)
        layout.push_back({key, tensor.sizes().vec()});
    std::string header = ns::safetensors_header_bytes(layout).substr(8);
    header.erase(header.find_last_not_of(' ') + 1);
    header.pop_back(); // the closing brace
    header += R"(,"head.fc.weight":{"dtype":"F32","shape":[10],"data_offsets":[0,40]}})";
    std::string data;
    for (const auto &entry : *tensors_)
        data += bytes_of(entry.second);
    const std::string path = dir_.file("classifier-overlap.safetensors");
    write_raw_safetensors(path, header, data);
    expect_load_error(path, {"overlap"});
}

TEST_F(WeightsFile, AFolderIsNotAWeightsFile) {
    expect_load_error(dir_.path().string(), {});
}

TEST_F(WeightsFile, AFolderIsReportedAsNotAFile) {
    try {
        ns::load_vgg19_weights(dir_.path().string());
        ADD_FAILURE() << "a folder loaded";
    } catch (const ns::StyleError &e) {
        EXPECT_NE(std::string(e.what()).find("is not a file"), std::string::npos) << e.what();
    }
}

// --- the reference implementation's rules (huggingface/safetensors: validate() and the metadata reader) -------

TEST_F(WeightsFile, DeepNestingIsRefusedWhileParsing) {
    // About 1 MB of brackets as a dtype: once a segmentation fault, through the recursion of dump() in the message.
    const std::string path = dir_.file("deep.safetensors");
    const std::size_t depth = 1u << 20;
    write_raw_safetensors(path,
                          std::string("{\"") + kFirst + R"(":{"dtype":)" + std::string(depth, '[') +
                              std::string(depth, ']') + R"(,"shape":[64,3,3,3],"data_offsets":[0,6912]}})",
                          first_weight_data());
    expect_load_error(path, {"deeper than 64"});
    // Unclosed, as a truncated download would give: refused at the 65th level, not at the end of the text.
    write_raw_safetensors(path, std::string(depth, '['), "");
    expect_load_error(path, {"deeper than 64"});
}

TEST(SafetensorsHeader, NestingLimitIsExactly64) {
    // The root object and 63 arrays: 64 levels, allowed (the entry is then refused for what it is).
    const auto nested = [](int arrays) {
        return R"({"a":)" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
    };
    const auto message = [](const std::string &json) {
        try {
            ns::parse_safetensors_header(json, 8 + json.size(), 0);
        } catch (const ns::StyleError &e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message(nested(63)).find("not a JSON object"), std::string::npos) << message(nested(63));
    EXPECT_NE(message(nested(64)).find("deeper than 64"), std::string::npos) << message(nested(64));
}

TEST_F(WeightsFile, DuplicateKeys) {
    const std::string path = dir_.file("duplicate.safetensors");
    const std::string entry = R"({"dtype":"F32","shape":[64,3,3,3],"data_offsets":[0,6912]})";
    write_raw_safetensors(path, std::string("{\"") + kFirst + "\":" + entry + ",\"" + kFirst + "\":" + entry + "}",
                          first_weight_data());
    expect_load_error(path, {"key 'features.0.weight' twice"});
    // Inside an entry too: which dtype would count?
    write_raw_safetensors(path, std::string("{\"") + kFirst +
                                    R"(":{"dtype":"F16","dtype":"F32","shape":[64,3,3,3],"data_offsets":[0,6912]}})",
                          first_weight_data());
    expect_load_error(path, {"key 'dtype' twice"});
    // The same key in two different objects is fine.
    write_raw_safetensors(path, std::string(R"({"__metadata__":{"dtype":"x"},")") + kFirst + "\":" + entry + "}",
                          first_weight_data());
    EXPECT_NO_THROW(ns::SafetensorsFile file(path));
}

TEST_F(WeightsFile, ByteOrderMark) {
    const std::string path = dir_.file("bom.safetensors");
    write_raw_safetensors(path, "\xEF\xBB\xBF" + one_entry("F32", "[64,3,3,3]", 0, kFirstBytes), first_weight_data());
    expect_load_error(path, {"byte order mark"});
}

TEST_F(WeightsFile, MetadataMapsStringsToStrings) {
    const std::string path = dir_.file("metadata.safetensors");
    const std::string entry =
        std::string("\"") + kFirst + R"(":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":[0,6912]})";
    write_raw_safetensors(path, R"({"__metadata__":{"format":"pt","source":"x"},)" + entry + "}", first_weight_data());
    EXPECT_NO_THROW(ns::SafetensorsFile file(path));
    for (const char *bad : {R"("pt")", R"(["format","pt"])", "null"}) {
        write_raw_safetensors(path, std::string(R"({"__metadata__":)") + bad + "," + entry + "}", first_weight_data());
        expect_load_error(path, {"__metadata__ is not a JSON object"});
    }
    for (const char *bad : {R"({"format":1})", R"({"format":{"a":"b"}})", R"({"format":null})"}) {
        write_raw_safetensors(path, std::string(R"({"__metadata__":)") + bad + "," + entry + "}", first_weight_data());
        expect_load_error(path, {"__metadata__ 'format' is not a string"});
    }
}

TEST_F(WeightsFile, OffsetsMustTileTheData) {
    const std::string path = dir_.file("tiling.safetensors");
    const std::string bias = R"("features.0.bias":{"dtype":"F32","shape":[64],"data_offsets":)";
    const std::string weight = std::string("\"") + kFirst + R"(":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":)";
    const std::string data = first_weight_data() + std::string(256, '\0');
    // Back to back in either order of the offsets: fine.
    write_raw_safetensors(path, "{" + weight + "[256,7168]}," + bias + "[0,256]}}", data);
    EXPECT_NO_THROW(ns::SafetensorsFile file(path));
    // The first tensor does not start at 0.
    write_raw_safetensors(path, "{" + weight + "[4,6916]}}", std::string(4, '\0') + first_weight_data());
    expect_load_error(path, {"bytes 0 to 4 of the data belong to no tensor"});
    // A gap between two tensors.
    write_raw_safetensors(path, "{" + weight + "[0,6912]}," + bias + "[6920,7176]}}", data + std::string(8, '\0'));
    expect_load_error(path, {"bytes 6912 to 6920", "belong to no tensor", "'features.0.bias'"});
    // Data after the last tensor.
    write_raw_safetensors(path, "{" + weight + "[0,6912]}}", first_weight_data() + "trailing");
    expect_load_error(path, {"8 bytes after the last tensor's data"});
}

TEST_F(WeightsFile, UntrustedNamesAreQuotedSafely) {
    // A key with a terminal escape and a newline, 300 characters long, in a broken entry.
    const std::string key = std::string("\\u001b[2J\\nevil") + std::string(300, 'k');
    const std::string path = dir_.file("names.safetensors");
    write_raw_safetensors(path, "{\"" + key + "\":[1]}", "");
    try {
        ns::load_vgg19_weights(path);
        ADD_FAILURE() << "loaded";
    } catch (const ns::StyleError &e) {
        const std::string message = e.what();
        EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
            << message;
        EXPECT_NE(message.find("'?[2J?evilkkk"), std::string::npos) << message;
        const auto open = message.find("'?[2J"), close = message.find('\'', open + 1);
        ASSERT_NE(close, std::string::npos) << message;
        EXPECT_LE(close - open - 1, 80u) << message;
        EXPECT_NE(message.find("...'"), std::string::npos) << message;
    }
    // An unknown dtype given as a long string is shortened the same way.
    write_raw_safetensors(path, one_entry(std::string(500, 'F'), "[64,3,3,3]", 0, kFirstBytes), first_weight_data());
    try {
        ns::load_vgg19_weights(path);
        ADD_FAILURE() << "loaded";
    } catch (const ns::StyleError &e) {
        EXPECT_LT(std::string(e.what()).size(), path.size() + 200) << e.what();
    }
}

TEST(Printable, ControlsAndLength) {
    EXPECT_EQ(ns::printable("features.0.weight"), "features.0.weight");
    EXPECT_EQ(ns::printable("a\nb\x1b[31mc\x7f\xc2\x9b"), "a?b?[31mc???");
    EXPECT_EQ(ns::printable(std::string(80, 'x')), std::string(80, 'x'));
    EXPECT_EQ(ns::printable(std::string(81, 'x')), std::string(77, 'x') + "...");
    EXPECT_EQ(ns::printable("abcdef", 5), "ab...");
}

} // namespace
