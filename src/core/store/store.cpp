#include "core/store/store.hpp"

#include <set>

namespace mllab::store {

Status validate_key(const std::string& key) {
  if (key.empty()) return Status::invalid("store key is empty");
  if (key.front() == '/' || key.back() == '/' || key.find("//") != std::string::npos) {
    return Status::invalid("store key '" + key + "' has an empty path segment");
  }
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '.' || c == '_' || c == '-' || c == '@' || c == ':' || c == '=' ||
              c == '+';
    if (!ok) return Status::invalid("store key '" + key + "' contains the character '" + c + "'");
  }
  size_t pos = 0;
  while (pos <= key.size()) {
    size_t end = key.find('/', pos);
    if (end == std::string::npos) end = key.size();
    std::string seg = key.substr(pos, end - pos);
    if (!seg.empty() && seg[0] == '.') {
      return Status::invalid("store key '" + key + "' has a segment starting with '.' ('" + seg + "')");
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
  return Status::ok();
}

}  // namespace mllab::store
