#include "platform/folder_store.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/util/clock.hpp"
#include "platform/files.hpp"

namespace mllab::platform {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
constexpr const char* kJournal = ".journal.json";
constexpr const char* kTmpDir = ".tmp";
}  // namespace

Result<std::unique_ptr<FolderStore>> FolderStore::open(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::storage_error("cannot create store folder " + root.string() + ": " + ec.message());
  if (!fs::is_directory(root, ec)) return Status::storage_error("store path " + root.string() + " is not a folder");
  std::unique_ptr<FolderStore> s(new FolderStore(root));
  MLLAB_RETURN_IF_ERROR(s->replay_journal());
  fs::remove_all(root / kTmpDir, ec);
  return s;
}

Status FolderStore::replay_journal() {
  fs::path jpath = root_ / kJournal;
  std::error_code ec;
  if (!fs::exists(jpath, ec)) return Status::ok();
  auto bytes = read_file(jpath);
  if (!bytes) return bytes.status();
  json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.contains("writes")) {
    return Status::storage_error("store journal " + jpath.string() + " is corrupt");
  }
  for (const auto& w : j["writes"]) {
    fs::path dest = root_ / w["key"].get<std::string>();
    if (w.contains("tmp")) {
      fs::path tmp = root_ / kTmpDir / w["tmp"].get<std::string>();
      if (fs::exists(tmp, ec)) {
        fs::create_directories(dest.parent_path(), ec);
        fs::rename(tmp, dest, ec);
        if (ec) return Status::storage_error("cannot finish commit into " + dest.string() + ": " + ec.message());
      }
    } else {
      fs::remove(dest, ec);
    }
  }
  fs::remove(jpath, ec);
  return Status::ok();
}

std::optional<std::string> FolderStore::get(const std::string& key) const {
  if (!store::validate_key(key)) return std::nullopt;
  fs::path p = root_ / key;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  auto r = read_file(p);
  if (!r) return std::nullopt;
  return std::move(r).value();
}

std::vector<std::string> FolderStore::keys(const std::string& prefix) const {
  std::vector<std::string> out;
  // Walk only the deepest folder the prefix names.
  fs::path start = root_;
  size_t slash = prefix.rfind('/');
  if (slash != std::string::npos) start = root_ / prefix.substr(0, slash);
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root_, ec).generic_string();
    if (rel.empty() || rel[0] == '.') continue;  // journal, temp files
    if (rel.find("/.") != std::string::npos) continue;
    if (rel.compare(0, prefix.size(), prefix) == 0) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status FolderStore::commit(const store::Batch& batch) {
  MLLAB_RETURN_IF_ERROR(store::check_batch(*this, batch));
  if (batch.empty()) return Status::ok();
  std::error_code ec;
  fs::path tmp_dir = root_ / kTmpDir;
  fs::create_directories(tmp_dir, ec);
  if (ec) return Status::storage_error("cannot create " + tmp_dir.string() + ": " + ec.message());
  // 1. Stage every new value in a temp file.
  json journal = {{"schema", "mllab.store_journal"}, {"schema_version", 1}, {"writes", json::array()}};
  std::vector<fs::path> staged;
  auto cleanup = [&] {
    for (const auto& p : staged) fs::remove(p, ec);
  };
  const std::string batch_id = new_id().substr(0, 12);
  size_t n = 0;
  for (const auto& w : batch.writes()) {
    json entry = {{"key", w.key}};
    if (w.value) {
      std::string name = batch_id + "-" + std::to_string(n++);
      Status st = write_file_atomic(tmp_dir / name, *w.value);
      if (!st) { cleanup(); return st; }
      staged.push_back(tmp_dir / name);
      entry["tmp"] = name;
    }
    journal["writes"].push_back(entry);
  }
  // 2. The commit point: the journal appears atomically.
  Status st = write_file_atomic(root_ / kJournal, journal.dump());
  if (!st) { cleanup(); return st; }
  // 3. Apply it, then drop the (now empty) staging folder.
  MLLAB_RETURN_IF_ERROR(replay_journal());
  fs::remove(tmp_dir, ec);
  return Status::ok();
}

}  // namespace mllab::platform
