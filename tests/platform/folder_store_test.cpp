// FolderStore beyond the shared contract: hashed file names for long / unusual key segments,
// commits that fail midway and are undone, recovery of journals left by stopped processes (with
// notes), read-only opens that write nothing, stale staging, and many processes (fork) at once.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "platform/folder_store.hpp"

namespace mllab {
namespace {

namespace fs = std::filesystem;
using platform::FolderStore;
using store::Batch;
using Snapshot = std::map<std::string, std::string>;

Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = s.get(k).value_or("<unreadable>");
  return out;
}

void write_text(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

// Every file and folder under `root` (relative), to compare a store byte for byte.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = e.path().lexically_relative(root).generic_string();
    if (e.is_directory()) {
      out[rel + "/"] = "";
    } else {
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      out[rel] = ss.str();
    }
  }
  return out;
}

class FolderStoreFiles : public ::testing::Test {
 protected:
  FolderStoreFiles() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() /
            ("mllab-folder-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(root_);
  }
  ~FolderStoreFiles() override { fs::remove_all(root_); }
  std::unique_ptr<FolderStore> open(FolderStore::Mode mode = FolderStore::Mode::kReadWrite) {
    auto s = FolderStore::open(root_, mode);
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s ? std::move(s).value() : nullptr;
  }
  void commit_ok(store::Store& s, std::initializer_list<std::pair<std::string, std::string>> puts) {
    Batch b;
    for (const auto& [k, v] : puts) b.put(k, v);
    Status st = s.commit(b);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }
  // The journals and staging folders a store holds (none once every commit is done).
  std::vector<std::string> bookkeeping() {
    std::vector<std::string> out;
    for (const char* dir : {".journals", ".staging", ".tmp"}) {
      if (!fs::exists(root_ / dir)) continue;
      for (const auto& e : fs::directory_iterator(root_ / dir)) out.push_back(e.path().lexically_relative(root_).string());
    }
    if (fs::exists(root_ / ".journal.json")) out.push_back(".journal.json");
    return out;
  }
  fs::path root_;
};

TEST_F(FolderStoreFiles, OrdinaryKeysKeepTheirFileNamesOthersAreHashed) {
  auto s = open();
  ASSERT_TRUE(s);
  const std::string long_seg(256, 'L');
  commit_ok(*s, {{"runs/abc", "1"}, {"datasets/" + long_seg, "2"}, {"datasets/donn\xc3\xa9" "es", "3"},
                 {"datasets/two words", "4"}});
  EXPECT_EQ(s->path_of("runs/abc"), root_ / "runs" / "abc") << "the layout of existing stores is kept";
  EXPECT_TRUE(fs::is_regular_file(root_ / "runs" / "abc"));
  for (const std::string& k : {"datasets/" + long_seg, std::string("datasets/donn\xc3\xa9" "es"),
                               std::string("datasets/two words")}) {
    const fs::path p = s->path_of(k);
    const std::string name = p.filename().string();
    EXPECT_EQ(name[0], '~') << k;
    EXPECT_LE(name.size(), 64u);
    EXPECT_TRUE(fs::is_regular_file(p)) << k;
    // The real segment is kept beside it.
    std::ifstream side(p.parent_path() / ("." + name), std::ios::binary);
    std::string real((std::istreambuf_iterator<char>(side)), std::istreambuf_iterator<char>());
    EXPECT_EQ(real, k.substr(k.find('/') + 1));
  }
  EXPECT_EQ(s->keys("datasets/"), (std::vector<std::string>{"datasets/" + long_seg, "datasets/donn\xc3\xa9" "es",
                                                            "datasets/two words"}));
}

TEST_F(FolderStoreFiles, AStoreWrittenByAnOlderMllabReadsUnchanged) {
  write_text(root_ / "runs" / "abc", "old run");
  write_text(root_ / "experiments" / "0", "default");
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(snapshot(*s), (Snapshot{{"experiments/0", "default"}, {"runs/abc", "old run"}}));
}

// The failure of issue 9: a commit whose file name was too long left the old journal behind and
// every later open failed. Such a journal (old format) is now finished on open, with a note.
TEST_F(FolderStoreFiles, TheJournalThatBrickedAStoreIsFinishedOnOpen) {
  const std::string name(256, 'n');
  write_text(root_ / "blobs" / "d1", "csv bytes");  // applied before the failure
  write_text(root_ / ".tmp" / "batch-1", "{\"name\": \"n...\"}");
  nlohmann::json journal = {{"schema", "mllab.store_journal"},
                            {"schema_version", 1},
                            {"writes", {{{"key", "blobs/d1"}, {"tmp", "batch-0"}},
                                        {{"key", "datasets/" + name}, {"tmp", "batch-1"}},
                                        {{"key", "datasets/" + std::string(10000, 'x')}, {"tmp", "batch-2"}}}}};
  write_text(root_ / ".journal.json", journal.dump());
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->notes().size(), 1u);
  // The 10,000-byte key is no valid key: that journal cannot be read, and is set aside.
  EXPECT_NE(s->notes()[0].find("set aside the journal .journal.json"), std::string::npos) << s->notes()[0];
  EXPECT_NE(s->notes()[0].find("longer than 2048 bytes"), std::string::npos) << s->notes()[0];
  EXPECT_EQ(s->get("blobs/d1"), "csv bytes");
  commit_ok(*s, {{"runs/after", "ok"}});
  s.reset();
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());

  // Without the impossible key, the same journal is finished.
  fs::remove_all(root_);
  write_text(root_ / ".tmp" / "batch-1", "record");
  journal["writes"].erase(2);
  write_text(root_ / ".journal.json", journal.dump());
  auto s2 = open();
  ASSERT_TRUE(s2);
  ASSERT_EQ(s2->notes().size(), 1u);
  EXPECT_NE(s2->notes()[0].find("finished an interrupted commit of 2 writes"), std::string::npos) << s2->notes()[0];
  EXPECT_EQ(s2->get("datasets/" + name), "record");
  EXPECT_EQ(s2->keys("datasets/"), std::vector<std::string>{"datasets/" + name});
  EXPECT_TRUE(bookkeeping().empty());
}

// A commit that fails while it is being applied (here: a key's file is taken by a folder the
// store does not know) is undone: every file is as before, no journal or staging is left, the
// message says so, and the store keeps working.
TEST_F(FolderStoreFiles, CommitFailingMidwayIsUndoneCompletely) {
  auto s = open();
  ASSERT_TRUE(s);
  commit_ok(*s, {{"a", "old a"}, {"b", "old b"}, {"d/e", "old e"}, {"long/" + std::string(300, 'q'), "old q"}});
  write_text(root_ / "x" / ".keep", "not a key");  // "x" cannot become a file
  const auto before = tree(root_);
  Batch b;
  b.put("a", "new a");
  b.erase("b");
  b.put("c", "new c");
  b.erase("d/e");
  b.put("d", "d replaces its folder");
  b.put("long/" + std::string(300, 'q'), "new q");
  b.put("x", "fails");
  Status st = s->commit(b);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kStorageError);
  EXPECT_NE(st.message().find("undone, nothing was changed"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find((root_ / "x").string()), std::string::npos) << st.message();
  auto after = tree(root_);
  after.erase(".lock");
  auto expected = before;
  expected.erase(".lock");
  // The process's own (empty) staging folder may remain while the store is open.
  for (auto it = after.begin(); it != after.end();) {
    if (it->first.rfind(".staging/", 0) == 0 && it->second.empty()) it = after.erase(it);
    else ++it;
  }
  for (auto it = expected.begin(); it != expected.end();) {
    if (it->first.rfind(".staging/", 0) == 0 && it->second.empty()) it = expected.erase(it);
    else ++it;
  }
  after.erase(".journals/");
  expected.erase(".journals/");
  EXPECT_EQ(after, expected);
  fs::remove_all(root_ / "x");
  commit_ok(*s, {{"x", "now fine"}});
  EXPECT_EQ(s->get("x"), "now fine");
  EXPECT_EQ(s->get("b"), "old b");
  s.reset();
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());
}

#ifndef __EMSCRIPTEN__
// A commit that fails while staging (the file size limit stops the third value): nothing changes.
TEST_F(FolderStoreFiles, CommitFailingWhileStagingChangesNothing) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    commit_ok(*s, {{"a", "old a"}, {"b", "old b"}});
  }
  const Snapshot before = [&] { auto s = open(); return snapshot(*s); }();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    auto s = FolderStore::open(root_);
    if (!s) ::_exit(3);
    Batch b;
    b.put("a", "new a");
    b.put("b", "new b");
    b.put("c", std::string(100000, 'c'));
    Status st = (*s)->commit(b);
    ::_exit(st.is_ok() ? 0 : st.message().find("nothing was changed") != std::string::npos ? 1 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "the commit must fail with a message saying nothing changed";
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->notes().empty());
  EXPECT_EQ(snapshot(*s), before);
}
#endif

// A process that stopped after its commit point: a reader (read-only) sees its commit whole and
// leaves every file in place; the next writer finishes it and removes its staging folder.
TEST_F(FolderStoreFiles, InterruptedCommitOfAStoppedProcessIsFinished) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    commit_ok(*s, {{"a", "old a"}, {"gone", "g"}});
  }
  write_text(root_ / ".staging" / "999-dead.lock", "");
  write_text(root_ / ".staging" / "999-dead" / "c1-1", "new a");
  write_text(root_ / ".staging" / "999-dead" / "c1-2", "new n");
  nlohmann::json journal = {
      {"schema", "mllab.store_journal"}, {"schema_version", 2}, {"state", "apply"},
      {"writes", {{{"key", "gone"}, {"put", false}, {"backup", ".staging/999-dead/c1-0.old"}, {"had_old", true}},
                  {{"key", "a"}, {"put", true}, {"staged", ".staging/999-dead/c1-1"},
                   {"backup", ".staging/999-dead/c1-1.old"}, {"had_old", true}},
                  {{"key", "n/\xc3\xa9"}, {"put", true}, {"staged", ".staging/999-dead/c1-2"},
                   {"backup", ".staging/999-dead/c1-2.old"}, {"had_old", false}}}}};
  write_text(root_ / ".journals" / "999-dead.json", journal.dump());
  const auto files_before = tree(root_);
  {
    auto r = open(FolderStore::Mode::kReadOnly);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->notes().size(), 1u);
    EXPECT_NE(r->notes()[0].find("unfinished commit"), std::string::npos) << r->notes()[0];
    // The reader sees the commit whole, as it will be once finished, and touches nothing.
    EXPECT_EQ(snapshot(*r), (Snapshot{{"a", "new a"}, {"n/\xc3\xa9", "new n"}}));
    EXPECT_EQ(r->keys("n/"), std::vector<std::string>{"n/\xc3\xa9"});
    EXPECT_EQ(r->get("gone"), std::nullopt);
    Batch b;
    b.put("a", "from a reader");
    EXPECT_FALSE(r->commit(b).is_ok());
    EXPECT_EQ(tree(root_), files_before) << "a read-only open changed the folder";
  }
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->notes().size(), 1u);
  EXPECT_NE(s->notes()[0].find("finished an interrupted commit of 3 writes"), std::string::npos) << s->notes()[0];
  EXPECT_EQ(snapshot(*s), (Snapshot{{"a", "new a"}, {"n/\xc3\xa9", "new n"}}));
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());
}

// A commit that was being undone when its process stopped is undone, with the backups.
TEST_F(FolderStoreFiles, InterruptedRollbackIsFinished) {
  write_text(root_ / "a", "new a");                                  // applied
  write_text(root_ / ".staging" / "7-x" / "c-0.old", "old a");       // its backup
  write_text(root_ / "n", "new n");                                  // a new key, applied
  write_text(root_ / ".staging" / "7-x" / "c-2.old", "old b");       // "b" was erased
  nlohmann::json journal = {
      {"schema", "mllab.store_journal"}, {"schema_version", 2}, {"state", "rollback"},
      {"writes", {{{"key", "a"}, {"put", true}, {"staged", ".staging/7-x/c-0"}, {"backup", ".staging/7-x/c-0.old"},
                   {"had_old", true}},
                  {{"key", "n"}, {"put", true}, {"staged", ".staging/7-x/c-1"}, {"backup", ".staging/7-x/c-1.old"},
                   {"had_old", false}},
                  {{"key", "b"}, {"put", false}, {"backup", ".staging/7-x/c-2.old"}, {"had_old", true}}}}};
  write_text(root_ / ".journals" / "7-x.json", journal.dump());
  {
    auto r = open(FolderStore::Mode::kReadOnly);
    ASSERT_TRUE(r);
    EXPECT_EQ(snapshot(*r), (Snapshot{{"a", "old a"}, {"b", "old b"}})) << "a reader sees the commit undone";
  }
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_EQ(s->notes().size(), 1u);
  EXPECT_NE(s->notes()[0].find("undid an interrupted commit of 3 writes"), std::string::npos) << s->notes()[0];
  EXPECT_EQ(snapshot(*s), (Snapshot{{"a", "old a"}, {"b", "old b"}}));
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());
}

TEST_F(FolderStoreFiles, ReadOnlyOpenOfAMissingStoreCreatesNothing) {
  auto s = open(FolderStore::Mode::kReadOnly);
  ASSERT_TRUE(s);
  EXPECT_FALSE(fs::exists(root_));
  EXPECT_EQ(s->get("runs/a"), std::nullopt);
  EXPECT_TRUE(s->keys("").empty());
  Batch b;
  b.put("runs/a", "1");
  Status st = s->commit(b);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("read-only"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(root_));
}

TEST_F(FolderStoreFiles, ReadOnlyOpenSeesWhatAWriterCommitsLater) {
  auto w = open();
  ASSERT_TRUE(w);
  auto r = open(FolderStore::Mode::kReadOnly);
  ASSERT_TRUE(r);
  commit_ok(*w, {{"runs/x", "1"}});
  EXPECT_EQ(r->get("runs/x"), "1");
  EXPECT_EQ(r->keys("runs/"), std::vector<std::string>{"runs/x"});
}

#ifndef __EMSCRIPTEN__  // Emscripten's flock() always succeeds: one process, no staging to tell apart
// Staging of a stopped process (its lock file is not locked) is removed; a live one is kept.
TEST_F(FolderStoreFiles, StaleStagingIsRemovedLiveStagingKept) {
  auto live = open();
  ASSERT_TRUE(live);
  commit_ok(*live, {{"a", "1"}});  // creates its staging, flocked while `live` exists
  write_text(root_ / ".staging" / "12-dead.lock", "");
  write_text(root_ / ".staging" / "12-dead" / "c-0", "staged by a stopped process");
  write_text(root_ / ".staging" / "13-nolock" / "c-0", "x");
  auto other = open();
  ASSERT_TRUE(other);
  EXPECT_FALSE(fs::exists(root_ / ".staging" / "12-dead"));
  EXPECT_FALSE(fs::exists(root_ / ".staging" / "12-dead.lock"));
  EXPECT_FALSE(fs::exists(root_ / ".staging" / "13-nolock"));
  size_t live_locks = 0;
  for (const auto& e : fs::directory_iterator(root_ / ".staging")) live_locks += e.path().extension() == ".lock";
  EXPECT_EQ(live_locks, 1u) << "the live store's staging was removed";
  commit_ok(*live, {{"b", "2"}});
  commit_ok(*other, {{"c", "3"}});
  EXPECT_EQ(snapshot(*other), (Snapshot{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  live.reset();
  other.reset();
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());
}
#endif

#ifndef __EMSCRIPTEN__
// Many processes committing at once while this one reads: every batch lands whole (a reader
// never sees one half of a batch), nothing is lost, no journal or staging is left.
TEST_F(FolderStoreFiles, ManyProcessesCommitAtOnce) {
  ASSERT_TRUE(open());
  const int kWriters = 4, kCommits = 30;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = FolderStore::open(root_);
      if (!s) ::_exit(3);
      for (int c = 0; c < kCommits; ++c) {
        const std::string v = std::to_string(w) + "." + std::to_string(c);
        Batch b;
        b.put("w" + std::to_string(w) + "/" + std::to_string(c) + "/a", v);
        b.put("w" + std::to_string(w) + "/" + std::to_string(c) + "/b", v);
        b.put("shared/last", v);
        if (!(*s)->commit(b).is_ok()) ::_exit(4);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  int torn = 0, reads = 0;
  auto reader = open(FolderStore::Mode::kReadOnly);
  ASSERT_TRUE(reader);
  auto all_done = [&] {
    for (pid_t& p : pids) {
      if (p == 0) continue;
      int status = 0;
      if (::waitpid(p, &status, WNOHANG) == p) {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer exited with " << status;
        p = 0;
      }
    }
    for (pid_t p : pids) if (p != 0) return false;
    return true;
  };
  bool done = false;
  while (!done) {
    done = all_done();
    for (const auto& k : reader->keys("w")) {
      if (k.size() < 2 || k.substr(k.size() - 2) != "/a") continue;
      ++reads;
      auto a = reader->get(k);
      auto b = reader->get(k.substr(0, k.size() - 1) + "b");
      if (!a || !b || *a != *b) ++torn;
    }
  }
  EXPECT_EQ(torn, 0) << "a reader saw part of a batch";
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->keys("w").size(), size_t(kWriters * kCommits * 2));
  EXPECT_TRUE(s->notes().empty());
  s.reset();
  EXPECT_TRUE(bookkeeping().empty()) << ::testing::PrintToString(bookkeeping());
  std::printf("%d processes x %d commits: %zu keys, %d whole-batch reads, 0 torn\n", kWriters, kCommits,
              size_t(kWriters * kCommits * 2), reads);
}
#endif

}  // namespace
}  // namespace mllab
