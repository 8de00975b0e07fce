#include "platform/web/idb_store.hpp"

#include "core/tracking/tracking_store.hpp"
#include "platform/web/idb_bridge.h"

namespace mllab::platform {
namespace {
IdbStore* g_store = nullptr;

std::optional<std::string> read_loaded(int i, int (*fn)(int, char*, int)) {
  int n = fn(i, nullptr, 0);
  if (n < 0) return std::nullopt;
  std::string s(static_cast<size_t>(n), '\0');
  if (n > 0) fn(i, s.data(), n);
  return s;
}

// What a failed batch was saving, for the user: "run 'iris' (3f2a1b2c)", "dataset 'x'", ...
// `runs`: the run records the batch wrote (their names).
std::string describe_batch(const std::map<std::string, std::string>& runs_written, const std::vector<std::string>& keys) {
  std::vector<std::string> runs;
  for (const auto& k : keys) {
    if (k.rfind("runs/", 0) == 0) runs.push_back(k.substr(5));
  }
  if (runs.size() == 1) {
    std::string d = "run " + runs[0].substr(0, 8);
    auto bytes = runs_written.find("runs/" + runs[0]);
    if (bytes != runs_written.end()) {
      if (auto r = tracking::parse_run_record(bytes->second)) d = "run '" + r->run_name + "' (" + runs[0].substr(0, 8) + ")";
    }
    return d;
  }
  if (runs.size() > 1) return std::to_string(runs.size()) + " runs";
  const std::pair<const char*, const char*> kinds[] = {
      {"datasets/", "dataset"}, {"registered_models/", "model"}, {"features/", "feature group"},
      {"experiments/", "experiment"}, {"drift_reports/", "drift report"}, {"predictions/", "predictions of"},
      {"prediction_actuals/", "actuals of"}};
  for (const auto& [prefix, what] : kinds) {
    for (const auto& k : keys) {
      if (k.rfind(prefix, 0) != 0) continue;
      std::string name = k.substr(std::string(prefix).size());
      name = name.substr(0, name.find('/'));
      return std::string(what) + " '" + name + "'";
    }
  }
  return std::to_string(keys.size()) + " record" + (keys.size() == 1 ? "" : "s");
}
}  // namespace

std::unique_ptr<IdbStore> IdbStore::open() {
  std::unique_ptr<IdbStore> s(new IdbStore());
  int n = mllab_idb_loaded_count();
  for (int i = 0; i < n; ++i) {
    auto value = read_loaded(i, mllab_idb_loaded_value);
    if (value) s->records_[*read_loaded(i, mllab_idb_loaded_key)] = std::move(*value);
  }
  mllab_idb_loaded_release();
  g_store = s.get();
  return s;
}

IdbStore::~IdbStore() {
  if (g_store == this) g_store = nullptr;
}

Status IdbStore::commit(const store::Batch& batch) {
  MLLAB_RETURN_IF_ERROR(store::check_batch(*this, batch));
  if (batch.empty()) return Status::ok();
  int id = next_batch_id_++;
  Pending p;
  const uint64_t version = next_version_++;
  for (const auto& w : batch.writes()) {
    if (!p.version.count(w.key)) p.before.emplace(w.key, get(w.key));
    if (w.value && w.key.rfind("runs/", 0) == 0) p.runs[w.key] = *w.value;
    p.version[w.key] = version;
    key_version_[w.key] = version;
  }
  MLLAB_RETURN_IF_ERROR(MemoryStore::commit(batch));
  pending_[id] = std::move(p);
  mllab_idb_batch_begin(id);
  for (const auto& w : batch.writes()) {
    if (w.value) {
      mllab_idb_batch_put(id, w.key.data(), int(w.key.size()), w.value->data(), int(w.value->size()));
    } else {
      mllab_idb_batch_delete(id, w.key.data(), int(w.key.size()));
    }
  }
  mllab_idb_batch_commit(id);
  return Status::ok();
}

void IdbStore::on_batch_done(int batch_id, bool ok, const std::string& error) {
  auto it = pending_.find(batch_id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  it = pending_.erase(it);
  if (ok) return;
  // Roll back, except keys a later batch has written since (their value is newer). If that later
  // batch is still pending, what it would roll back to is this batch's "before" (this batch never
  // happened), so a chain of failures (quota) ends where the store was.
  std::vector<std::string> keys;
  for (auto& [key, before] : p.before) {
    keys.push_back(key);
    if (key_version_[key] == p.version[key]) {
      if (before) records_[key] = *before;
      else records_.erase(key);
      continue;
    }
    for (auto later = it; later != pending_.end(); ++later) {
      auto b = later->second.before.find(key);
      if (b == later->second.before.end()) continue;
      b->second = before;
      break;
    }
  }
  bump_revision();
  last_failed_keys_ = keys;
  last_error_ = "Saving " + describe_batch(p.runs, keys) + " failed and was rolled back: " + error;
  if (listener_) listener_(Status::storage_error(last_error_));
}

void IdbStore::apply_remote(int snapshot) {
  std::vector<std::string> changed;
  int n = mllab_idb_loaded_count();
  for (int i = 0; i < n; ++i) {
    std::string key = *read_loaded(i, mllab_idb_loaded_key);
    auto value = read_loaded(i, mllab_idb_loaded_value);
    auto v = key_version_.find(key);
    if (v != key_version_.end() && v->second > uint64_t(snapshot)) {
      // Written here after the read began: that write is the newer one. Should it fail, the
      // key returns to what the other tab stored.
      for (auto& [id, p] : pending_) {
        auto pv = p.version.find(key);
        if (pv == p.version.end() || pv->second <= uint64_t(snapshot)) continue;
        p.before[key] = value;
        break;
      }
      continue;
    }
    // Batches of ours still pending on this key were created before the read, which waited for
    // them: the value read is what holds should one of them turn out to have failed.
    for (auto& [id, p] : pending_) {
      auto b = p.before.find(key);
      if (b != p.before.end()) b->second = value;
    }
    auto cur = records_.find(key);
    const bool same = value ? (cur != records_.end() && cur->second == *value) : cur == records_.end();
    if (same) continue;
    if (value) records_[key] = std::move(*value);
    else records_.erase(key);
    changed.push_back(std::move(key));
  }
  mllab_idb_loaded_release();
  if (!changed.empty()) bump_revision();
  if (!changed.empty() && remote_listener_) remote_listener_(changed);
}

}  // namespace mllab::platform

extern "C" MLLAB_EXPORT void mllab_idb_on_batch_done(int batch_id, int ok, const char* error) {
  if (mllab::platform::g_store) mllab::platform::g_store->on_batch_done(batch_id, ok != 0, error ? error : "");
}

extern "C" MLLAB_EXPORT int mllab_idb_write_version(void) {
  return mllab::platform::g_store ? mllab::platform::g_store->write_version() : 0;
}

extern "C" MLLAB_EXPORT void mllab_idb_on_remote_change(int snapshot) {
  if (mllab::platform::g_store) mllab::platform::g_store->apply_remote(snapshot);
  else mllab_idb_loaded_release();
}
