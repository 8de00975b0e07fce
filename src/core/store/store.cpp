#include "core/store/store.hpp"

#include <set>

#include "core/util/json_reader.hpp"
#include "core/util/names.hpp"

namespace mllab::store {

Status validate_key(const std::string& key) {
  if (key.empty()) return Status::invalid("store key is empty");
  const std::string shown = "'" + quote_for_message(key) + "'";
  if (key.size() > kMaxKeyBytes) {
    return Status::invalid("store key " + shown + " is longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  if (key.front() == '/' || key.back() == '/' || key.find("//") != std::string::npos) {
    return Status::invalid("store key " + shown + " has an empty path segment");
  }
  MLLAB_RETURN_IF_ERROR(check_text(key, "store key"));
  size_t pos = 0, segments = 0;
  while (pos <= key.size()) {
    size_t end = key.find('/', pos);
    if (end == std::string::npos) end = key.size();
    if (key[pos] == '.') {
      return Status::invalid("store key " + shown + " has a segment starting with '.' ('" +
                             quote_for_message(key.substr(pos, end - pos)) + "')");
    }
    if (++segments > kMaxKeySegments) {
      return Status::invalid("store key " + shown + " has more than " + std::to_string(kMaxKeySegments) +
                             " segments");
    }
    pos = end + 1;
  }
  return Status::ok();
}

Status check_batch(const Store& store, const Batch& batch) {
  std::set<std::string> puts, erased;
  for (const auto& w : batch.writes()) {
    MLLAB_RETURN_IF_ERROR(validate_key(w.key));
    if (w.value) { puts.insert(w.key); erased.erase(w.key); }
    else { erased.insert(w.key); puts.erase(w.key); }
  }
  for (const auto& k : batch.expected_absent()) {
    MLLAB_RETURN_IF_ERROR(validate_key(k));
    if (store.get(k)) return Status::already_exists("store key '" + quote_for_message(k) + "' was created meanwhile");
  }
  auto clash = [](const std::string& a, const std::string& b) {
    return Status::invalid("store key '" + a + "' clashes with '" + b +
                           "': a key cannot also be the folder of other keys");
  };
  for (const auto& k : puts) {
    for (size_t slash = k.find('/'); slash != std::string::npos; slash = k.find('/', slash + 1)) {
      std::string parent = k.substr(0, slash);
      if (puts.count(parent) || (!erased.count(parent) && store.get(parent))) return clash(parent, k);
    }
    for (const auto& child : store.keys(k + "/")) {
      if (!erased.count(child)) return clash(k, child);
    }
  }
  return Status::ok();
}

std::optional<std::string> MemoryStore::get(const std::string& key) const {
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> MemoryStore::keys(const std::string& prefix) const {
  std::vector<std::string> out;
  for (auto it = records_.lower_bound(prefix); it != records_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->first);
  }
  return out;
}

Status MemoryStore::commit(const Batch& batch) {
  MLLAB_RETURN_IF_ERROR(check_batch(*this, batch));
  for (const auto& w : batch.writes()) {
    if (w.value) records_[w.key] = *w.value;
    else records_.erase(w.key);
  }
  if (!batch.empty()) bump_revision();
  return Status::ok();
}

}  // namespace mllab::store
