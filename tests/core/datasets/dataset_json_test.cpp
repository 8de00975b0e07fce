// The datasets' JSON shapes (dataset_json.hpp): one list line for built-in and stored
// datasets, a version entry for add / derive, the dataset shown at a version.
#include "core/datasets/dataset_json.hpp"

#include <set>

#include <gtest/gtest.h>

#include "core/store/store.hpp"

namespace mllab::datasets {
namespace {

using json = nlohmann::json;

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

TEST(DatasetJsonTest, BuiltinAndStoredListLinesHaveTheSameFields) {
  CatalogEntry e;
  e.name = "iris";
  e.path = "assets/datasets/iris.csv";
  e.title = "Iris";
  e.target = "target";
  e.rows = 150;
  e.columns = 5;
  e.sha256 = "abc";
  store::MemoryStore store;
  DatasetStore ds(store);
  ASSERT_TRUE(ds.add("birds", "damage,speed\nNone,1\nMinor,2\nNone,3\n", "upload", "birds.csv").is_ok());
  const json list = dataset_list_json({e}, ds.list());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(keys(list[0]), keys(list[1]));
  EXPECT_EQ(list[0], json::parse(R"({"name": "iris", "uri": "assets/datasets/iris.csv", "path": "assets/datasets/iris.csv",
      "source_type": "builtin", "source": "assets/datasets/iris.csv", "title": "Iris", "target": "target", "rows": 150,
      "columns": 5, "digest": "abc", "version": null})"));
  EXPECT_EQ(list[1]["name"], "birds");
  EXPECT_EQ(list[1]["uri"], "datasets:/birds");
  EXPECT_EQ(list[1]["source_type"], "upload");
  EXPECT_EQ(list[1]["rows"], 3);
  EXPECT_EQ(list[1]["columns"], 2);
  EXPECT_EQ(list[1]["version"], 1);
}

TEST(DatasetJsonTest, VersionEntryAndDatasetAtAVersion) {
  store::MemoryStore store;
  DatasetStore ds(store);
  ASSERT_TRUE(ds.add("birds", "damage,speed\nNone,1\nMinor,2\n", "upload", "birds.csv").is_ok());
  auto rec = ds.add("birds", "damage,speed\nNone,1\nMinor,2\nNone,5\n", "upload", "birds.csv");
  ASSERT_TRUE(rec.is_ok());
  const json entry = dataset_version_entry_json(rec->name, rec->latest());
  EXPECT_EQ(keys(entry), (std::set<std::string>{"name", "uri", "version"}));
  EXPECT_EQ(entry["uri"], "datasets:/birds:2");
  EXPECT_EQ(entry["version"], dataset_version_to_json(rec->latest()));
  EXPECT_EQ(entry["version"]["version"], 2);
  EXPECT_EQ(entry["version"]["num_rows"], 3);

  tracking::Run used;
  used.run_id = "r1";
  used.run_name = "first";
  used.experiment_id = "0";
  used.status = tracking::RunStatus::kFinished;
  const json shown = dataset_to_json(*rec, rec->versions[0], {used});
  EXPECT_EQ(shown["uri"], "datasets:/birds:1");
  EXPECT_EQ(shown["version"]["version"], 1);
  EXPECT_EQ(shown["versions"].size(), 2u);
  EXPECT_EQ(shown["versions"][1], json({{"version", 2}, {"digest", rec->versions[1].digest}, {"num_rows", 3}}));
  EXPECT_EQ(shown["runs"], json::parse(R"([{"run_id": "r1", "run_name": "first", "experiment_id": "0", "status": "FINISHED"}])"));
}

}  // namespace
}  // namespace mllab::datasets
