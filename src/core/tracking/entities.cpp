#include "core/tracking/entities.hpp"

namespace mllab::tracking {

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning: return "RUNNING";
    case RunStatus::kScheduled: return "SCHEDULED";
    case RunStatus::kFinished: return "FINISHED";
    case RunStatus::kFailed: return "FAILED";
    case RunStatus::kKilled: return "KILLED";
  }
  return "RUNNING";
}

std::optional<RunStatus> parse_run_status(const std::string& s) {
  for (auto st : {RunStatus::kRunning, RunStatus::kScheduled, RunStatus::kFinished,
                  RunStatus::kFailed, RunStatus::kKilled}) {
    if (s == run_status_name(st)) return st;
  }
  return std::nullopt;
}

}  // namespace mllab::tracking
