// The app's job runner: long work (training, and any other pipeline::Job) queued and advanced a
// time slice per frame, so the tab keeps rendering; one job runs at a time, in order. It holds
// jobs only through the core Job interface, so a worker-thread runner can replace it later.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/pipeline/job.hpp"

namespace mllab::platform {
class Lab;
}

namespace mllab::app {

struct JobEntry {
  int id = 0;
  std::string kind;  // "train", ...
  std::unique_ptr<pipeline::Job> job;
  std::string error;  // set when the job could not even start
  bool finished = false;
};

class JobRunner {
 public:
  // Queues a training job for a spec; returns its id. A spec that cannot start is a finished
  // job with `error` set.
  int start_train(platform::Lab& lab, const std::string& spec_json, const std::string& source);
  // Queues any job (a drift report, a CSV parse, ...) under `kind`; returns its id.
  int start(std::string kind, std::unique_ptr<pipeline::Job> job);
  // Advances the current job for about `budget_ms`.
  void advance(double budget_ms);
  // The job with `id`, or nullptr (finished jobs are kept for a while for the JS API).
  const JobEntry* find(int id) const;
  // The running job, or nullptr.
  JobEntry* current();
  // The most recently queued job (running or finished), or nullptr.
  const JobEntry* last() const { return jobs_.empty() ? nullptr : &jobs_.back(); }
  // The time the last advance() gave the job (the frame's adaptive slice).
  double last_budget_ms() const { return last_budget_ms_; }
  bool busy() const;
  // True while an unfinished job writes run `run_id`.
  bool is_running(const std::string& run_id) const;
  // "Run finished", "Run failed: ...", "Could not start: ..." ("" before any job ended).
  const std::string& last_message() const { return last_message_; }
  void set_last_message(std::string m) { last_message_ = std::move(m); }
  // Called when a job ends (successfully or not).
  std::function<void(const JobEntry&)> on_finished;

 private:
  std::deque<JobEntry> jobs_;
  int next_id_ = 1;
  std::string last_message_;
  double last_budget_ms_ = 0;
};

}  // namespace mllab::app
