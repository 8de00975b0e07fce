// Run owners natively (a process's host, pid, start time and boot id judged through /proc) and
// Lab::reap_orphaned_runs with them; in WebAssembly (no processes to judge) nothing is recorded.
#include "platform/run_owner.hpp"

#include <gtest/gtest.h>

#include "core/store/store.hpp"
#include "platform/lab.hpp"

#if defined(__EMSCRIPTEN__)
namespace mllab::platform {
namespace {
TEST(ProcessOwner, WebAssemblyRecordsAndJudgesNothing) {
  EXPECT_TRUE(this_process().host.empty());
  RunOwnership o = process_ownership();
  EXPECT_TRUE(o.tags.empty());
  EXPECT_FALSE(o.gone);
}
}  // namespace
}  // namespace mllab::platform
#else
#include <sys/wait.h>
#include <unistd.h>

namespace mllab::platform {
namespace {

// A pid that surely ran and has exited (a child that exited and was reaped).
long long exited_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

TEST(ProcessOwner, ThisProcessIsIdentifiedAndAlive) {
  ProcessIdentity self = this_process();
  ASSERT_FALSE(self.host.empty());
  EXPECT_EQ(self.pid, static_cast<long long>(getpid()));
  EXPECT_FALSE(self.start.empty());
  auto tags = owner_tags(self);
  EXPECT_EQ(tags.at("mllab.owner.pid"), std::to_string(getpid()));
  EXPECT_EQ(tags.at("mllab.owner.start"), self.start);
  EXPECT_EQ(process_owner_gone(tags, self), std::nullopt);
}

TEST(ProcessOwner, ParentProcessIsAliveWithItsOwnStartTime) {
  ProcessIdentity self = this_process();
  ProcessIdentity parent = self;
  parent.pid = getppid();
  parent.start = process_start_time(parent.pid);
  ASSERT_FALSE(parent.start.empty());
  EXPECT_EQ(process_owner_gone(owner_tags(parent), self), std::nullopt);
}

TEST(ProcessOwner, ExitedProcessIsGone) {
  ProcessIdentity self = this_process();
  ProcessIdentity dead = self;
  dead.pid = exited_pid();
  dead.start = "12345";
  auto reason = process_owner_gone(owner_tags(dead), self);
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(*reason, "process " + std::to_string(dead.pid) + " on host " + self.host + " has exited");
}

TEST(ProcessOwner, AReusedPidIsNotTakenForTheOwner) {
  ProcessIdentity self = this_process();
  ProcessIdentity earlier = self;
  earlier.pid = getppid();  // alive, but started at another time than the recorded owner
  earlier.start = "1";
  auto reason = process_owner_gone(owner_tags(earlier), self);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("pid is reused"), std::string::npos) << *reason;
  earlier.pid = self.pid;
  EXPECT_TRUE(process_owner_gone(owner_tags(earlier), self).has_value());
}

TEST(ProcessOwner, ARestartedMachineEndedEveryOwner) {
  ProcessIdentity self = this_process();
  ASSERT_FALSE(self.boot_id.empty());
  ProcessIdentity before = self;
  before.boot_id = "another-boot";
  auto reason = process_owner_gone(owner_tags(before), self);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("restarted"), std::string::npos) << *reason;
}

TEST(ProcessOwner, OwnersOfAnotherHostOrWithoutPidAreNotJudged) {
  ProcessIdentity self = this_process();
  ProcessIdentity other = self;
  other.host = self.host + "-elsewhere";
  other.pid = exited_pid();
  EXPECT_EQ(process_owner_gone(owner_tags(other), self), std::nullopt);
  EXPECT_EQ(process_owner_gone({{"mllab.owner.host", self.host}}, self), std::nullopt);
  EXPECT_EQ(process_owner_gone({{"mllab.owner.host", self.host}, {"mllab.owner.pid", "12x"}}, self), std::nullopt);
  EXPECT_EQ(process_owner_gone({{"mllab.owner.session", "abc"}}, self), std::nullopt);
}

TEST(ProcessOwner, LabReapsRunsOfExitedProcessesOnly) {
  Lab lab(std::make_unique<store::MemoryStore>(), MLLAB_SOURCE_DIR);
  ProcessIdentity self = this_process();
  ProcessIdentity dead = self;
  dead.pid = exited_pid();
  auto exp = lab.tracking().get_or_create_experiment("e");
  ASSERT_TRUE(exp.is_ok());
  // A run of the exited process (its ownership as it was then), one of this process, one unowned.
  lab.tracking().set_owner_tags(owner_tags(dead));
  auto orphan = lab.tracking().create_run(exp->experiment_id, "orphan", 1);
  lab.set_run_ownership(process_ownership());
  auto mine = lab.tracking().create_run(exp->experiment_id, "mine", 2);
  lab.tracking().set_owner_tags({});
  auto unowned = lab.tracking().create_run(exp->experiment_id, "unowned", 3);
  ASSERT_TRUE(orphan.is_ok() && mine.is_ok() && unowned.is_ok());
  EXPECT_EQ(mine->tags.at("mllab.owner.pid"), std::to_string(getpid()));

  auto killed = lab.reap_orphaned_runs();
  ASSERT_TRUE(killed.is_ok()) << killed.status().to_string();
  EXPECT_EQ(*killed, std::vector<std::string>{orphan->run_id});
  auto o = lab.tracking().get_run(orphan->run_id);
  EXPECT_EQ(o->status, tracking::RunStatus::kKilled);
  EXPECT_TRUE(o->end_time.has_value());
  EXPECT_NE(o->tags.at(tracking::kKilledReasonTag).find("has exited"), std::string::npos);
  EXPECT_EQ(lab.tracking().get_run(mine->run_id)->status, tracking::RunStatus::kRunning);
  EXPECT_EQ(lab.tracking().get_run(unowned->run_id)->status, tracking::RunStatus::kRunning);
  // A second pass finds nothing more.
  EXPECT_TRUE(lab.reap_orphaned_runs()->empty());
}

TEST(ProcessOwner, ALabWithoutOwnershipJudgesNothing) {
  Lab lab(std::make_unique<store::MemoryStore>(), MLLAB_SOURCE_DIR);
  ProcessIdentity dead = this_process();
  dead.pid = exited_pid();
  lab.tracking().set_owner_tags(owner_tags(dead));
  auto exp = lab.tracking().get_or_create_experiment("e");
  auto orphan = lab.tracking().create_run(exp->experiment_id, "orphan", 1);
  ASSERT_TRUE(orphan.is_ok());
  EXPECT_TRUE(lab.reap_orphaned_runs()->empty());
  EXPECT_EQ(lab.tracking().get_run(orphan->run_id)->status, tracking::RunStatus::kRunning);
}

}  // namespace
}  // namespace mllab::platform
#endif
