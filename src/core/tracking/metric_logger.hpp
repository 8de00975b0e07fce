// Buffered metric logging (mlflow.log_metric in a training loop): points are kept in memory and
// written as one metrics record per run per flush, never one store write per point.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/tracking/tracking_store.hpp"

namespace mllab::tracking {

class MetricLogger {
 public:
  // Flushes by itself once `max_buffered` points are waiting.
  explicit MetricLogger(TrackingClient& client, size_t max_buffered = 10000)
      : client_(client), max_buffered_(max_buffered) {}
  // Buffered points are written by flush(); a destructor cannot report errors, so call it.
  ~MetricLogger() = default;

  // Buffers one point; may flush (then returns the flush's status).
  Status log_metric(const std::string& run_id, const std::string& key, double value, int64_t step, int64_t timestamp);
  // Writes every buffered point: one log_batch (one store batch) per run. On an error the points
  // of the runs not yet written stay buffered.
  Status flush();
  size_t buffered() const { return buffered_; }
  // Store batches written so far.
  size_t batches_written() const { return batches_; }

 private:
  TrackingClient& client_;
  size_t max_buffered_;
  size_t buffered_ = 0;
  size_t batches_ = 0;
  std::map<std::string, std::vector<Metric>> pending_;
};

}  // namespace mllab::tracking
