#include "platform/run_owner.hpp"

#include <fstream>
#include <sstream>

#if !defined(__EMSCRIPTEN__)
#include <unistd.h>
#endif

namespace mllab::platform {
#if !defined(__EMSCRIPTEN__)
namespace {
std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}
}  // namespace
#endif

std::string process_start_time(long long pid) {
#if defined(__EMSCRIPTEN__)
  (void)pid;
  return "";
#else
  if (pid <= 0) return "";
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return "";
  // "pid (comm) state ppid ..."; comm may hold spaces and parentheses: fields start after the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 1));
  std::string f;
  // Field 3 (state) is the first after comm; starttime is field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> f)) return "";
    // A zombie (killed, not yet reaped by its parent) or dead process runs nothing any more.
    if (i == 3 && (f == "Z" || f == "X" || f == "x")) return "";
  }
  return f;
#endif
}

ProcessIdentity this_process() {
  ProcessIdentity p;
#if !defined(__EMSCRIPTEN__)
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return p;
  p.pid = static_cast<long long>(getpid());
  p.start = process_start_time(p.pid);
  if (p.start.empty()) return p;  // no /proc: liveness cannot be told, so record nothing
  p.host = host;
  p.boot_id = first_line("/proc/sys/kernel/random/boot_id");
#endif
  return p;
}

std::map<std::string, std::string> owner_tags(const ProcessIdentity& p) {
  if (p.host.empty()) return {};
  std::map<std::string, std::string> t = {{"mllab.owner.host", p.host},
                                          {"mllab.owner.pid", std::to_string(p.pid)},
                                          {"mllab.owner.start", p.start}};
  if (!p.boot_id.empty()) t["mllab.owner.boot_id"] = p.boot_id;
  return t;
}

std::optional<std::string> process_owner_gone(const std::map<std::string, std::string>& owner,
                                              const ProcessIdentity& self) {
  auto get = [&](const char* k) {
    auto it = owner.find(k);
    return it == owner.end() ? std::string() : it->second;
  };
  const std::string host = get("mllab.owner.host"), pid_text = get("mllab.owner.pid");
  if (self.host.empty() || host != self.host || pid_text.empty()) return std::nullopt;
  long long pid = 0;
  for (char c : pid_text) {
    if (c < '0' || c > '9' || pid > 100000000LL) return std::nullopt;
    pid = pid * 10 + (c - '0');
  }
  const std::string who = "process " + pid_text + " on host " + host;
  const std::string boot = get("mllab.owner.boot_id");
  if (!boot.empty() && !self.boot_id.empty() && boot != self.boot_id) {
    return who + " ended: the machine has restarted since";
  }
  if (pid == self.pid) {
    return get("mllab.owner.start") == self.start ? std::nullopt
                                                  : std::optional<std::string>(who + " has exited (its pid is reused)");
  }
  const std::string start = process_start_time(pid);
  // (self has a start time, so /proc works here.)
  if (start.empty()) return who + " has exited";
  if (start != get("mllab.owner.start")) return who + " has exited (its pid is reused)";
  return std::nullopt;
}

RunOwnership process_ownership() {
  ProcessIdentity self = this_process();
  RunOwnership o;
  if (self.host.empty()) return o;
  o.tags = owner_tags(self);
  o.gone = [self](const std::map<std::string, std::string>& owner) { return process_owner_gone(owner, self); };
  return o;
}

}  // namespace mllab::platform
