// The IndexedDB store with other tabs and failures, over the fake bridge: another tab's changes
// applied to memory (and ordered against this tab's own pending writes), chains of failed batches
// rolled back to where the store was, failure messages naming what was being saved, and runs of
// gone browser sessions marked KILLED.
#include <gtest/gtest.h>

#include <functional>

#include "core/tracking/tracking_store.hpp"
#include "platform/lab.hpp"
#include "platform/web/idb_bridge_fake.hpp"
#include "platform/web/idb_store.hpp"
#include "platform/web/session.hpp"

namespace mllab::platform {
namespace {

using Records = std::map<std::string, std::string>;

Records memory(const store::Store& s) {
  Records out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}

class IdbTabsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_idb::reset();
    store_ = IdbStore::open();
    store_->set_error_listener([this](const Status& st) { errors_.push_back(st.message()); });
    store_->set_remote_change_listener([this](const std::vector<std::string>& keys) { changed_.push_back(keys); });
  }
  void TearDown() override {
    set_session_ended_listener(nullptr);
    store_.reset();
    fake_idb::reset();
  }
  Status put(const std::string& k, const std::string& v) {
    store::Batch b;
    b.put(k, v);
    return store_->commit(b);
  }
  std::unique_ptr<IdbStore> store_;
  std::vector<std::string> errors_;
  std::vector<std::vector<std::string>> changed_;
};

TEST_F(IdbTabsTest, AnotherTabsChangesReachMemory) {
  ASSERT_TRUE(put("runs/mine", "A").is_ok());
  ASSERT_TRUE(put("gone", "x").is_ok());
  fake_idb::remote_commit({{"runs/theirs", "B"}, {"gone", std::nullopt}});
  EXPECT_EQ(memory(*store_), (Records{{"runs/mine", "A"}, {"runs/theirs", "B"}}));
  EXPECT_EQ(memory(*store_), fake_idb::records());
  ASSERT_EQ(changed_.size(), 1u);
  EXPECT_EQ(changed_[0], (std::vector<std::string>{"runs/theirs", "gone"}));
  // A change already known is not reported again.
  fake_idb::remote_commit({{"runs/theirs", "B"}});
  EXPECT_EQ(changed_.size(), 1u);
}

TEST_F(IdbTabsTest, ALocalWriteMadeDuringTheReadStaysAndRollsBackToTheOtherTabsValue) {
  ASSERT_TRUE(put("k", "v0").is_ok());
  fake_idb::set_deferred(true);
  fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
  // The other tab writes k; while this tab re-reads it, this tab writes k itself (that write,
  // created after the read, is the newer one) and that write then fails.
  fake_idb::remote_commit({{"k", "theirs"}}, [this] { ASSERT_TRUE(put("k", "mine").is_ok()); });
  EXPECT_EQ(store_->get("k"), "mine");
  fake_idb::flush();
  EXPECT_EQ(store_->get("k"), "theirs") << "rolled back to what IndexedDB holds, not to v0";
  EXPECT_EQ(memory(*store_), fake_idb::records());
}

TEST_F(IdbTabsTest, AChainOfFailedBatchesEndsWhereTheStoreWas) {
  ASSERT_TRUE(put("runs/r", "RUNNING").is_ok());
  const Records before = memory(*store_);
  fake_idb::set_deferred(true);
  // Three writes of one record, each failing (a full disk): none may survive in memory.
  for (const char* v : {"with-metrics", "FINISHED-1", "FINISHED-2"}) {
    fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
    ASSERT_TRUE(put("runs/r", v).is_ok());
  }
  EXPECT_EQ(store_->pending_batches(), 3u);
  fake_idb::flush();
  EXPECT_EQ(memory(*store_), before);
  EXPECT_EQ(fake_idb::records(), before);
  EXPECT_EQ(errors_.size(), 3u);
}

// The page groups the batches pending at a time into one transaction; a group that fails reports
// each of its batches failed, in commit order. Each must roll back correctly: puts of new keys,
// overwrites, deletes, several batches on one key, with a batch before the group that succeeded
// and one after it (on the same key) that succeeds too and keeps its newer value.
TEST_F(IdbTabsTest, AFailedGroupRollsBackEachOfItsBatchesInOrder) {
  ASSERT_TRUE(put("runs/a", "a0").is_ok());
  ASSERT_TRUE(put("runs/b", "b0").is_ok());
  fake_idb::set_deferred(true);
  ASSERT_TRUE(put("runs/a", "a1").is_ok());  // succeeds (the group before)
  // The failing group: four batches.
  auto fail = [this](const std::function<Status()>& write) {
    fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
    ASSERT_TRUE(write().is_ok());
  };
  fail([this] { return put("runs/a", "a2"); });
  fail([this] { store::Batch b; b.put("runs/new", "n"); b.put("runs/a", "a3"); return store_->commit(b); });
  fail([this] { store::Batch b; b.erase("runs/b"); return store_->commit(b); });
  fail([this] { return put("runs/new", "n2"); });
  ASSERT_TRUE(put("runs/b", "b9").is_ok());  // the group after, on a key the failed group deleted
  EXPECT_EQ(store_->pending_batches(), 6u);
  fake_idb::flush();
  EXPECT_EQ(memory(*store_), (Records{{"runs/a", "a1"}, {"runs/b", "b9"}}));
  EXPECT_EQ(memory(*store_), fake_idb::records()) << "memory and IndexedDB agree again";
  EXPECT_EQ(errors_.size(), 4u) << "each batch of the group is reported";
  EXPECT_EQ(store_->pending_batches(), 0u);
}

TEST_F(IdbTabsTest, AFailureNamesWhatWasBeingSaved) {
  tracking::TrackingClient client(*store_);
  auto exp = client.get_or_create_experiment("e");
  auto run = client.create_run(exp->experiment_id, "iris-forest", 1);
  ASSERT_TRUE(run.is_ok());
  fake_idb::fail_next_batch("QuotaExceededError: quota exceeded; storage used 4.9 MB of 5.0 MB");
  ASSERT_TRUE(client.end_run(run->run_id, {}, tracking::RunStatus::kFinished, 2).is_ok());
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0], "Saving run 'iris-forest' (" + run->run_id.substr(0, 8) +
                            ") failed and was rolled back: QuotaExceededError: quota exceeded; storage used 4.9 MB of 5.0 MB");
  EXPECT_EQ(store_->last_failed_keys(), std::vector<std::string>{"runs/" + run->run_id});
  EXPECT_EQ(client.get_run(run->run_id)->status, tracking::RunStatus::kRunning) << "rolled back";
}

TEST_F(IdbTabsTest, RunsOfAGoneSessionAreKilledOnceItsLockIsFree) {
  Lab lab(IdbStore::open(), MLLAB_SOURCE_DIR);
  // A run of an earlier page (session "old") and one of another live tab ("other").
  auto exp = lab.tracking().get_or_create_experiment("e");
  lab.tracking().set_owner_tags({{"mllab.owner.session", "old"}});
  auto orphan = lab.tracking().create_run(exp->experiment_id, "interrupted", 1);
  lab.tracking().set_owner_tags({{"mllab.owner.session", "other"}});
  auto live = lab.tracking().create_run(exp->experiment_id, "live", 2);
  ASSERT_TRUE(orphan.is_ok() && live.is_ok());

  fake_idb::set_session_id("this-page");
  lab.set_run_ownership(browser_session_ownership());
  std::vector<std::string> ended;
  set_session_ended_listener([&](const std::string& id) {
    ended.push_back(id);
    ASSERT_TRUE(lab.reap_orphaned_runs().is_ok());
  });
  auto mine = lab.tracking().create_run(exp->experiment_id, "mine", 3);
  EXPECT_EQ(mine->tags.at("mllab.owner.session"), "this-page");

  // The first pass cannot tell yet: it asks for both sessions' locks and kills nothing.
  EXPECT_TRUE(lab.reap_orphaned_runs()->empty());
  EXPECT_EQ(fake_idb::watched_sessions(), (std::set<std::string>{"old", "other"}));
  // The old page's lock is granted: its run becomes KILLED; the live tab's and ours stay.
  fake_idb::end_session("old");
  EXPECT_EQ(ended, std::vector<std::string>{"old"});
  auto o = lab.tracking().get_run(orphan->run_id);
  EXPECT_EQ(o->status, tracking::RunStatus::kKilled);
  EXPECT_EQ(o->tags.at(tracking::kKilledReasonTag), "the browser page that ran it (session old) was closed or reloaded");
  EXPECT_EQ(lab.tracking().get_run(live->run_id)->status, tracking::RunStatus::kRunning);
  EXPECT_EQ(lab.tracking().get_run(mine->run_id)->status, tracking::RunStatus::kRunning);
  EXPECT_EQ(fake_idb::watched_sessions(), (std::set<std::string>{"other"}));
  // Durable too.
  auto stored = tracking::parse_run_record(fake_idb::records().at("runs/" + orphan->run_id));
  EXPECT_EQ(stored->status, tracking::RunStatus::kKilled);
}

TEST_F(IdbTabsTest, WithoutWebLocksNothingIsRecordedOrJudged) {
  fake_idb::set_session_id("");
  EXPECT_EQ(browser_session_id(), "");
  RunOwnership o = browser_session_ownership();
  EXPECT_TRUE(o.tags.empty());
  EXPECT_FALSE(o.gone);
}

}  // namespace
}  // namespace mllab::platform
