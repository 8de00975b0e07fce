#include "platform/lab.hpp"

#include "platform/files.hpp"

namespace mllab::platform {
namespace fs = std::filesystem;

Lab::Lab(std::unique_ptr<store::Store> store, fs::path assets_root)
    : store_(std::move(store)), assets_root_(std::move(assets_root)), tracking_(*store_), datasets_(*store_) {
  auto bytes = read_file(assets_root_ / "assets/datasets/datasets.json");
  if (!bytes) {
    catalog_error_ = bytes.status().message();
    return;
  }
  auto cat = datasets::parse_catalog(*bytes);
  if (cat) catalog_ = std::move(cat).value();
  else catalog_error_ = cat.status().message();
}

Result<pipeline::DatasetSource> Lab::resolve_dataset(const std::string& path, const fs::path& spec_dir) const {
  pipeline::DatasetSource src;
  src.path = path;
  const std::string prefix = "datasets:/";
  if (path.rfind(prefix, 0) == 0) {
    src.name = path.substr(prefix.size());
    auto bytes = datasets_.bytes(src.name);
    if (!bytes) return bytes.status();
    auto rec = datasets_.get(src.name);
    src.source_type = rec ? rec->latest().source_type : "upload";
    src.bytes = std::move(bytes).value();
    return src;
  }
  if (const auto* e = datasets::find_by_path(catalog_, path)) {
    auto bytes = read_file(assets_root_ / e->path);
    if (!bytes) return bytes.status();
    src.name = e->name;
    src.source_type = "builtin";
    src.target_names = e->target_names;
    src.bytes = std::move(bytes).value();
    return src;
  }
  std::vector<fs::path> candidates = {fs::path(path)};
  if (!spec_dir.empty() && fs::path(path).is_relative()) candidates.push_back(spec_dir / path);
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(c, ec)) continue;
    auto bytes = read_file(c);
    if (!bytes) return bytes.status();
    src.name = datasets::dataset_name_from_file(c.filename().string());
    src.source_type = "local";
    src.bytes = std::move(bytes).value();
    return src;
  }
  return Status::not_found("dataset '" + path + "' not found (not a built-in dataset, a stored dataset "
                           "\"datasets:/NAME\", or a readable file)");
}

Result<std::unique_ptr<pipeline::TrainJob>> Lab::make_train_job(const std::string& spec_json,
                                                                const std::string& source,
                                                                const fs::path& spec_dir) {
  auto spec = pipeline::parse_pipeline_spec(spec_json);
  if (!spec) return spec.status();
  auto ds = resolve_dataset(spec->dataset_path, spec_dir);
  if (!ds) return ds.status();
  return std::make_unique<pipeline::TrainJob>(std::move(spec).value(), std::move(ds).value(), tracking_, source);
}

}  // namespace mllab::platform
