// What the Predict and Models panels decide, kept out of the UI so it is tested natively: rows
// typed into the Predict box, an actual typed as the training target, the model URIs to offer.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/registry/registry.hpp"
#include "core/util/status.hpp"

namespace mllab::registry {

// Rows typed by a person. For a model whose signature takes one string column, a text whose
// first non-empty line is not that column's name is one value per line (one sentence each;
// blank lines skipped); anything else is CSV with a header (errors name "typed rows", the
// line and the column).
Result<data::Table> parse_typed_rows(const std::string& text, const ModelDoc& doc);

// An actual typed as the model's target: a number for a regressor or a classifier whose
// classes are all numbers ("1" -> 1), else the label text. Errors name the value and what was
// expected; an empty text is refused.
Result<nlohmann::json> parse_actual(const std::string& text, const ModelDoc& doc);

// The URIs a model picker offers: per registered model each version (models:/NAME/V), each
// stage holding a version (models:/NAME/Staging ...), each alias (models:/NAME@ALIAS); then
// runs:/ID/model for each of `run_ids`. In that order, without repeats.
std::vector<std::string> model_uri_choices(const std::vector<RegisteredModel>& models,
                                           const std::vector<std::string>& run_ids);

}  // namespace mllab::registry
