// Long work as a job the UI can interleave with frames: advance() does about `budget_ms` of work
// and returns, so a browser tab keeps rendering; progress, a stage text ("tree 140/300"), an
// estimate of the time left and cancel() are what a progress bar needs. The CLI runs a job to
// its end. Jobs hold no UI and no thread: a later worker-thread runner can drive the same ones.
#pragma once

#include <string>

#include "core/util/status.hpp"

namespace mllab::pipeline {

class Job {
 public:
  virtual ~Job() = default;
  // Works for about `budget_ms` milliseconds (at least one unit of work); false once done.
  virtual bool advance(double budget_ms) = 0;
  // Asks the job to stop at its next unit of work; a cancelled run ends KILLED.
  virtual void cancel() = 0;
  virtual bool done() const = 0;
  // Progress in [0, 1].
  virtual double progress() const = 0;
  // What is being done now, for a person: "fold 3/5", "fit: tree 140/300".
  virtual std::string stage_text() const = 0;
  // Seconds left, estimated from the progress so far; negative when unknown.
  virtual double eta_seconds() const = 0;
  // After done(): ok, or the error that ended the job.
  virtual const Status& status() const = 0;
  // The run the job writes ("" when none yet, or not a run).
  virtual const std::string& run_id() const = 0;
  // The longest single unit of work so far (ms) and what it was: a unit cannot be cut by
  // advance(), so this is what a frame may have to wait for. 0 / "" when not measured.
  virtual double longest_unit_ms() const { return 0; }
  virtual std::string longest_unit() const { return ""; }
};

}  // namespace mllab::pipeline
