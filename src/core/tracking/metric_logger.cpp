#include "core/tracking/metric_logger.hpp"

namespace mllab::tracking {

Status MetricLogger::log_metric(const std::string& run_id, const std::string& key, double value, int64_t step,
                                int64_t timestamp) {
  if (key.empty()) return Status::invalid("metric key is empty");
  pending_[run_id].push_back({key, value, timestamp, step});
  if (++buffered_ >= max_buffered_) return flush();
  return Status::ok();
}

Status MetricLogger::flush() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    RunData data;
    data.metrics = std::move(it->second);
    Status st = client_.log_batch(it->first, data);
    if (!st.is_ok()) {
      it->second = std::move(data.metrics);
      return st;
    }
    ++batches_;
    buffered_ -= data.metrics.size();
    it = pending_.erase(it);
  }
  return Status::ok();
}

}  // namespace mllab::tracking
