// Run owners: the owner tags create_run records, and kill_runs_of_gone_owners marking RUNNING runs
// of gone owners KILLED (with a fake liveness predicate).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "core/tracking/tracking_store.hpp"

namespace mllab::tracking {
namespace {

using Tags = std::map<std::string, std::string>;

class RunOwnerTest : public ::testing::Test {
 protected:
  tracking::Run start(const std::string& name, const Tags& owner) {
    client_.set_owner_tags(owner);
    auto exp = client_.get_or_create_experiment("exp");
    EXPECT_TRUE(exp.is_ok());
    auto r = client_.create_run(exp->experiment_id, name, 1000);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.value();
  }
  // Gone: pids listed in dead_ on host "h"; other hosts cannot be judged.
  OwnerGone predicate() {
    return [this](const Tags& owner) -> std::optional<std::string> {
      calls_.push_back(owner);
      auto host = owner.find("mllab.owner.host");
      auto pid = owner.find("mllab.owner.pid");
      if (host == owner.end() || host->second != "h" || pid == owner.end()) return std::nullopt;
      if (dead_.count(pid->second)) return "process " + pid->second + " on host h has exited";
      return std::nullopt;
    };
  }
  store::MemoryStore store_;
  TrackingClient client_{store_};
  std::set<std::string> dead_;
  std::vector<Tags> calls_;
};

TEST_F(RunOwnerTest, CreateRunRecordsTheOwnerTags) {
  tracking::Run r = start("a", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}, {"mllab.owner.start", "99"}});
  auto stored = client_.get_run(r.run_id);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(stored->tags.at("mllab.owner.host"), "h");
  EXPECT_EQ(stored->tags.at("mllab.owner.pid"), "12");
  EXPECT_EQ(stored->tags.at("mllab.owner.start"), "99");
  EXPECT_EQ(stored->tags.at(kRunNameTag), "a");
}

TEST_F(RunOwnerTest, RunsOfGoneOwnersBecomeKilledOthersAreLeftAlone) {
  tracking::Run dead = start("dead", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}});
  tracking::Run alive = start("alive", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "13"}});
  tracking::Run other_host = start("other", {{"mllab.owner.host", "elsewhere"}, {"mllab.owner.pid", "12"}});
  tracking::Run no_owner = start("unowned", {});
  tracking::Run finished = start("finished", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}});
  ASSERT_TRUE(client_.end_run(finished.run_id, {}, RunStatus::kFinished, 2000).is_ok());
  tracking::Run deleted = start("deleted", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}});
  ASSERT_TRUE(client_.delete_run(deleted.run_id).is_ok());
  dead_ = {"12"};

  auto killed = client_.kill_runs_of_gone_owners(predicate(), 5000);
  ASSERT_TRUE(killed.is_ok()) << killed.status().to_string();
  std::set<std::string> ids(killed->begin(), killed->end());
  EXPECT_EQ(ids, (std::set<std::string>{dead.run_id, deleted.run_id}));

  auto d = client_.get_run(dead.run_id);
  EXPECT_EQ(d->status, RunStatus::kKilled);
  EXPECT_EQ(d->end_time, 5000);
  EXPECT_EQ(d->tags.at(kKilledReasonTag), "process 12 on host h has exited");
  EXPECT_EQ(client_.get_run(deleted.run_id)->status, RunStatus::kKilled);
  EXPECT_EQ(client_.get_run(deleted.run_id)->lifecycle_stage, "deleted");
  EXPECT_EQ(client_.get_run(alive.run_id)->status, RunStatus::kRunning);
  EXPECT_EQ(client_.get_run(other_host.run_id)->status, RunStatus::kRunning);
  EXPECT_EQ(client_.get_run(no_owner.run_id)->status, RunStatus::kRunning);
  EXPECT_FALSE(client_.get_run(no_owner.run_id)->tags.count(kKilledReasonTag));
  auto f = client_.get_run(finished.run_id);
  EXPECT_EQ(f->status, RunStatus::kFinished);
  EXPECT_EQ(f->end_time, 2000);
  // The predicate saw only owner tags, and never a run without them or one that had ended.
  EXPECT_EQ(calls_.size(), 4u);
  for (const auto& c : calls_) {
    for (const auto& [k, v] : c) EXPECT_EQ(k.rfind(kOwnerTagPrefix, 0), 0u) << k;
  }
}

TEST_F(RunOwnerTest, ARunItsOwnerFinishedJustBeforeExitingStaysFinished) {
  // The reaper lists the run RUNNING; before it judges the owner, the owner finishes the run and
  // exits (the CLI concurrency test met this: "printed FINISHED but is stored KILLED").
  tracking::Run r = start("racing", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}});
  OwnerGone finishes_then_exits = [&](const Tags& owner) -> std::optional<std::string> {
    EXPECT_TRUE(client_.end_run(r.run_id, {}, RunStatus::kFinished, 2000).is_ok());
    dead_ = {"12"};
    return predicate()(owner);
  };
  auto killed = client_.kill_runs_of_gone_owners(finishes_then_exits, 5000);
  ASSERT_TRUE(killed.is_ok()) << killed.status().to_string();
  EXPECT_TRUE(killed->empty());
  auto stored = client_.get_run(r.run_id);
  EXPECT_EQ(stored->status, RunStatus::kFinished);
  EXPECT_EQ(stored->end_time, 2000);
  EXPECT_FALSE(stored->tags.count(kKilledReasonTag));
}

TEST_F(RunOwnerTest, NothingGoneWritesNothing) {
  start("alive", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "13"}});
  std::map<std::string, std::string> before;
  for (const auto& k : store_.keys("")) before[k] = *store_.get(k);
  auto killed = client_.kill_runs_of_gone_owners(predicate(), 5000);
  ASSERT_TRUE(killed.is_ok());
  EXPECT_TRUE(killed->empty());
  std::map<std::string, std::string> after;
  for (const auto& k : store_.keys("")) after[k] = *store_.get(k);
  EXPECT_EQ(before, after);
}

TEST_F(RunOwnerTest, EndTimeNeverPrecedesTheStart) {
  tracking::Run dead = start("dead", {{"mllab.owner.host", "h"}, {"mllab.owner.pid", "12"}});
  dead_ = {"12"};
  ASSERT_TRUE(client_.kill_runs_of_gone_owners(predicate(), 10).is_ok());  // a clock behind the start
  EXPECT_EQ(client_.get_run(dead.run_id)->end_time, 1000);
}

}  // namespace
}  // namespace mllab::tracking
