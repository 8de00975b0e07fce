#include "app/jobs.hpp"

#include <algorithm>

#include "platform/lab.hpp"

namespace mllab::app {

int JobRunner::start_train(platform::Lab& lab, const std::string& spec_json, const std::string& source) {
  JobEntry e;
  e.id = next_id_++;
  e.kind = "train";
  auto job = lab.make_train_job(spec_json, source);
  if (job) {
    e.job = std::move(job).value();
  } else {
    e.error = job.status().message();
    e.finished = true;
    last_message_ = "Could not start: " + e.error;
  }
  jobs_.push_back(std::move(e));
  return jobs_.back().id;
}

int JobRunner::start(std::string kind, std::unique_ptr<pipeline::Job> job) {
  JobEntry e;
  e.id = next_id_++;
  e.kind = std::move(kind);
  e.job = std::move(job);
  jobs_.push_back(std::move(e));
  return jobs_.back().id;
}

void JobRunner::advance(double budget_ms) {
  last_budget_ms_ = budget_ms;
  JobEntry* e = current();
  if (e) {
    if (!e->job->advance(budget_ms)) {
      e->finished = true;
      const Status& st = e->job->status();
      last_message_ = st.is_ok() ? "Run finished" : "Run failed: " + st.message();
      if (on_finished) on_finished(*e);
    }
  }
  // Keep the last few finished jobs for the JS API to read their outcome.
  while (jobs_.size() > 64 && jobs_.front().finished) jobs_.pop_front();
}

const JobEntry* JobRunner::find(int id) const {
  for (const auto& e : jobs_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

JobEntry* JobRunner::current() {
  for (auto& e : jobs_) {
    if (!e.finished) return &e;
  }
  return nullptr;
}

bool JobRunner::busy() const {
  return std::any_of(jobs_.begin(), jobs_.end(), [](const JobEntry& e) { return !e.finished; });
}

bool JobRunner::is_running(const std::string& run_id) const {
  return std::any_of(jobs_.begin(), jobs_.end(), [&](const JobEntry& e) {
    return !e.finished && e.job && e.job->run_id() == run_id;
  });
}

}  // namespace mllab::app
