#include "platform/web/idb_store.hpp"

#include "platform/web/idb_bridge.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define MLLAB_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define MLLAB_EXPORT
#endif

namespace mllab::platform {
namespace {
IdbStore* g_store = nullptr;

std::string read_loaded(int i, int (*fn)(int, char*, int)) {
  int n = fn(i, nullptr, 0);
  std::string s(static_cast<size_t>(n), '\0');
  if (n > 0) fn(i, s.data(), n);
  return s;
}
}  // namespace

std::unique_ptr<IdbStore> IdbStore::open() {
  std::unique_ptr<IdbStore> s(new IdbStore());
  int n = mllab_idb_loaded_count();
  for (int i = 0; i < n; ++i) {
    s->records_[read_loaded(i, mllab_idb_loaded_key)] = read_loaded(i, mllab_idb_loaded_value);
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
    if (!p.version.count(w.key)) p.before.emplace_back(w.key, get(w.key));
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
  pending_.erase(it);
  if (ok) return;
  // Roll back, except keys a later batch has written since (their value is newer).
  for (auto b = p.before.rbegin(); b != p.before.rend(); ++b) {
    const auto& key = b->first;
    if (key_version_[key] != p.version[key]) continue;
    if (b->second) records_[key] = *b->second;
    else records_.erase(key);
  }
  last_error_ = "IndexedDB write failed and was rolled back: " + error;
  if (listener_) listener_(Status::storage_error(last_error_));
}

}  // namespace mllab::platform

extern "C" MLLAB_EXPORT void mllab_idb_on_batch_done(int batch_id, int ok, const char* error) {
  if (mllab::platform::g_store) mllab::platform::g_store->on_batch_done(batch_id, ok != 0, error ? error : "");
}
