// Controls of the native fake IndexedDB bridge, for tests.
#pragma once

#include <map>
#include <string>

namespace mllab::platform::fake_idb {

// Empties the fake database and resets every switch.
void reset();
// The fake database's records (what "IndexedDB" holds durably).
const std::map<std::string, std::string>& records();
// When true, committed batches wait for flush(); when false they complete at once.
void set_deferred(bool deferred);
// Completes every waiting batch, in order.
void flush();
// Makes the next committed batch fail with `error` (e.g. "QuotaExceededError: quota").
void fail_next_batch(const std::string& error);

}  // namespace mllab::platform::fake_idb
