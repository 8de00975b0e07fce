// The Store contract, run against every implementation (MemoryStore, FolderStore, IdbStore over
// the fake IndexedDB bridge), plus tests specific to FolderStore (journal replay) and IdbStore
// (deferred transactions and rollback).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/store/store.hpp"
#include "platform/folder_store.hpp"
#include "platform/web/idb_bridge_fake.hpp"
#include "platform/web/idb_store.hpp"

namespace mllab {
namespace {

namespace fs = std::filesystem;
using store::Batch;
using store::Store;
using Snapshot = std::map<std::string, std::string>;

// Every key and value of a store.
Snapshot snapshot(const Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) {
    auto v = s.get(k);
    EXPECT_TRUE(v.has_value()) << "key listed but not readable: " << k;
    if (v) out[k] = *v;
  }
  return out;
}

// A fresh, unique folder under the system temp folder, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("mllab-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

// ---- Backends: how each implementation is created and re-opened ----

class MemoryBackend {
 public:
  Store& store() { return store_; }
  bool reopen() { return true; }

 private:
  store::MemoryStore store_;
};

class FolderBackend {
 public:
  FolderBackend() { reopen(); }
  Store& store() { return *store_; }
  // A new instance over the same folder; false (and a test failure) if it cannot be opened.
  bool reopen() {
    store_.reset();
    auto s = platform::FolderStore::open(dir_.path());
    if (!s) {
      ADD_FAILURE() << "FolderStore::open failed: " << s.status().to_string();
      return false;
    }
    store_ = std::move(s).value();
    return true;
  }

 private:
  TempDir dir_;
  std::unique_ptr<platform::FolderStore> store_;
};

class IdbBackend {
 public:
  IdbBackend() {
    platform::fake_idb::reset();
    store_ = platform::IdbStore::open();
  }
  ~IdbBackend() {
    store_.reset();
    platform::fake_idb::reset();
  }
  Store& store() { return *store_; }
  // A new instance loading from the same fake database (the old one is closed first: only one
  // IdbStore exists at a time).
  bool reopen() {
    store_.reset();
    store_ = platform::IdbStore::open();
    return true;
  }

 private:
  std::unique_ptr<platform::IdbStore> store_;
};

template <typename B>
class StoreContractTest : public ::testing::Test {
 public:  // used by helper functions shared between typed tests
  Store& s() { return backend_.store(); }
  // Commits `b` and expects success.
  void commit_ok(const Batch& b) {
    Status st = s().commit(b);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }
  void put(const std::string& k, const std::string& v) {
    Batch b;
    b.put(k, v);
    commit_ok(b);
  }
  B backend_;
};

using Backends = ::testing::Types<MemoryBackend, FolderBackend, IdbBackend>;

class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, MemoryBackend>) return "Memory";
    if (std::is_same_v<T, FolderBackend>) return "Folder";
    return "Idb";
  }
};

TYPED_TEST_SUITE(StoreContractTest, Backends, BackendNames);

TYPED_TEST(StoreContractTest, MissingKeyIsNullopt) {
  EXPECT_EQ(this->s().get("nothing"), std::nullopt);
  EXPECT_EQ(this->s().get("runs/nothing"), std::nullopt);
  EXPECT_TRUE(this->s().keys("").empty());
  this->put("runs/a", "1");
  EXPECT_EQ(this->s().get("runs/b"), std::nullopt);
  EXPECT_EQ(this->s().get("runs"), std::nullopt) << "a folder-like prefix is not a key";
  EXPECT_EQ(this->s().get("runs/a/b"), std::nullopt);
}

TYPED_TEST(StoreContractTest, PutGetRoundTrip) {
  this->put("a", "hello");
  this->put("x/y/z.json", "{\"k\": 1}");
  this->put("empty", "");
  EXPECT_EQ(this->s().get("a"), "hello");
  EXPECT_EQ(this->s().get("x/y/z.json"), "{\"k\": 1}");
  ASSERT_TRUE(this->s().get("empty").has_value()) << "an empty value is still a value";
  EXPECT_EQ(*this->s().get("empty"), "");
  this->put("a", "overwritten");
  EXPECT_EQ(this->s().get("a"), "overwritten");
}

TYPED_TEST(StoreContractTest, BinaryValuesWithNulsAndAllByteValues) {
  std::string bin;
  for (int i = 0; i < 512; ++i) bin += static_cast<char>(i & 0xff);
  bin += std::string(3, '\0');
  bin += "\r\n\r";
  this->put("blobs/bin", bin);
  auto got = this->s().get("blobs/bin");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size(), bin.size());
  EXPECT_EQ(*got, bin);
}

TYPED_TEST(StoreContractTest, OneMegabyteValue) {
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  this->put("blobs/big", big);
  auto got = this->s().get("blobs/big");
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), big.size());
  EXPECT_TRUE(*got == big);
}

TYPED_TEST(StoreContractTest, KeysAreSortedAndPrefixExact) {
  Batch b;
  for (const char* k : {"runs/b", "runs/ab", "runs/a", "runs/x/y", "runs/x/a/b", "runsx", "run",
                        "metrics/a/00000001", "metrics/a/00000000", "metrics/ab/00000000"}) {
    b.put(k, k);
  }
  this->commit_ok(b);
  using V = std::vector<std::string>;
  EXPECT_EQ(this->s().keys("runs/"), (V{"runs/a", "runs/ab", "runs/b", "runs/x/a/b", "runs/x/y"}));
  EXPECT_EQ(this->s().keys("runs/a"), (V{"runs/a", "runs/ab"}));
  EXPECT_EQ(this->s().keys("runs/ab"), (V{"runs/ab"}));
  EXPECT_EQ(this->s().keys("runs/x/"), (V{"runs/x/a/b", "runs/x/y"}));
  EXPECT_EQ(this->s().keys("runs/x/y"), (V{"runs/x/y"}));
  EXPECT_EQ(this->s().keys("runs"), (V{"runs/a", "runs/ab", "runs/b", "runs/x/a/b", "runs/x/y",
                                       "runsx"}));
  EXPECT_EQ(this->s().keys("metrics/a/"), (V{"metrics/a/00000000", "metrics/a/00000001"}));
  EXPECT_EQ(this->s().keys("nope/"), V{});
  EXPECT_EQ(this->s().keys("runs/c"), V{});
  V all = this->s().keys("");
  EXPECT_EQ(all.size(), 10u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(all.front(), "metrics/a/00000000");
  EXPECT_EQ(all.back(), "runsx");
}

TYPED_TEST(StoreContractTest, BatchAppliesWritesInOrder) {
  this->put("keep", "k");
  this->put("gone", "g");
  Batch b;
  b.put("a", "1");
  b.put("a", "2");          // later put wins
  b.put("tmp", "t");
  b.erase("tmp");           // put then erase in one batch: absent
  b.erase("gone");          // erase an existing key
  b.erase("never-existed");  // erasing a missing key is not an error
  b.erase("b");
  b.put("b", "back");       // erase then put: present
  this->commit_ok(b);
  EXPECT_EQ(this->s().get("a"), "2");
  EXPECT_EQ(this->s().get("tmp"), std::nullopt);
  EXPECT_EQ(this->s().get("gone"), std::nullopt);
  EXPECT_EQ(this->s().get("never-existed"), std::nullopt);
  EXPECT_EQ(this->s().get("b"), "back");
  EXPECT_EQ(this->s().get("keep"), "k");
  EXPECT_EQ(this->s().keys(""), (std::vector<std::string>{"a", "b", "keep"}));
}

TYPED_TEST(StoreContractTest, EmptyBatchIsOkAndChangesNothing) {
  this->put("a", "1");
  Snapshot before = snapshot(this->s());
  EXPECT_TRUE(this->s().commit(Batch()).is_ok());
  EXPECT_EQ(snapshot(this->s()), before);
}

TYPED_TEST(StoreContractTest, ValidKeyCharacters) {
  Batch b;
  const std::vector<std::string> keys = {"A-Z_a.z", "x@y:z=w+v", "0/1/2", "runs/abc123/tags.json", "a..b",
                                         "sp ace", "datasets/caf\xc3\xa9", "datasets/\xe9\xb8\xa2\xe5\xb0\xbe",
                                         "q\"uote/back\\slash", "~tilde/~x", "star*/q?"};
  for (const auto& k : keys) b.put(k, k);
  this->commit_ok(b);
  for (const auto& k : keys) {
    EXPECT_EQ(this->s().get(k), k);
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(this->s().keys(""), sorted);
  EXPECT_EQ(this->s().keys("datasets/"), (std::vector<std::string>{"datasets/caf\xc3\xa9",
                                                                   "datasets/\xe9\xb8\xa2\xe5\xb0\xbe"}));
  EXPECT_EQ(this->s().keys("~tilde/"), std::vector<std::string>{"~tilde/~x"});
}

// Segments longer than a file name may be (255 bytes), at any depth, and a key of the longest
// length allowed: stored, listed and read back, replaced and deleted.
TYPED_TEST(StoreContractTest, LongKeySegments) {
  const std::string seg256(256, 'n'), seg1k(1000, 'x');
  const std::string wide = [] { std::string w; for (int i = 0; i < 100; ++i) w += "\xe7\x8c\xab"; return w; }();
  const std::vector<std::string> keys = {"datasets/" + seg256, "artifacts/r/" + seg1k + "/model/" + seg256,
                                         "features/" + wide, std::string(store::kMaxKeyBytes, 'k')};
  Batch b;
  for (const auto& k : keys) b.put(k, "v:" + k.substr(0, 20));
  this->commit_ok(b);
  for (const auto& k : keys) EXPECT_EQ(this->s().get(k), "v:" + k.substr(0, 20));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(this->s().keys(""), sorted);
  EXPECT_EQ(this->s().keys("artifacts/r/" + seg1k + "/"),
            std::vector<std::string>{"artifacts/r/" + seg1k + "/model/" + seg256});
  EXPECT_EQ(this->s().keys("datasets/nnn"), std::vector<std::string>{"datasets/" + seg256});
  this->put("datasets/" + seg256, "replaced");
  EXPECT_EQ(this->s().get("datasets/" + seg256), "replaced");
  Batch del;
  del.erase("artifacts/r/" + seg1k + "/model/" + seg256);
  this->commit_ok(del);
  EXPECT_EQ(this->s().get("artifacts/r/" + seg1k + "/model/" + seg256), std::nullopt);
  EXPECT_EQ(this->s().keys("artifacts/"), std::vector<std::string>{});
  ASSERT_TRUE(this->backend_.reopen());
  EXPECT_EQ(this->s().get("datasets/" + seg256), "replaced");
  EXPECT_EQ(this->s().keys("").size(), 3u);
}

TYPED_TEST(StoreContractTest, InvalidKeysFailTheWholeBatchAndChangeNothing) {
  this->put("runs/a", "old");
  this->put("runs/del", "still here");
  const Snapshot before = snapshot(this->s());
  for (const char* bad : {"", "/a", "a/", "a//b", "../x", "a/../b", "a/./b", ".", "..", "tab\tkey",
                          "new\nline", "del\x7f", "caf\xe9", "runs/.hidden"}) {
    SCOPED_TRACE(std::string("key '") + bad + "'");
    EXPECT_FALSE(store::validate_key(bad).is_ok());
    Batch b;
    b.put("runs/a", "new");        // valid writes before ...
    b.erase("runs/del");
    b.put("runs/fresh", "fresh");
    b.put(bad, "x");               // ... the invalid one
    b.put("runs/after", "after");  // ... and after it
    Status st = this->s().commit(b);
    EXPECT_FALSE(st.is_ok());
    EXPECT_EQ(st.code(), ErrorCode::kInvalidParameterValue) << st.to_string();
    EXPECT_EQ(snapshot(this->s()), before);
    Batch erase_only;
    erase_only.erase("runs/del");
    erase_only.erase(bad);
    EXPECT_FALSE(this->s().commit(erase_only).is_ok());
    EXPECT_EQ(snapshot(this->s()), before);
  }
  ASSERT_TRUE(this->backend_.reopen());
  EXPECT_EQ(snapshot(this->s()), before) << "a refused batch must not reach durable storage";
}

TYPED_TEST(StoreContractTest, InvalidKeyErrorNamesTheKey) {
  Batch b;
  b.put("ok", "1");
  b.put("tab\tkey", "2");
  Status st = this->s().commit(b);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'tab\\tkey'"), std::string::npos) << st.message();
  EXPECT_EQ(this->s().get("ok"), std::nullopt);
}

TYPED_TEST(StoreContractTest, GetOfAnInvalidKeyIsNullopt) {
  // Must not read outside the store (FolderStore: no path traversal).
  this->put("x", "inside");
  EXPECT_EQ(this->s().get("../x"), std::nullopt);
  EXPECT_EQ(this->s().get("/x"), std::nullopt);
  EXPECT_EQ(this->s().get("a/../x"), std::nullopt);
  EXPECT_EQ(this->s().get("./x"), std::nullopt);
}

// A key cannot also be the "folder" of other keys ("a" and "a/b"): the folder store could not
// hold both, so every store refuses the batch, which must then change nothing, and the store
// stays usable and re-openable. (Found by this test: the folder store used to apply half the
// batch and leave a journal it could not replay.)
template <typename Fixture>
void check_prefix_clash(Fixture* t, const std::string& existing, const std::string& added) {
  t->put(existing, "existing");
  const Snapshot before = snapshot(t->s());
  Batch b;
  b.put("other/value", "1");
  b.put(added, "added");
  // Every store refuses a key that would also be the folder of another (store::check_batch),
  // so a batch means the same in the browser and on disk; the refused batch changes nothing.
  Status st = t->s().commit(b);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("clashes"), std::string::npos) << st.message();
  EXPECT_EQ(snapshot(t->s()), before) << "failed commit left a partial batch applied";
  // Whatever happened, the store can be re-opened and agrees with what was reported.
  const Snapshot now = snapshot(t->s());
  ASSERT_TRUE(t->backend_.reopen());
  EXPECT_EQ(snapshot(t->s()), now);
  // And it still accepts ordinary commits.
  t->put("later", "ok");
  EXPECT_EQ(t->s().get("later"), "ok");
}

TYPED_TEST(StoreContractTest, KeyThatIsAPathPrefixOfAnExistingKey) {
  check_prefix_clash(this, "art/model/pipeline.json", "art/model");
}

TYPED_TEST(StoreContractTest, KeyBelowAnExistingKey) {
  check_prefix_clash(this, "art/model", "art/model/pipeline.json");
}

// Segments may not start with '.': such keys are refused by validate_key, and a batch holding
// one fails as a whole (stores keep their own bookkeeping files under dot names).
TYPED_TEST(StoreContractTest, DotLeadingSegmentsAreRefused) {
  for (const char* k : {"a/.hidden", ".top", "...", "datasets/.hidden", ".journal.json", ".tmp/x"}) {
    EXPECT_FALSE(store::validate_key(k).is_ok()) << k;
  }
  this->put("kept", "1");
  const Snapshot before = snapshot(this->s());
  Batch b;
  b.put("fine", "f");
  b.put("datasets/.hidden", "d");
  Status st = this->s().commit(b);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("datasets/.hidden"), std::string::npos) << st.message();
  EXPECT_EQ(snapshot(this->s()), before);
}

// Keys that look like FolderStore's own bookkeeping files: every store refuses them (a store
// that accepted them silently lost them before keys were forbidden to start with '.').
TYPED_TEST(StoreContractTest, KeysNamedLikeStoreInternalsAreRefusedOrKept) {
  for (const char* key : {".journal.json", ".tmp/x"}) {
    SCOPED_TRACE(key);
    Batch b;
    b.put(key, "value");
    Status st = this->s().commit(b);
    if (!st.is_ok()) {
      EXPECT_EQ(this->s().get(key), std::nullopt);
      continue;
    }
    EXPECT_EQ(this->s().get(key), std::string("value"))
        << "commit reported success but the value is gone";
    ASSERT_TRUE(this->backend_.reopen());
    EXPECT_EQ(this->s().get(key), std::string("value")) << "value lost on re-open";
  }
}

// Persistence: only the stores that persist (MemoryStore does not) are re-opened.
template <typename Backend>
class PersistentStoreContractTest : public StoreContractTest<Backend> {};
using PersistentBackends = ::testing::Types<FolderBackend, IdbBackend>;
TYPED_TEST_SUITE(PersistentStoreContractTest, PersistentBackends, BackendNames);

TYPED_TEST(PersistentStoreContractTest, ReopenSeesEverythingCommitted) {
  std::string bin("\0\x01\xff\0", 4);
  Batch b;
  b.put("runs/a", "1");
  b.put("runs/x/y", bin);
  b.put("blobs/big", std::string(1 << 20, 'z'));
  b.put("to-delete", "d");
  this->commit_ok(b);
  Batch b2;
  b2.erase("to-delete");
  b2.put("runs/a", "2");
  this->commit_ok(b2);
  const Snapshot before = snapshot(this->s());
  ASSERT_EQ(before.size(), 3u);
  ASSERT_TRUE(this->backend_.reopen());
  EXPECT_EQ(snapshot(this->s()), before);
  EXPECT_EQ(this->s().get("runs/a"), "2");
  EXPECT_EQ(this->s().get("runs/x/y"), bin);
  EXPECT_EQ(this->s().get("to-delete"), std::nullopt);
  // And the re-opened store keeps working.
  this->put("after/reopen", "ok");
  ASSERT_TRUE(this->backend_.reopen());
  EXPECT_EQ(this->s().get("after/reopen"), "ok");
  EXPECT_EQ(this->s().get("runs/a"), "2");
}

// ---- FolderStore specifics ----

class FolderStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<platform::FolderStore> open() {
    auto s = platform::FolderStore::open(dir_.path());
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    if (!s) return nullptr;
    return std::move(s).value();
  }
  const fs::path& root() const { return dir_.path(); }
  TempDir dir_;
};

TEST_F(FolderStoreTest, OneFilePerKeyAndNoLeftoversAfterCommit) {
  auto s = open();
  ASSERT_TRUE(s);
  Batch b;
  b.put("runs/abc", "value");
  b.put("top", "t");
  ASSERT_TRUE(s->commit(b).is_ok());
  EXPECT_EQ(read_text(root() / "runs" / "abc"), "value");
  EXPECT_EQ(read_text(root() / "top"), "t");
  EXPECT_FALSE(fs::exists(root() / ".journal.json")) << "journal must be removed after applying";
  // The staging folder holds nothing once the commit is done.
  if (fs::exists(root() / ".tmp")) {
    EXPECT_TRUE(fs::is_empty(root() / ".tmp"));
  }
  EXPECT_NE(s->describe().find(root().string()), std::string::npos);
}

TEST_F(FolderStoreTest, LeftoverJournalIsReplayedOnOpen) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    Batch b;
    b.put("a", "old a");
    b.put("b", "old b");
    b.put("keep", "k");
    ASSERT_TRUE(s->commit(b).is_ok());
  }
  // Simulate a crash just after the commit point: staged temp files + the journal, nothing
  // applied yet. Format as written by FolderStore::commit.
  write_text(root() / ".tmp" / "crashbatch01-0", "new a");
  write_text(root() / ".tmp" / "crashbatch01-1", std::string("new\0nested", 10));
  nlohmann::json journal = {
      {"schema", "mllab.store_journal"},
      {"schema_version", 1},
      {"writes",
       {{{"key", "a"}, {"tmp", "crashbatch01-0"}},
        {{"key", "b"}},
        {{"key", "n/e/w"}, {"tmp", "crashbatch01-1"}}}}};
  write_text(root() / ".journal.json", journal.dump());

  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("a"), "new a");
  EXPECT_EQ(s->get("b"), std::nullopt);
  EXPECT_EQ(s->get("n/e/w"), std::string("new\0nested", 10));
  EXPECT_EQ(s->get("keep"), "k");
  EXPECT_EQ(s->keys(""), (std::vector<std::string>{"a", "keep", "n/e/w"}));
  EXPECT_FALSE(fs::exists(root() / ".journal.json"));
  EXPECT_FALSE(fs::exists(root() / ".tmp" / "crashbatch01-0"));
}

TEST_F(FolderStoreTest, PartlyAppliedJournalIsFinishedOnOpen) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    Batch b;
    b.put("a", "old a");
    b.put("b", "old b");
    ASSERT_TRUE(s->commit(b).is_ok());
  }
  // Crash in the middle of applying: "a" was already renamed into place (its temp file is
  // gone), "b" was not yet.
  write_text(root() / "a", "new a");
  write_text(root() / ".tmp" / "crashbatch02-1", "new b");
  nlohmann::json journal = {{"schema", "mllab.store_journal"},
                            {"schema_version", 1},
                            {"writes",
                             {{{"key", "a"}, {"tmp", "crashbatch02-0"}},
                              {{"key", "b"}, {"tmp", "crashbatch02-1"}}}}};
  write_text(root() / ".journal.json", journal.dump());
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("a"), "new a");
  EXPECT_EQ(s->get("b"), "new b");
  EXPECT_FALSE(fs::exists(root() / ".journal.json"));
}

TEST_F(FolderStoreTest, StagedFilesWithoutJournalAreDiscarded) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    Batch b;
    b.put("a", "committed");
    ASSERT_TRUE(s->commit(b).is_ok());
  }
  // Crash before the commit point: temp files staged, no journal. Nothing may change.
  write_text(root() / ".tmp" / "lostbatch001-0", "uncommitted");
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("a"), "committed");
  EXPECT_EQ(s->keys(""), std::vector<std::string>{"a"});
  EXPECT_FALSE(fs::exists(root() / ".tmp" / "lostbatch001-0"));
}

TEST_F(FolderStoreTest, TempAndJournalFilesAreNotListedAsKeys) {
  auto s = open();
  ASSERT_TRUE(s);
  Batch b;
  b.put("runs/a", "1");
  ASSERT_TRUE(s->commit(b).is_ok());
  // Files the store itself may leave or create: staging files and write_file_atomic temps.
  write_text(root() / ".tmp" / "stray-0", "x");
  write_text(root() / ".journal.json.tmp-deadbeef", "x");
  write_text(root() / ".tmp" / "runs" / "b", "x");
  std::vector<std::string> keys = s->keys("");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "runs/a"), 1);
  for (const auto& k : keys) {
    EXPECT_EQ(k.find(".tmp"), std::string::npos) << "temp file listed as key: " << k;
    EXPECT_EQ(k.find(".journal"), std::string::npos) << "journal listed as key: " << k;
  }
  EXPECT_EQ(s->keys(".tmp"), std::vector<std::string>{});
}

// open() never refuses a store over a journal it cannot read: it sets it aside and says so.
TEST_F(FolderStoreTest, CorruptJournalIsSetAsideWithANote) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    Batch b;
    b.put("kept", "k");
    ASSERT_TRUE(s->commit(b).is_ok());
  }
  write_text(root() / ".journal.json", "{not json");
  write_text(root() / ".journals" / "123-abc.json", "[1, 2");
  auto s = platform::FolderStore::open(root());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  ASSERT_EQ((*s)->notes().size(), 2u);
  for (const auto& n : (*s)->notes()) {
    EXPECT_NE(n.find("set aside the journal"), std::string::npos) << n;
    EXPECT_NE(n.find(root().string()), std::string::npos) << n;
  }
  EXPECT_NE((*s)->notes()[0].find(".journal.json"), std::string::npos) << (*s)->notes()[0];
  EXPECT_FALSE(fs::exists(root() / ".journal.json"));
  EXPECT_TRUE(fs::exists(root() / ".journal.json.discarded")) << "the unreadable journal is kept aside";
  EXPECT_EQ((*s)->get("kept"), "k");
  Batch b;
  b.put("later", "ok");
  EXPECT_TRUE((*s)->commit(b).is_ok());
  auto again = platform::FolderStore::open(root());
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE((*again)->notes().empty()) << "a set-aside journal is not reported twice";
  EXPECT_EQ((*again)->keys(""), (std::vector<std::string>{"kept", "later"}));
}

TEST_F(FolderStoreTest, OpenCreatesMissingFolders) {
  fs::path nested = root() / "deep" / "er" / "store";
  auto s = platform::FolderStore::open(nested);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_TRUE(fs::is_directory(nested));
}

TEST_F(FolderStoreTest, OpenOnAFileIsAnError) {
  write_text(root() / "plainfile", "x");
  auto s = platform::FolderStore::open(root() / "plainfile");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kStorageError);
}

// ---- IdbStore specifics (over the fake bridge) ----

class IdbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    platform::fake_idb::reset();
    store_ = platform::IdbStore::open();
    store_->set_error_listener([this](const Status& st) { errors_.push_back(st); });
  }
  void TearDown() override {
    store_.reset();
    platform::fake_idb::reset();
  }
  void reopen() {
    store_.reset();
    store_ = platform::IdbStore::open();
  }
  Status commit_puts(std::initializer_list<std::pair<const char*, const char*>> puts) {
    Batch b;
    for (const auto& [k, v] : puts) b.put(k, v);
    return store_->commit(b);
  }
  std::unique_ptr<platform::IdbStore> store_;
  std::vector<Status> errors_;
};

TEST_F(IdbStoreTest, OpenLoadsTheFakeDatabase) {
  ASSERT_TRUE(commit_puts({{"a", "1"}, {"b/c", "2"}}).is_ok());
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "1"}, {"b/c", "2"}}));
  reopen();
  EXPECT_EQ(snapshot(*store_), (Snapshot{{"a", "1"}, {"b/c", "2"}}));
  EXPECT_EQ(store_->pending_batches(), 0u);
}

TEST_F(IdbStoreTest, DeferredCommitIsVisibleAtOnceAndDurableAfterFlush) {
  platform::fake_idb::set_deferred(true);
  Batch b;
  b.put("a", "1");
  b.put("b", std::string("\0bin", 4));
  ASSERT_TRUE(store_->commit(b).is_ok());
  EXPECT_EQ(store_->get("a"), "1");
  EXPECT_EQ(store_->get("b"), std::string("\0bin", 4));
  EXPECT_EQ(store_->pending_batches(), 1u);
  EXPECT_TRUE(platform::fake_idb::records().empty());
  platform::fake_idb::flush();
  EXPECT_EQ(store_->pending_batches(), 0u);
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "1"}, {"b", std::string("\0bin", 4)}}));
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(store_->last_error(), "");
}

TEST_F(IdbStoreTest, SeveralPendingBatchesCompleteInOrder) {
  platform::fake_idb::set_deferred(true);
  ASSERT_TRUE(commit_puts({{"a", "1"}}).is_ok());
  ASSERT_TRUE(commit_puts({{"a", "2"}, {"b", "x"}}).is_ok());
  Batch del;
  del.erase("b");
  ASSERT_TRUE(store_->commit(del).is_ok());
  EXPECT_EQ(store_->pending_batches(), 3u);
  EXPECT_TRUE(platform::fake_idb::records().empty());
  platform::fake_idb::flush();
  EXPECT_EQ(store_->pending_batches(), 0u);
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "2"}}));
  EXPECT_EQ(snapshot(*store_), (Snapshot{{"a", "2"}}));
}

TEST_F(IdbStoreTest, FailedBatchIsRolledBackAndReported) {
  Batch init;
  init.put("overwritten", "before");
  init.put("deleted", "was here");
  init.put("untouched", "u");
  ASSERT_TRUE(store_->commit(init).is_ok());
  const Snapshot before = snapshot(*store_);
  ASSERT_EQ(platform::fake_idb::records(), before);

  platform::fake_idb::set_deferred(true);
  platform::fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
  Batch b;
  b.put("overwritten", "after");
  b.erase("deleted");
  b.put("created", "new");
  b.put("overwritten", "after twice");
  ASSERT_TRUE(store_->commit(b).is_ok());
  // Optimistic: visible in memory at once.
  EXPECT_EQ(store_->get("overwritten"), "after twice");
  EXPECT_EQ(store_->get("deleted"), std::nullopt);
  EXPECT_EQ(store_->get("created"), "new");
  EXPECT_EQ(store_->pending_batches(), 1u);
  EXPECT_TRUE(errors_.empty());

  platform::fake_idb::flush();
  EXPECT_EQ(store_->pending_batches(), 0u);
  EXPECT_EQ(snapshot(*store_), before) << "memory must be rolled back to the pre-batch state";
  EXPECT_EQ(platform::fake_idb::records(), before) << "the failed transaction changed the db";
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].code(), ErrorCode::kStorageError);
  EXPECT_NE(errors_[0].message().find("QuotaExceededError"), std::string::npos)
      << errors_[0].message();
  EXPECT_NE(store_->last_error().find("QuotaExceededError"), std::string::npos);

  reopen();
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_F(IdbStoreTest, FailureWithoutDeferralRollsBackImmediately) {
  ASSERT_TRUE(commit_puts({{"k", "v1"}}).is_ok());
  platform::fake_idb::fail_next_batch("AbortError: aborted");
  // The failure is asynchronous by nature, so commit itself reports ok ...
  EXPECT_TRUE(commit_puts({{"k", "v2"}, {"n", "x"}}).is_ok());
  // ... but the outcome has already been applied: rolled back and reported.
  EXPECT_EQ(snapshot(*store_), (Snapshot{{"k", "v1"}}));
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"k", "v1"}}));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].message().find("AbortError"), std::string::npos);
  // Only that one batch failed.
  EXPECT_TRUE(commit_puts({{"k", "v3"}}).is_ok());
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"k", "v3"}}));
  EXPECT_EQ(errors_.size(), 1u);
}

TEST_F(IdbStoreTest, LaterSuccessfulBatchIsNotUndoneByEarlierFailure) {
  ASSERT_TRUE(commit_puts({{"a", "A0"}, {"b", "B0"}}).is_ok());
  platform::fake_idb::set_deferred(true);
  platform::fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
  ASSERT_TRUE(commit_puts({{"a", "A1"}, {"b", "B1"}}).is_ok());  // will fail
  ASSERT_TRUE(commit_puts({{"a", "A2"}}).is_ok());                // will succeed
  EXPECT_EQ(store_->pending_batches(), 2u);
  platform::fake_idb::flush();
  EXPECT_EQ(store_->pending_batches(), 0u);
  // "a" was overwritten by the later, successful batch; "b" only by the failed one.
  EXPECT_EQ(store_->get("a"), "A2");
  EXPECT_EQ(store_->get("b"), "B0");
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "A2"}, {"b", "B0"}}));
  EXPECT_EQ(errors_.size(), 1u);
  reopen();
  EXPECT_EQ(snapshot(*store_), (Snapshot{{"a", "A2"}, {"b", "B0"}}));
}

// Regression test for a bug found when these tests were written (now fixed).
TEST_F(IdbStoreTest, LaterSuccessfulBatchWritingTheSameValueIsNotUndone) {
  ASSERT_TRUE(commit_puts({{"a", "A0"}, {"b", "B0"}}).is_ok());
  platform::fake_idb::set_deferred(true);
  platform::fake_idb::fail_next_batch("QuotaExceededError: quota exceeded");
  Batch failing;
  failing.put("a", "SAME");
  failing.erase("b");
  ASSERT_TRUE(store_->commit(failing).is_ok());
  Batch later;  // identical writes, but this transaction succeeds
  later.put("a", "SAME");
  later.erase("b");
  ASSERT_TRUE(store_->commit(later).is_ok());
  platform::fake_idb::flush();
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "SAME"}}));
  EXPECT_EQ(snapshot(*store_), platform::fake_idb::records())
      << "memory and IndexedDB disagree after the rollback";
}

TEST_F(IdbStoreTest, InvalidKeySendsNothingToTheDatabase) {
  ASSERT_TRUE(commit_puts({{"a", "1"}}).is_ok());
  platform::fake_idb::set_deferred(true);
  Batch b;
  b.put("a", "2");
  b.put("../bad", "x");
  EXPECT_FALSE(store_->commit(b).is_ok());
  EXPECT_EQ(store_->pending_batches(), 0u);
  platform::fake_idb::flush();
  EXPECT_EQ(platform::fake_idb::records(), (Snapshot{{"a", "1"}}));
  EXPECT_EQ(snapshot(*store_), (Snapshot{{"a", "1"}}));
  EXPECT_TRUE(errors_.empty());
}

TEST_F(IdbStoreTest, DescribeNamesIndexedDb) {
  EXPECT_NE(store_->describe().find("IndexedDB"), std::string::npos);
}

}  // namespace
}  // namespace mllab
