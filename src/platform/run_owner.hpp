// Run owners natively: the tags that say which process runs a run (host, pid, process start time,
// boot id) and whether such a process is gone, for TrackingClient::kill_runs_of_gone_owners.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/tracking/tracking_store.hpp"

namespace mllab::platform {

// Who creates runs in a session and how to tell that an owner is gone.
struct RunOwnership {
  std::map<std::string, std::string> tags;  // recorded on every run the session creates
  tracking::OwnerGone gone;                 // judges a run's owner tags
};

// What identifies a live process: the tags mllab.owner.host / .pid / .start / .boot_id.
struct ProcessIdentity {
  std::string host;
  long long pid = 0;
  std::string start;    // start time in clock ticks since boot (/proc/<pid>/stat field 22)
  std::string boot_id;  // /proc/sys/kernel/random/boot_id ("" if unknown)
};

// This process (empty host when it cannot be told, e.g. in WebAssembly).
ProcessIdentity this_process();
// The owner tags of a process.
std::map<std::string, std::string> owner_tags(const ProcessIdentity& p);
// Whether an owner is gone, judged from `self`'s machine: owners of another host, or without a
// pid, cannot be judged (nullopt); on this host the owner is gone when the machine restarted since
// (another boot id), when no process has its pid, or when the process with its pid started at
// another time (the pid was reused). Returns the reason.
std::optional<std::string> process_owner_gone(const std::map<std::string, std::string>& owner,
                                              const ProcessIdentity& self);
// The start time of process `pid` ("" when there is no such process, or it is a zombie).
std::string process_start_time(long long pid);
// Ownership by this process (no tags and nothing judged when the process cannot be identified).
RunOwnership process_ownership();

}  // namespace mllab::platform
