#include "platform/web/session.hpp"

#include <set>

#include "platform/web/idb_bridge.h"

namespace mllab::platform {
namespace {
constexpr const char* kSessionTag = "mllab.owner.session";
std::set<std::string> g_ended;
std::set<std::string> g_watched;
std::function<void(const std::string&)> g_listener;
}  // namespace

std::string browser_session_id() {
  int n = mllab_idb_session_id(nullptr, 0);
  std::string id(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) mllab_idb_session_id(id.data(), n);
  return id;
}

RunOwnership browser_session_ownership() {
  const std::string self = browser_session_id();
  RunOwnership o;
  if (self.empty()) return o;
  o.tags = {{kSessionTag, self}};
  o.gone = [self](const std::map<std::string, std::string>& owner) -> std::optional<std::string> {
    auto it = owner.find(kSessionTag);
    if (it == owner.end() || it->second == self) return std::nullopt;
    const std::string& id = it->second;
    if (g_ended.count(id)) return "the browser page that ran it (session " + id.substr(0, 8) + ") was closed or reloaded";
    if (g_watched.insert(id).second) mllab_idb_watch_session(id.data(), int(id.size()));
    return std::nullopt;
  };
  return o;
}

void set_session_ended_listener(std::function<void(const std::string&)> listener) {
  g_listener = std::move(listener);
}

}  // namespace mllab::platform

extern "C" MLLAB_EXPORT void mllab_idb_on_session_ended(const char* id) {
  using namespace mllab::platform;
  std::string s = id ? id : "";
  g_watched.erase(s);
  g_ended.insert(s);
  if (g_listener) g_listener(s);
}
