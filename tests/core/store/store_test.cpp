// validate_key and MemoryStore specifics. The behaviour every Store shares is in
// tests/platform/store_contract_test.cpp (run against MemoryStore, FolderStore and IdbStore).
#include "core/store/store.hpp"

#include <string>

#include <gtest/gtest.h>

namespace mllab::store {
namespace {

TEST(ValidateKey, AcceptsUtf8PathsInAnyScript) {
  for (const char* k : {"a", "runs/0123abcd", "metrics/r/00000001",
                        "artifacts/r/model/pipeline.json", "blobs/9ab4abe1", "A_b-c.d@e:f=g+h",
                        "x/y/z", "a..b", "a.", "x/y.", "sp ace", "back\\slash", "star*", "q?", "pct%20",
                        "hash#", "caf\xc3\xa9", "datasets/\xe9\xb8\xa2\xe5\xb0\xbe", "emoji/\xf0\x9f\x90\x8d",
                        "~tilde"}) {
    EXPECT_TRUE(validate_key(k).is_ok()) << k << ": " << validate_key(k).message();
  }
  EXPECT_TRUE(validate_key(std::string(kMaxKeyBytes, 'k')).is_ok());
  std::string deep = "s";
  for (size_t i = 1; i < kMaxKeySegments; ++i) deep += "/s";
  EXPECT_TRUE(validate_key(deep).is_ok());
}

TEST(ValidateKey, RefusesEmptySegmentsDotSegmentsControlCharactersAndBrokenUtf8) {
  std::string too_deep = "s";
  for (size_t i = 0; i < kMaxKeySegments; ++i) too_deep += "/s";
  for (std::string k : {std::string(""), std::string("/"), std::string("/a"), std::string("a/"), std::string("a//b"),
                        std::string("."), std::string(".."), std::string("../x"), std::string("x/.."),
                        std::string("a/./b"), std::string("a/../b"), std::string("..."), std::string(".hidden"),
                        std::string("a/.hidden"), std::string(".journal.json"), std::string(".tmp/x"),
                        std::string("tab\t"), std::string("new\nline"), std::string("del\x7f"),
                        std::string("c1\xc2\x85"), std::string("caf\xe9"), std::string("cut\xe9\xb8"),
                        std::string("overlong\xc0\xaf"), std::string("surrogate\xed\xa0\x80"),
                        std::string(kMaxKeyBytes + 1, 'k'), too_deep}) {
    SCOPED_TRACE(k.substr(0, 60));
    Status st = validate_key(k);
    EXPECT_FALSE(st.is_ok());
    EXPECT_EQ(st.code(), ErrorCode::kInvalidParameterValue);
  }
  std::string with_nul("a\0b", 3);
  EXPECT_FALSE(validate_key(with_nul).is_ok()) << "an embedded NUL is not a key character";
}

TEST(ValidateKey, ErrorNamesTheKeyAndTheLimit) {
  EXPECT_NE(validate_key("runs/a\tb").message().find("'runs/a\\tb' contains a control character"), std::string::npos)
      << validate_key("runs/a\tb").message();
  EXPECT_NE(validate_key("x//y").message().find("x//y"), std::string::npos);
  EXPECT_NE(validate_key("p/../q").message().find("p/../q"), std::string::npos);
  EXPECT_NE(validate_key(std::string(5000, 'k')).message().find("longer than 2048 bytes"), std::string::npos);
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
