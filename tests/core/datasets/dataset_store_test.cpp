#include "core/datasets/dataset_store.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace mllab::datasets {
namespace {

using Snapshot = std::map<std::string, std::string>;

Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Two small CSVs and their SHA-256 digests (Python: hashlib.sha256(data).hexdigest()).
const std::string kCsvA = "a,b,label\n1,2,x\n3,4,y\n";
const std::string kDigestA = "9ab4abe1d7a5995542e0f09844f29f665372301cdc9c0ce6d71833d407ef1a0d";
const std::string kCsvB = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n";
const std::string kDigestB = "327b305dccae3819ea54d91512491253ed5e3e17996e18c990f46b263a659870";

class DatasetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock_for_testing([this] { return now_; }); }
  void TearDown() override { set_clock_for_testing(nullptr); }
  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  DatasetStore ds_{store_};
};

TEST_F(DatasetStoreTest, AddStoresBytesUnderTheirDigest) {
  auto r = ds_.add("toy", kCsvA, "upload", "toy.csv");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->name, "toy");
  ASSERT_EQ(r->versions.size(), 1u);
  const DatasetVersion& v = r->latest();
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.digest, kDigestA);
  EXPECT_EQ(v.source_type, "upload");
  EXPECT_EQ(v.source, "toy.csv");
  EXPECT_EQ(v.num_rows, 2);
  EXPECT_EQ(v.created_time, 1700000000000);
  ASSERT_EQ(v.schema["columns"].size(), 3u);
  EXPECT_EQ(v.schema["columns"][0]["name"], "a");
  EXPECT_EQ(v.schema["columns"][0]["type"], "numeric");
  EXPECT_EQ(v.schema["columns"][2]["name"], "label");
  EXPECT_EQ(v.schema["columns"][2]["type"], "categorical");
  EXPECT_EQ(store_.get("blobs/" + kDigestA), kCsvA);
  EXPECT_EQ(store_.keys(""), (std::vector<std::string>{"blobs/" + kDigestA, "datasets/toy"}));
  // Read back through get / list / bytes.
  auto got = ds_.get("toy");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->latest().digest, kDigestA);
  EXPECT_EQ(got->latest().schema, v.schema);
  EXPECT_EQ(ds_.bytes("toy").value(), kCsvA);
  auto list = ds_.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "toy");
}

TEST_F(DatasetStoreTest, SameBytesUnderTwoNamesWriteOneBlob) {
  ASSERT_TRUE(ds_.add("first", kCsvA, "upload", "a.csv").is_ok());
  ASSERT_TRUE(ds_.add("second", kCsvA, "upload", "copy of a.csv").is_ok());
  EXPECT_EQ(store_.keys("blobs/"), std::vector<std::string>{"blobs/" + kDigestA});
  EXPECT_EQ(store_.keys("datasets/"),
            (std::vector<std::string>{"datasets/first", "datasets/second"}));
  EXPECT_EQ(ds_.bytes("first").value(), kCsvA);
  EXPECT_EQ(ds_.bytes("second").value(), kCsvA);
  EXPECT_EQ(ds_.get("second")->latest().version, 1);
  EXPECT_EQ(ds_.list().size(), 2u);
}

TEST_F(DatasetStoreTest, NewVersionOnlyWhenContentChanges) {
  auto v1 = ds_.add("toy", kCsvA, "upload", "toy.csv");
  ASSERT_TRUE(v1.is_ok());
  EXPECT_EQ(v1->latest().version, 1);
  const Snapshot after_v1 = snapshot(store_);

  now_ += 1000;
  auto again = ds_.add("toy", kCsvA, "upload", "toy.csv");
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->versions.size(), 1u);
  EXPECT_EQ(again->latest().version, 1);
  EXPECT_EQ(again->latest().created_time, 1700000000000) << "the existing version is returned";
  EXPECT_EQ(snapshot(store_), after_v1) << "re-adding identical bytes must not write";

  now_ += 1000;
  auto v2 = ds_.add("toy", kCsvB, "upload", "toy (edited).csv");
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  ASSERT_EQ(v2->versions.size(), 2u);
  EXPECT_EQ(v2->versions[0].version, 1);
  EXPECT_EQ(v2->versions[0].digest, kDigestA);
  EXPECT_EQ(v2->versions[1].version, 2);
  EXPECT_EQ(v2->versions[1].digest, kDigestB);
  EXPECT_EQ(v2->versions[1].num_rows, 3);
  EXPECT_EQ(v2->versions[1].created_time, 1700000002000);
  EXPECT_EQ(v2->latest().source, "toy (edited).csv");
  EXPECT_EQ(store_.keys("blobs/").size(), 2u);

  EXPECT_EQ(ds_.bytes("toy", 1).value(), kCsvA);
  EXPECT_EQ(ds_.bytes("toy", 2).value(), kCsvB);
  EXPECT_EQ(ds_.bytes("toy").value(), kCsvB) << "version 0 means latest";
  EXPECT_EQ(ds_.bytes("toy", 0).value(), kCsvB);
  auto v3 = ds_.bytes("toy", 3);
  ASSERT_FALSE(v3.is_ok());
  EXPECT_EQ(v3.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(v3.status().message(), "3")) << v3.status().message();
}

TEST_F(DatasetStoreTest, MalformedCsvIsRefusedAndTheStoreIsExactlyUnchanged) {
  ASSERT_TRUE(ds_.add("toy", kCsvA, "upload", "toy.csv").is_ok());
  const Snapshot before = snapshot(store_);
  // Line 3 has 2 fields where the header has 3.
  const std::string ragged = "a,b,label\n1,2,x\n3,4\n";
  auto r = ds_.add("toy", ragged, "upload", "bad.csv");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kParseError);
  EXPECT_TRUE(contains(r.status().message(), "line 3")) << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "column")) << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "bad.csv")) << "the error names the source file";
  EXPECT_EQ(snapshot(store_), before);

  // An unclosed quote in a new dataset: nothing at all is written.
  auto q = ds_.add("fresh", "a,b\n1,\"2\n", "upload", "q.csv");
  ASSERT_FALSE(q.is_ok());
  EXPECT_EQ(q.status().code(), ErrorCode::kParseError);
  EXPECT_TRUE(contains(q.status().message(), "line 2")) << q.status().message();
  EXPECT_EQ(snapshot(store_), before);
  EXPECT_EQ(ds_.get("fresh").status().code(), ErrorCode::kResourceDoesNotExist);
}

TEST_F(DatasetStoreTest, SourceNameDefaultsToTheDatasetNameInErrors) {
  auto r = ds_.add("named", "a,b\n1\n", "upload", "");
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "named")) << r.status().message();
  EXPECT_TRUE(store_.keys("").empty());
}

TEST_F(DatasetStoreTest, InvalidNamesAreRefused) {
  for (const char* bad : {"", "a:2", "tab\tname", "../up", "a//b", "a/", ".hidden"}) {
    SCOPED_TRACE(bad);
    auto r = ds_.add(bad, kCsvA, "upload", "x.csv");
    EXPECT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue);
  }
  EXPECT_TRUE(store_.keys("").empty());
}

TEST_F(DatasetStoreTest, MissingDatasetAndMissingBlob) {
  auto g = ds_.get("nope");
  EXPECT_EQ(g.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(g.status().message(), "nope"));
  EXPECT_EQ(ds_.bytes("nope").status().code(), ErrorCode::kResourceDoesNotExist);
  // A record whose blob was lost is a storage error, not a crash.
  ASSERT_TRUE(ds_.add("toy", kCsvA, "upload", "toy.csv").is_ok());
  store::Batch b;
  b.erase("blobs/" + kDigestA);
  ASSERT_TRUE(store_.commit(b).is_ok());
  auto bytes = ds_.bytes("toy");
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_EQ(bytes.status().code(), ErrorCode::kStorageError);
  EXPECT_TRUE(contains(bytes.status().message(), "toy"));
}

TEST_F(DatasetStoreTest, CorruptOrNewerRecordsAreErrors) {
  store::Batch b;
  b.put("datasets/bad", "{not json");
  b.put("datasets/future",
        R"({"schema": "mllab.dataset", "schema_version": 2, "name": "future", "versions": []})");
  b.put("datasets/empty",
        R"({"schema": "mllab.dataset", "schema_version": 1, "name": "empty", "versions": []})");
  ASSERT_TRUE(store_.commit(b).is_ok());
  EXPECT_EQ(ds_.get("bad").status().code(), ErrorCode::kParseError);
  EXPECT_EQ(ds_.get("future").status().code(), ErrorCode::kParseError);
  EXPECT_EQ(ds_.get("empty").status().code(), ErrorCode::kParseError);
  EXPECT_TRUE(ds_.list().empty()) << "unreadable records are skipped";
  // Adding to a corrupt record refuses instead of overwriting it.
  const Snapshot before = snapshot(store_);
  EXPECT_FALSE(ds_.add("bad", kCsvA, "upload", "x.csv").is_ok());
  EXPECT_EQ(snapshot(store_), before);
}

// Regression test for a bug found when these tests were written (now fixed).
TEST_F(DatasetStoreTest, WronglyTypedSchemaFieldsAreParseErrorsNotExceptions) {
  store::Batch b;
  b.put("datasets/num", R"({"schema": 5, "schema_version": 1, "name": "num", "versions": []})");
  b.put("datasets/str",
        R"({"schema": "mllab.dataset", "schema_version": "1", "name": "str", "versions": []})");
  ASSERT_TRUE(store_.commit(b).is_ok());
  for (const char* name : {"num", "str"}) {
    SCOPED_TRACE(name);
    try {
      EXPECT_EQ(ds_.get(name).status().code(), ErrorCode::kParseError);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "DatasetStore::get threw: " << e.what();
    }
  }
}

TEST(DatasetNames, NameFromFile) {
  EXPECT_EQ(dataset_name_from_file("My data (2).csv"), "My_data_2");  // the documented example
  EXPECT_EQ(dataset_name_from_file("iris.csv"), "iris");
  EXPECT_EQ(dataset_name_from_file("breast_cancer.csv"), "breast_cancer");
  EXPECT_EQ(dataset_name_from_file("/home/me/data/wine.csv"), "wine");
  EXPECT_EQ(dataset_name_from_file("C:\\Users\\me\\birdstrikes.csv"), "birdstrikes");
  EXPECT_EQ(dataset_name_from_file("sales.2024-01.csv"), "sales.2024-01");
  EXPECT_EQ(dataset_name_from_file("no_extension"), "no_extension");
  EXPECT_EQ(dataset_name_from_file("a  b\tc.csv"), "a_b_c");
  EXPECT_EQ(dataset_name_from_file("__x__.csv"), "x");
  EXPECT_EQ(dataset_name_from_file("donn\xc3\xa9" "es.csv"), "donn_es");
  EXPECT_EQ(dataset_name_from_file(""), "dataset");
  EXPECT_EQ(dataset_name_from_file("???.csv"), "dataset");
  EXPECT_EQ(dataset_name_from_file("dir/"), "dataset");
}

TEST(DatasetNames, NamesFromFilesAreValidStoreKeys) {
  for (const char* f : {"My data (2).csv", "..csv", "a/b/../c.csv", "x..y.csv", "...", "-.csv",
                        "a b.c d.csv", "data.", "#1 results!.tsv"}) {
    SCOPED_TRACE(f);
    std::string name = dataset_name_from_file(f);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(store::validate_key("datasets/" + name).is_ok()) << "name '" << name << "'";
  }
  EXPECT_EQ(dataset_uri("iris"), "datasets:/iris");
}

}  // namespace
}  // namespace mllab::datasets
