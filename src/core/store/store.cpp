#include "core/store/store.hpp"

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
    if (seg == "." || seg == "..") return Status::invalid("store key '" + key + "' contains '" + seg + "'");
    pos = end + 1;
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
  for (const auto& w : batch.writes()) MLLAB_RETURN_IF_ERROR(validate_key(w.key));
  for (const auto& w : batch.writes()) {
    if (w.value) records_[w.key] = *w.value;
    else records_.erase(w.key);
  }
  return Status::ok();
}

}  // namespace mllab::store
