// The results as a table for people, built from the JSON alone, and the JSON file.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace neural_style::benchmark {

// The whole table: the header (program, CPU, inputs), then each section present in `out`, then the notes.
std::string results_table(const nlohmann::json &out);

// Throws StyleError when the file cannot be written.
void write_json(const std::string &path, const nlohmann::json &out);

} // namespace neural_style::benchmark
