// The native fake of web/idb_bridge.js: an in-memory "database" with the same transaction
// semantics (a batch applies wholly on completion or not at all), so GoogleTest covers IdbStore.
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "platform/web/idb_bridge.h"
#include "platform/web/idb_bridge_fake.hpp"

namespace mllab::platform::fake_idb {
namespace {
struct FakeBatch {
  int id = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> writes;
  std::string fail;
};
struct FakeDb {
  std::map<std::string, std::string> records;
  std::vector<std::pair<std::string, std::optional<std::string>>> loaded;
  std::map<int, FakeBatch> open;
  std::deque<FakeBatch> waiting;
  bool deferred = false;
  std::string fail_next;
  std::string session_id;
  std::set<std::string> watched;
};
FakeDb& db() {
  static FakeDb d;
  return d;
}
void complete(FakeBatch b) {
  if (b.fail.empty()) {
    for (auto& [k, v] : b.writes) {
      if (v) db().records[k] = *v;
      else db().records.erase(k);
    }
  }
  mllab_idb_on_batch_done(b.id, b.fail.empty() ? 1 : 0, b.fail.c_str());
}
int copy_out(const std::string& s, char* dst, int cap) {
  if (dst && cap >= int(s.size())) std::memcpy(dst, s.data(), s.size());
  return int(s.size());
}
}  // namespace

void reset() { db() = FakeDb(); }
const std::map<std::string, std::string>& records() { return db().records; }
void set_deferred(bool deferred) { db().deferred = deferred; }
void flush() {
  while (!db().waiting.empty()) {
    FakeBatch b = std::move(db().waiting.front());
    db().waiting.pop_front();
    complete(std::move(b));
  }
}
void fail_next_batch(const std::string& error) { db().fail_next = error; }

void remote_commit(const std::vector<std::pair<std::string, std::optional<std::string>>>& writes,
                   const std::function<void()>& during_read) {
  auto& d = db();
  if (writes.empty()) return;
  for (const auto& [k, v] : writes) {
    if (v) d.records[k] = *v;
    else d.records.erase(k);
  }
  const int snapshot = mllab_idb_write_version();
  d.loaded.clear();
  for (const auto& [k, v] : writes) {
    auto it = d.records.find(k);
    d.loaded.emplace_back(k, it == d.records.end() ? std::nullopt : std::optional<std::string>(it->second));
  }
  if (during_read) during_read();
  mllab_idb_on_remote_change(snapshot);
}

void set_session_id(const std::string& id) { db().session_id = id; }
const std::set<std::string>& watched_sessions() { return db().watched; }
void end_session(const std::string& id) {
  if (db().watched.erase(id)) mllab_idb_on_session_ended(id.c_str());
}

}  // namespace mllab::platform::fake_idb

using mllab::platform::fake_idb::db;

extern "C" {
int mllab_idb_loaded_count(void) {
  // Like the JS side at startup: a snapshot of the database.
  // Like the JS side: at startup a snapshot of the database; after another tab's change (see
  // remote_commit) the records it re-read.
  auto& d = db();
  if (d.loaded.empty()) d.loaded.assign(d.records.begin(), d.records.end());
  return int(d.loaded.size());
}
int mllab_idb_loaded_key(int i, char* dst, int cap) {
  return mllab::platform::fake_idb::copy_out(db().loaded[size_t(i)].first, dst, cap);
}
int mllab_idb_loaded_value(int i, char* dst, int cap) {
  const auto& v = db().loaded[size_t(i)].second;
  return v ? mllab::platform::fake_idb::copy_out(*v, dst, cap) : -1;
}
void mllab_idb_loaded_release(void) { db().loaded.clear(); }
void mllab_idb_batch_begin(int batch_id) { db().open[batch_id].id = batch_id; }
void mllab_idb_batch_put(int batch_id, const char* key, int key_len, const char* value, int value_len) {
  db().open[batch_id].writes.emplace_back(std::string(key, size_t(key_len)), std::string(value, size_t(value_len)));
}
void mllab_idb_batch_delete(int batch_id, const char* key, int key_len) {
  db().open[batch_id].writes.emplace_back(std::string(key, size_t(key_len)), std::nullopt);
}
int mllab_idb_session_id(char* dst, int cap) {
  return mllab::platform::fake_idb::copy_out(db().session_id, dst, cap);
}
void mllab_idb_watch_session(const char* id, int id_len) { db().watched.insert(std::string(id, size_t(id_len))); }
void mllab_idb_batch_commit(int batch_id) {
  auto& d = db();
  auto b = std::move(d.open[batch_id]);
  d.open.erase(batch_id);
  b.fail = std::move(d.fail_next);
  d.fail_next.clear();
  if (d.deferred) d.waiting.push_back(std::move(b));
  else mllab::platform::fake_idb::complete(std::move(b));
}
}
