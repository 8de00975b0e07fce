// validate_key and MemoryStore specifics. The behaviour every Store shares is in
// tests/platform/store_contract_test.cpp (run against MemoryStore, FolderStore and IdbStore).
#include "core/store/store.hpp"

#include <string>

#include <gtest/gtest.h>

namespace mllab::store {
namespace {

TEST(ValidateKey, AcceptsPathsOfAllowedCharacters) {
  for (const char* k : {"a", "runs/0123abcd", "metrics/r/00000001",
                        "artifacts/r/model/pipeline.json", "blobs/9ab4abe1", "A_b-c.d@e:f=g+h",
                        "x/y/z", "a..b", "a.", "x/y."}) {
    EXPECT_TRUE(validate_key(k).is_ok()) << k;
  }
}

TEST(ValidateKey, RefusesEmptySegmentsDotSegmentsAndOtherCharacters) {
  for (const char* k : {"", "/", "/a", "a/", "a//b", ".", "..", "../x", "x/..", "a/./b", "a/../b",
                        "...", ".hidden", "a/.hidden", ".journal.json", ".tmp/x",
                        "sp ace", "tab\t", "new\nline", "back\\slash", "star*", "q?", "pct%20",
                        "hash#", "caf\xc3\xa9"}) {
    SCOPED_TRACE(k);
    Status st = validate_key(k);
    EXPECT_FALSE(st.is_ok());
    EXPECT_EQ(st.code(), ErrorCode::kInvalidParameterValue);
  }
  std::string with_nul("a\0b", 3);
  EXPECT_FALSE(validate_key(with_nul).is_ok()) << "an embedded NUL is not a key character";
}

TEST(ValidateKey, ErrorNamesTheKey) {
  EXPECT_NE(validate_key("runs/a b").message().find("runs/a b"), std::string::npos);
  EXPECT_NE(validate_key("x//y").message().find("x//y"), std::string::npos);
  EXPECT_NE(validate_key("p/../q").message().find("p/../q"), std::string::npos);
}

TEST(MemoryStore, SizeCountsRecords) {
  MemoryStore s;
  EXPECT_EQ(s.size(), 0u);
  Batch b;
  b.put("a", "1");
  b.put("b", "2");
  b.put("a", "3");
  ASSERT_TRUE(s.commit(b).is_ok());
  EXPECT_EQ(s.size(), 2u);
  Batch d;
  d.erase("a");
  ASSERT_TRUE(s.commit(d).is_ok());
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.describe(), "memory");
}

TEST(Batch, RecordsWritesInOrder) {
  Batch b;
  EXPECT_TRUE(b.empty());
  b.put("k", "v");
  b.erase("k");
  ASSERT_EQ(b.writes().size(), 2u);
  EXPECT_EQ(b.writes()[0].key, "k");
  EXPECT_EQ(b.writes()[0].value, "v");
  EXPECT_EQ(b.writes()[1].key, "k");
  EXPECT_FALSE(b.writes()[1].value.has_value());
  EXPECT_FALSE(b.empty());
}

}  // namespace
}  // namespace mllab::store
