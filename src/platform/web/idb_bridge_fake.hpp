// Controls of the native fake IndexedDB bridge, for tests.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

// Another tab's transaction: applies `writes` (nullopt = delete) to the database, then, like the
// JS side, takes the store's write version, re-reads those keys, runs `during_read` (a local write
// made while the read is in flight) and hands the records to mllab_idb_on_remote_change.
void remote_commit(const std::vector<std::pair<std::string, std::optional<std::string>>>& writes,
                   const std::function<void()>& during_read = {});

// Sessions: this page's id (default "" = no Web Locks), the sessions whose lock was requested,
// and ending one (calls mllab_idb_on_session_ended if it was requested).
void set_session_id(const std::string& id);
const std::set<std::string>& watched_sessions();
void end_session(const std::string& id);

}  // namespace mllab::platform::fake_idb
