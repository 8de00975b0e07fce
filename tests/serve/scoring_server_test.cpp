// The scoring server over real HTTP on 127.0.0.1 (port 0): MLflow's endpoints and input formats,
// predictions identical to registry::predict on the same rows, one-line JSON errors, the
// prediction log (one record per request), a concurrent burst, and abuse (issue 9): hostile
// bodies, 64 slow clients, bad Content-Length, timeouts, the connection cap, 1,000 concurrent
// requests. Native only (threads and sockets): cmake/serve.cmake builds it as mllab_serve_tests.
#include "cli/serve.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/csv.hpp"
#include "core/store/store.hpp"
#include "platform/lab.hpp"

namespace mllab::serve {
namespace {

using json = nlohmann::json;

const char* kIrisColumns[] = {"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"};

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Trains a spec in the lab; returns the run id.
std::string train(platform::Lab& lab, const std::string& spec) {
  auto job = lab.make_train_job(spec, "test");
  EXPECT_TRUE(job.is_ok()) << job.status().to_string();
  if (!job.is_ok()) return "";
  (*job)->run_to_end();
  EXPECT_TRUE((*job)->status().is_ok()) << (*job)->status().to_string();
  return (*job)->run_id();
}

// A pipeline spec on a stored dataset.
std::string spec_on(const std::string& dataset, const std::string& target, const json& features, const json& steps) {
  return json{{"schema", "mllab.pipeline"},
              {"schema_version", 1},
              {"experiment", "serve-tests"},
              {"run_name", dataset},
              {"dataset", {{"path", "datasets:/" + dataset}, {"target", target}, {"features", features}}},
              {"split", {{"test_size", 0.2}, {"random_state", 42}, {"stratify", false}}},
              {"steps", steps}}
      .dump();
}

// Everything the tests share, trained once: the lab with three registered models, the iris rows
// and what registry::predict answers for them.
struct Shared {
  std::unique_ptr<platform::Lab> lab;
  std::string iris_run;
  data::Table iris;                  // the 150 rows' feature columns
  std::vector<int> iris_target;      // the true classes
  registry::Predictions expected;    // registry::predict(models:/iris/1, iris)
};

Shared* shared = nullptr;

// A server on 127.0.0.1 with a free port, serving on its own thread until destroyed.
class Running {
 public:
  static std::unique_ptr<Running> start(const std::string& uri, ServeOptions options = {}) {
    auto server = ScoringServer::create(*shared->lab, uri, options);
    EXPECT_TRUE(server.is_ok()) << server.status().to_string();
    if (!server.is_ok()) return nullptr;
    std::unique_ptr<Running> r(new Running);
    r->server = std::move(server).value();
    Status st = r->server->bind("127.0.0.1", 0);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    if (!st.is_ok()) return nullptr;
    EXPECT_GT(r->server->port(), 0);
    Running* self = r.get();
    r->thread = std::thread([self] { self->served = self->server->serve(); });
    return r;
  }
  ~Running() {
    server->stop();
    if (thread.joinable()) thread.join();
    EXPECT_TRUE(served.is_ok()) << served.to_string();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", server->port()); }
  httplib::Result post(const std::string& body, const std::string& content_type, const std::string& path = "/invocations") const {
    return client().Post(path.c_str(), body, content_type.c_str());
  }
  httplib::Result get(const std::string& path) const { return client().Get(path.c_str()); }

  std::unique_ptr<ScoringServer> server;
  std::thread thread;
  Status served;
};

class ScoringServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared = new Shared;
    shared->lab = std::make_unique<platform::Lab>(std::make_unique<store::MemoryStore>(), MLLAB_SOURCE_DIR);
    platform::Lab& lab = *shared->lab;

    // iris: StandardScaler + multinomial LogisticRegression, the example spec the CLI runs.
    shared->iris_run = train(lab, read_source_file("examples/iris-logreg.json"));
    auto v = lab.registry().register_model("runs:/" + shared->iris_run + "/model", "iris");
    ASSERT_TRUE(v.is_ok()) << v.status().to_string();
    ASSERT_EQ(v->version, 1);

    // animals: a string column and string labels, separable by size alone (cats 1..3, dogs 10..13).
    std::string animals = "color,size,animal\n";
    for (int i = 0; i < 30; ++i) {
      const bool cat = i % 2 == 0;
      animals += std::string(cat ? "red" : (i % 3 ? "blue" : "green")) + "," +
                 std::to_string(cat ? 1 + i % 3 : 10 + i % 4) + "," + (cat ? "cat" : "dog") + "\n";
    }
    ASSERT_TRUE(lab.datasets().add("animals", animals, "upload", "animals.csv").is_ok());
    const std::string animals_run = train(
        lab, spec_on("animals", "animal", {"color", "size"},
                     json::array({{{"name", "enc"}, {"type", "OneHotEncoder"}, {"columns", {"color"}},
                                   {"params", {{"handle_unknown", "ignore"}}}},
                                  {{"name", "model"}, {"type", "LogisticRegression"}}})));
    ASSERT_TRUE(lab.registry().register_model("runs:/" + animals_run + "/model", "animals").is_ok());

    // line: y = 2a - b + 3 exactly, so least squares recovers it and predictions are hand-computable.
    std::string line = "a,b,y\n";
    for (int i = 0; i < 20; ++i) {
      const double a = i, b = (i * 7) % 5;
      line += data::format_number(a) + "," + data::format_number(b) + "," + data::format_number(2 * a - b + 3) + "\n";
    }
    ASSERT_TRUE(lab.datasets().add("line", line, "upload", "line.csv").is_ok());
    const std::string line_run =
        train(lab, spec_on("line", "y", {"a", "b"}, json::array({{{"name", "model"}, {"type", "LinearRegression"}}})));
    ASSERT_TRUE(lab.registry().register_model("runs:/" + line_run + "/model", "line").is_ok());

    auto table = data::read_csv(read_source_file("assets/datasets/iris.csv"));
    ASSERT_TRUE(table.is_ok()) << table.status().to_string();
    for (double y : table->column("target")->numbers) shared->iris_target.push_back(int(y));
    shared->iris = table->drop_column("target");
    auto model = lab.registry().load_model("models:/iris/1");
    ASSERT_TRUE(model.is_ok()) << model.status().to_string();
    auto p = registry::predict(model.value(), shared->iris);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    shared->expected = std::move(p).value();
  }
  static void TearDownTestSuite() {
    delete shared;
    shared = nullptr;
  }
  void SetUp() override { ASSERT_NE(shared, nullptr); ASSERT_FALSE(shared->iris_run.empty()); }
};

// ---- request bodies for iris rows ----

double iris_value(size_t row, size_t col) { return shared->iris.column(kIrisColumns[col])->numbers[row]; }

json split_body(const std::vector<size_t>& rows) {
  json data = json::array(), index = json::array();
  for (size_t r : rows) {
    json values = json::array();
    for (size_t c = 0; c < 4; ++c) values.push_back(iris_value(r, c));
    data.push_back(values);
    index.push_back(r);
  }
  return {{"dataframe_split", {{"columns", kIrisColumns}, {"index", index}, {"data", data}}}};
}

json records(const std::vector<size_t>& rows) {
  json out = json::array();
  for (size_t r : rows) {
    json row = json::object();
    for (size_t c = 0; c < 4; ++c) row[kIrisColumns[c]] = iris_value(r, c);
    out.push_back(row);
  }
  return out;
}

json columns_dict(const std::vector<size_t>& rows) {
  json out = json::object();
  for (size_t c = 0; c < 4; ++c) {
    json values = json::array();
    for (size_t r : rows) values.push_back(iris_value(r, c));
    out[kIrisColumns[c]] = values;
  }
  return out;
}

std::string csv_body(const std::vector<size_t>& rows) { return data::write_csv(shared->iris.take_rows(rows)); }

// What registry::predict says for the rows: iris labels "0", "1", "2" as the numbers they are.
json expected_predictions(const std::vector<size_t>& rows) {
  json out = json::array();
  for (size_t r : rows) out.push_back(std::stoll(shared->expected.labels[r]));
  return out;
}

// Parses an answer body (fails the test on bad JSON).
json body_json(const httplib::Result& res) {
  if (!res) {
    ADD_FAILURE() << "no HTTP answer: " << httplib::to_string(res.error());
    return nullptr;
  }
  json j = json::parse(res->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << res->body;
  return j;
}

// ---- tests ----

TEST_F(ScoringServerTest, PingHealthAndVersion) {
  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  for (const char* path : {"/ping", "/health"}) {
    auto res = r->get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->body, "\n") << path;  // MLflow's body
  }
  auto v = r->get("/version");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 200);
  EXPECT_EQ(v->body, MLLAB_VERSION);
}

TEST_F(ScoringServerTest, EveryInputFormatGivesTheRegistryPredictions) {
  // The model is good (an independent check of the fixture): most of iris is predicted right.
  size_t right = 0;
  for (size_t i = 0; i < 150; ++i) right += shared->expected.class_indices[i] == shared->iris_target[i];
  EXPECT_GE(right, 140u);

  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  const std::vector<size_t> rows = {0, 51, 102, 149, 77, 12, 133};
  const json want = expected_predictions(rows);
  // The rows span all three classes, so a constant answer cannot pass.
  EXPECT_EQ(std::set<json>(want.begin(), want.end()).size(), 3u);

  json reordered = split_body(rows);  // columns in another order, plus a column the model ignores
  {
    json& doc = reordered["dataframe_split"];
    json cols = json::array(), data = json::array();
    for (int c = 3; c >= 0; --c) cols.push_back(kIrisColumns[c]);
    cols.push_back("note");
    for (size_t i = 0; i < rows.size(); ++i) {
      json values = json::array();
      for (int c = 3; c >= 0; --c) values.push_back(iris_value(rows[i], size_t(c)));
      values.push_back("x");
      data.push_back(values);
    }
    doc["columns"] = cols;
    doc["data"] = data;
  }
  const std::vector<std::pair<std::string, json>> bodies = {
      {"dataframe_split", split_body(rows)},
      {"dataframe_split reordered", reordered},
      {"dataframe_records", {{"dataframe_records", records(rows)}}},
      {"inputs records", {{"inputs", records(rows)}}},
      {"inputs columns", {{"inputs", columns_dict(rows)}}},
      {"instances records", {{"instances", records(rows)}}},
      {"instances columns", {{"instances", columns_dict(rows)}}},
      {"with params", {{"inputs", records(rows)}, {"params", {{"predict_proba", false}}}}},
  };
  for (const auto& [name, body] : bodies) {
    SCOPED_TRACE(name);
    auto res = r->post(body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    json j = body_json(res);
    EXPECT_EQ(j, json({{"predictions", want}}));  // numbers, as the labels were numeric; nothing else
    EXPECT_TRUE(j["predictions"][0].is_number_integer());
  }
  auto charset = r->post(split_body(rows).dump(), "application/json; charset=UTF-8");
  ASSERT_TRUE(charset);
  EXPECT_EQ(charset->status, 200) << charset->body;
  EXPECT_EQ(body_json(charset)["predictions"], want);

  auto csv = r->post(csv_body(rows), "text/csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(body_json(csv), json({{"predictions", want}}));
}

TEST_F(ScoringServerTest, ProbabilitiesOnRequestMatchTheRegistryAndSumToOne) {
  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  const std::vector<size_t> rows = {3, 60, 70, 83, 119, 140};
  json body = split_body(rows);
  body["params"] = {{"predict_proba", true}};
  auto res = r->post(body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json j = body_json(res);
  EXPECT_EQ(j["predictions"], expected_predictions(rows));
  EXPECT_EQ(j["classes"], json({0, 1, 2}));
  ASSERT_EQ(j["probabilities"].size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& p = j["probabilities"][i];  // keyed by class: {"0": p0, "1": p1, "2": p2}
    ASSERT_EQ(p.size(), 3u);
    double sum = 0;
    size_t best = 0;
    for (size_t k = 0; k < 3; ++k) {
      const double v = p.at(std::to_string(k)).get<double>();
      sum += v;
      if (v > p.at(std::to_string(best)).get<double>()) best = k;
      // JSON doubles round-trip exactly: the same numbers registry::predict computes.
      EXPECT_EQ(v, shared->expected.probabilities(Eigen::Index(rows[i]), Eigen::Index(k)));
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_EQ(json(int(best)), j["predictions"][i]);  // the predicted class is the most probable one
  }
}

TEST_F(ScoringServerTest, StringLabelsAndAStringColumn) {
  auto r = Running::start("models:/animals/1");
  ASSERT_TRUE(r);
  json body = {{"dataframe_records", json::array({{{"color", "red"}, {"size", 2}},
                                                  {{"color", "blue"}, {"size", 12}},
                                                  {{"color", "purple"}, {"size", 11.5}}})},
               {"params", {{"predict_proba", true}}}};
  auto res = r->post(body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json j = body_json(res);
  // Separable by size alone (training cats 1..3, dogs 10..13); an unseen color is ignored.
  EXPECT_EQ(j["predictions"], json({"cat", "dog", "dog"}));
  EXPECT_EQ(j["classes"], json({"cat", "dog"}));

  json bad = {{"dataframe_records", json::array({{{"color", "red"}, {"size", 2}}, {{"color", "red"}, {"size", "big"}}})}};
  auto err = r->post(bad.dump(), "application/json");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);
  json e = body_json(err);
  EXPECT_EQ(e["error_code"], "BAD_REQUEST");
  EXPECT_TRUE(contains(e["message"], "'size'")) << e.dump();
  EXPECT_TRUE(contains(e["message"], "'big' in row 2")) << e.dump();
}

TEST_F(ScoringServerTest, RegressorAnswersNumbers) {
  auto r = Running::start("models:/line/1");
  ASSERT_TRUE(r);
  auto res = r->post(json{{"inputs", {{"b", {0, 1, 4}}, {"a", {0, 10, -2.5}}}}}.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json j = body_json(res);
  ASSERT_EQ(j["predictions"].size(), 3u);
  EXPECT_NEAR(j["predictions"][0].get<double>(), 3.0, 1e-9);   // 2*0 - 0 + 3
  EXPECT_NEAR(j["predictions"][1].get<double>(), 22.0, 1e-9);  // 2*10 - 1 + 3
  EXPECT_NEAR(j["predictions"][2].get<double>(), -6.0, 1e-9);  // 2*(-2.5) - 4 + 3
  auto one = r->post(json{{"inputs", {{"a", 1}, {"b", 1}}}}.dump(), "application/json");  // one row of scalars
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_NEAR(body_json(one)["predictions"][0].get<double>(), 4.0, 1e-9);  // 2 - 1 + 3

  auto proba = r->post(json{{"inputs", {{"a", {1}}, {"b", {1}}}}, {"params", {{"predict_proba", true}}}}.dump(),
                       "application/json");
  ASSERT_TRUE(proba);
  EXPECT_EQ(proba->status, 400);
  EXPECT_TRUE(contains(body_json(proba)["message"], "'predict_proba' needs a classifier"));
}

TEST_F(ScoringServerTest, BadRequestsGetOneLineJsonErrorsAndTheServerKeepsServing) {
  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  json no_petal_width = records({1, 2});
  for (auto& row : no_petal_width) row.erase("petal width (cm)");
  json text_value = records({1, 2});
  text_value[1]["sepal length (cm)"] = "abc";
  json both = {{"inputs", records({1})}, {"instances", records({1})}};
  json unknown = split_body({1});
  unknown["foo"] = 1;
  json short_row = split_body({1, 2});
  short_row["dataframe_split"]["data"][1].erase(3);
  short_row["dataframe_split"].erase("index");
  struct Case {
    std::string name, content_type, body;
    int status;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"missing column", "application/json", json{{"dataframe_records", no_petal_width}}.dump(), 400,
       "missing columns ['petal width (cm)']"},
      {"text in a number column", "application/json", json{{"dataframe_records", text_value}}.dump(), 400,
       "'sepal length (cm)' expects double, got string ('abc' in row 2)"},
      {"malformed JSON", "application/json", "{\"dataframe_split\": {\"columns\": [", 400,
       "request body: invalid JSON at line 1, column 34"},
      {"not JSON at all", "application/json", "sepal,width\n1,2\n", 400, "request body: invalid JSON at line 1, column 1"},
      {"unknown key", "application/json", unknown.dump(), 400, "unknown key 'foo'"},
      {"two input keys", "application/json", both.dump(), 400, "both 'inputs' and 'instances'"},
      {"no input key", "application/json", json{{"params", json::object()}}.dump(), 400, "no input key"},
      {"a list body", "application/json", "[1, 2]", 400, "the body is an array"},
      {"unknown param", "application/json", json{{"inputs", records({1})}, {"params", {{"proba", true}}}}.dump(), 400,
       "unknown parameter 'proba'"},
      {"param not a bool", "application/json",
       json{{"inputs", records({1})}, {"params", {{"predict_proba", "yes"}}}}.dump(), 400,
       "'predict_proba' is a string"},
      {"rows as plain lists", "application/json", json{{"inputs", {{5.1, 3.5, 1.4, 0.2}}}}.dump(), 400,
       "inputs: row 1 is an array; expected an object"},
      {"no rows", "application/json", json{{"dataframe_records", json::array()}}.dump(), 400,
       "dataframe_records: no rows"},
      {"ragged columns", "application/json", json{{"instances", {{"a", {1, 2}}, {"b", {1}}}}}.dump(), 400,
       "column 'b' has 1 values but column 'a' has 2"},
      {"short split row", "application/json", short_row.dump(), 400, "dataframe_split: row 2 must be an array of 4 values"},
      {"split without data", "application/json", json{{"dataframe_split", {{"columns", {"a"}}}}}.dump(), 400,
       "dataframe_split: missing 'data'"},
      {"ragged CSV", "text/csv", csv_body({1, 2}) + "1,2\n", 400, "text/csv body: line 4"},
      {"empty CSV", "text/csv", "", 400, "text/csv body"},
      {"wrong content type", "text/plain", split_body({1}).dump(), 415, "'text/plain'"},
      {"latin-1", "application/json; charset=latin-1", split_body({1}).dump(), 415, "charset 'latin-1'"},
      {"unknown content type parameter", "application/json; format=pandas-split", split_body({1}).dump(), 415,
       "parameter 'format'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto res = r->post(c.body, c.content_type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    json e = body_json(res);
    EXPECT_EQ(e["error_code"], "BAD_REQUEST");
    const std::string message = e.value("message", "");
    EXPECT_TRUE(contains(message, c.needle)) << message;
    EXPECT_FALSE(contains(message, "\n")) << message;
    EXPECT_EQ(e.size(), 2u);
  }
  // No Content-Type header (httplib's client always sends one, so straight to the handler).
  Reply bare = r->server->invoke("", split_body({1}).dump());
  EXPECT_EQ(bare.status, 415);
  EXPECT_TRUE(contains(json::parse(bare.body)["message"], "no Content-Type")) << bare.body;

  auto ping = r->get("/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  auto good = r->post(split_body({5}).dump(), "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(body_json(good)["predictions"], expected_predictions({5}));
}

TEST_F(ScoringServerTest, UnknownPathsWrongMethodsAndOversizedBodies) {
  ServeOptions o;
  o.max_body_bytes = 4096;
  auto r = Running::start("models:/iris/1", o);
  ASSERT_TRUE(r);
  auto nope = r->get("/nope");
  ASSERT_TRUE(nope);
  EXPECT_EQ(nope->status, 404);
  json e = body_json(nope);
  EXPECT_EQ(e["error_code"], "ENDPOINT_NOT_FOUND");
  EXPECT_TRUE(contains(e["message"], "GET /nope")) << e.dump();
  auto predict = r->post(split_body({1}).dump(), "application/json", "/predict");
  ASSERT_TRUE(predict);
  EXPECT_EQ(predict->status, 404);

  auto get_inv = r->get("/invocations");
  ASSERT_TRUE(get_inv);
  EXPECT_EQ(get_inv->status, 405);
  EXPECT_EQ(get_inv->get_header_value("Allow"), "POST");
  EXPECT_EQ(body_json(get_inv)["error_code"], "METHOD_NOT_ALLOWED");
  auto post_ping = r->post("", "application/json", "/ping");
  ASSERT_TRUE(post_ping);
  EXPECT_EQ(post_ping->status, 405);

  std::vector<size_t> many(600);
  for (size_t i = 0; i < many.size(); ++i) many[i] = i % 150;
  const std::string big = split_body(many).dump();
  ASSERT_GT(big.size(), 4096u);
  auto large = r->post(big, "application/json");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->status, 413);
  EXPECT_TRUE(contains(body_json(large)["message"], "larger than 4096 bytes")) << large->body;
  auto ping = r->get("/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
}

TEST_F(ScoringServerTest, EveryModelUriFormLoadsTheSameModel) {
  platform::Lab& lab = *shared->lab;
  // A second iris version (the same run), so "latest", stages and aliases have a choice to make.
  auto v2 = lab.registry().register_model("runs:/" + shared->iris_run + "/model", "iris");
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  ASSERT_TRUE(lab.registry().set_registered_model_alias("iris", "champion", 1).is_ok());
  ASSERT_TRUE(lab.registry().transition_model_version_stage("iris", 1, "Production", true).is_ok());
  struct Want {
    std::string uri;
    std::optional<int> version;
  };
  const std::vector<Want> uris = {{"models:/iris/1", 1},
                                  {"models:/iris/latest", v2->version},
                                  {"models:/iris@champion", 1},
                                  {"models:/iris/Production", 1},
                                  {"runs:/" + shared->iris_run + "/model", std::nullopt}};
  const std::string body = split_body({0, 75, 140}).dump();
  for (const auto& w : uris) {
    SCOPED_TRACE(w.uri);
    auto s = ScoringServer::create(lab, w.uri);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    EXPECT_EQ((*s)->model().resolved.run_id, shared->iris_run);
    EXPECT_EQ((*s)->model().resolved.version, w.version);
    Reply reply = (*s)->invoke("application/json", body);  // no socket needed
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(json::parse(reply.body)["predictions"], expected_predictions({0, 75, 140}));
  }
  for (const std::string& bad : {std::string("models:/nope/1"), std::string("models:/iris/99"),
                                 std::string("models:/iris@nobody"), std::string("runs:/0123/model"),
                                 std::string("iris")}) {
    SCOPED_TRACE(bad);
    auto s = ScoringServer::create(lab, bad);
    ASSERT_FALSE(s.is_ok());
    EXPECT_TRUE(contains(s.status().message(), "cannot serve '" + bad + "'")) << s.status().message();
  }
}

TEST_F(ScoringServerTest, ATakenPortIsRefusedAndStopBeforeServeReturns) {
  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  auto second = ScoringServer::create(*shared->lab, "models:/iris/1");
  ASSERT_TRUE(second.is_ok());
  Status st = (*second)->bind("127.0.0.1", r->server->port());
  ASSERT_FALSE(st.is_ok());
  EXPECT_TRUE(contains(st.message(), "127.0.0.1:" + std::to_string(r->server->port()))) << st.message();
  EXPECT_TRUE(contains(st.message(), "already in use")) << st.message();
  EXPECT_FALSE((*second)->bind("127.0.0.1", 70000).is_ok());
  auto ping = r->get("/ping");  // the first server is unaffected
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);

  // stop() before serve(): serve() returns at once and the port is closed.
  auto third = ScoringServer::create(*shared->lab, "models:/iris/1");
  ASSERT_TRUE(third.is_ok());
  ASSERT_TRUE((*third)->bind("127.0.0.1", 0).is_ok());
  const int port = (*third)->port();
  (*third)->stop();
  EXPECT_TRUE((*third)->serve().is_ok());
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  EXPECT_FALSE(c.Get("/ping"));
}

// Keys of the prediction-log records of `log`.
std::vector<std::string> log_records(const std::string& log) {
  return shared->lab->store().keys("predictions/" + log + "/");
}

TEST_F(ScoringServerTest, LoggingWritesOneRecordPerAnsweredRequest) {
  const size_t records_before = log_records("animals").size();
  auto before = shared->lab->predictions().list("animals");
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  {
    ServeOptions o;
    o.log_predictions = true;
    auto r = Running::start("models:/animals/1", o);
    ASSERT_TRUE(r);
    auto a = r->post(json{{"dataframe_split", {{"columns", {"size", "color"}}, {"data", {{1, "red"}, {12, "blue"}, {2, "green"}}}}}}.dump(),
                     "application/json");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200) << a->body;
    auto b = r->post("color,size\nred,3\nblue,13\n", "text/csv");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 200) << b->body;
    auto bad = r->post(json{{"dataframe_records", {{{"color", "red"}}}}}.dump(), "application/json");  // no size
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
  }  // stopped: the store is quiet now
  EXPECT_EQ(log_records("animals").size(), records_before + 2);  // one record per answered request
  auto after = shared->lab->predictions().list("animals");
  ASSERT_TRUE(after.is_ok()) << after.status().to_string();
  ASSERT_EQ(after->size(), before->size() + 5);
  const std::vector<std::pair<double, std::string>> want = {{1, "cat"}, {12, "dog"}, {2, "cat"}, {3, "cat"}, {13, "dog"}};
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& e = (*after)[before->size() + i];
    SCOPED_TRACE(i);
    EXPECT_EQ(e.model_name, "animals");
    EXPECT_EQ(e.model_version, 1);
    EXPECT_EQ(e.model_uri, "models:/animals/1");
    EXPECT_EQ(e.prediction, want[i].second);
    ASSERT_TRUE(e.input.has_value());
    EXPECT_EQ(e.input->at("size"), want[i].first);
    EXPECT_TRUE(e.probability.has_value() && *e.probability > 0.5);
  }
}

TEST_F(ScoringServerTest, ABurstOf1000RequestsFrom8ThreadsIsAnsweredCorrectlyAndLogged) {
  const size_t records_before = log_records("iris").size();
  auto entries_before = shared->lab->predictions().list("iris");
  ASSERT_TRUE(entries_before.is_ok());
  constexpr int kThreads = 8, kPerThread = 125;
  std::atomic<int> ok{0};
  std::atomic<size_t> rows_sent{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  {
    ServeOptions o;
    o.log_predictions = true;
    auto r = Running::start("models:/iris/1", o);
    ASSERT_TRUE(r);
    std::vector<std::thread> clients;
    for (int t = 0; t < kThreads; ++t) {
      clients.emplace_back([&, t] {
        std::mt19937 rng(1000u + unsigned(t));
        httplib::Client cli("127.0.0.1", r->server->port());
        for (int i = 0; i < kPerThread; ++i) {
          std::vector<size_t> rows(1 + rng() % 5);
          for (auto& row : rows) row = rng() % 150;
          const int format = int(rng() % 5);
          const bool proba = i % 4 == 0;
          std::string body, type = "application/json";
          json j;
          if (format == 0) j = split_body(rows);
          else if (format == 1) j = {{"dataframe_records", records(rows)}};
          else if (format == 2) j = {{"inputs", columns_dict(rows)}};
          else if (format == 3) j = {{"instances", records(rows)}};
          if (format == 4) {
            body = csv_body(rows);
            type = "text/csv";
          } else {
            if (proba) j["params"] = {{"predict_proba", true}};
            body = j.dump();
          }
          std::string problem;
          auto res = cli.Post("/invocations", body, type.c_str());
          if (!res) {
            problem = "no answer: " + httplib::to_string(res.error());
          } else if (res->status != 200) {
            problem = "status " + std::to_string(res->status) + ": " + res->body;
          } else {
            json answer = json::parse(res->body, nullptr, false);
            if (answer.is_discarded() || answer["predictions"] != expected_predictions(rows)) {
              problem = "wrong predictions " + res->body + " for format " + std::to_string(format);
            } else if (proba && format != 4) {
              for (const auto& p : answer["probabilities"]) {
                double sum = 0;
                for (const auto& v : p) sum += v.get<double>();
                if (std::fabs(sum - 1.0) > 1e-12) problem = "probabilities do not sum to 1: " + p.dump();
              }
              if (answer["probabilities"].size() != rows.size()) problem = "wrong probability rows";
            }
          }
          rows_sent += rows.size();
          if (problem.empty()) {
            ++ok;
          } else {
            std::lock_guard<std::mutex> lock(failures_mutex);
            failures.push_back(problem);
          }
        }
      });
    }
    for (auto& c : clients) c.join();
  }
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures; first: " << failures.front();
  // Logged under the lock: one record per request, every row once.
  EXPECT_EQ(log_records("iris").size(), records_before + size_t(kThreads * kPerThread));
  auto entries_after = shared->lab->predictions().list("iris");
  ASSERT_TRUE(entries_after.is_ok());
  EXPECT_EQ(entries_after->size(), entries_before->size() + rows_sent.load());
  std::set<std::string> ids;
  for (const auto& e : *entries_after) ids.insert(e.prediction_id);
  EXPECT_EQ(ids.size(), entries_after->size());  // prediction ids stay unique under concurrency
}


// ---- abuse: hostile bodies, slow clients, bad framing, connection limits (issue 9) ----

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

double ms_since(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

// One HTTP answer read from a raw socket.
struct RawAnswer {
  int status = 0;
  std::string head;
  std::string body;
};

// A client connection on a raw socket: sends any bytes (what httplib's client refuses to send:
// a wrong Content-Length, half a request) and reads answers byte-exactly.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += size_t(n);
    }
    return true;
  }
  // Reads what is available within `timeout` into the buffer; false when the peer closed or
  // nothing came.
  bool read_some(Millis timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, int(timeout.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      peer_closed_ = true;
      return false;
    }
    in_.append(buf, size_t(n));
    return true;
  }
  // The next whole answer, if it arrives within `timeout`.
  std::optional<RawAnswer> answer(Millis timeout = Millis(10000)) {
    const auto end = SteadyClock::now() + timeout;
    for (;;) {
      if (auto a = take_answer()) return a;
      const auto left = std::chrono::duration_cast<Millis>(end - SteadyClock::now());
      if (left.count() <= 0 || !read_some(left)) return std::nullopt;
    }
  }
  // True when the server closes the connection within `timeout` (after any answer was read).
  bool closed_by_server(Millis timeout = Millis(5000)) {
    const auto end = SteadyClock::now() + timeout;
    while (!peer_closed_) {
      const auto left = std::chrono::duration_cast<Millis>(end - SteadyClock::now());
      if (left.count() <= 0) return false;
      if (!read_some(left) && !peer_closed_) return false;
    }
    return true;
  }
  // A whole answer at the start of what was read, removed from it.
  std::optional<RawAnswer> take_answer() {
    const size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return std::nullopt;
    RawAnswer a;
    a.head = in_.substr(0, head_end);
    a.status = std::atoi(a.head.c_str() + a.head.find(' ') + 1);
    size_t length = 0;
    const std::string lower_head = [&] {
      std::string h = a.head;
      for (char& ch : h) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      return h;
    }();
    const size_t cl = lower_head.find("content-length:");
    if (cl != std::string::npos) length = size_t(std::atoll(a.head.c_str() + cl + 15));
    if (in_.size() < head_end + 4 + length) return std::nullopt;
    a.body = in_.substr(head_end + 4, length);
    in_.erase(0, head_end + 4 + length);
    return a;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool peer_closed_ = false;
  std::string in_;
};

std::string request_head(const std::string& method, const std::string& path, const std::string& extra_headers) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

// GET /ping on a new connection: the status and how long the answer took.
std::pair<int, double> timed_ping(int port) {
  const auto start = SteadyClock::now();
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  auto res = c.Get("/ping");
  return {res ? res->status : 0, ms_since(start)};
}

TEST_F(ScoringServerTest, DeepJsonAndOutOfRangeNumbersAreRefusedWith400AndTheServerKeepsServing) {
  auto r = Running::start("models:/iris/1");
  ASSERT_TRUE(r);
  // Issue 9: a ~300 KB body nesting 60,000 levels ended the server with SIGSEGV.
  const std::string deep = "{\"dataframe_split\": " + std::string(60000, '[') + std::string(60000, ']') + "}";
  auto res = r->post(deep, "application/json");
  ASSERT_TRUE(res) << "the server died";
  EXPECT_EQ(res->status, 400);
  json e = body_json(res);
  EXPECT_EQ(e["error_code"], "BAD_REQUEST");
  EXPECT_EQ(e["message"], "request body: JSON nests deeper than 128 levels at line 1, column 148");
  const std::string deep_objects = std::string(60000, '[') + "{\"a\": 1}" + std::string(60000, ']');
  res = r->post(deep_objects, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);

  // 1e400 got HTTP 500 with the raw library exception; now 400 naming the field.
  json rows = split_body({1});
  std::string body = rows.dump();
  const std::string first = data::format_number(iris_value(1, 0));
  const size_t at = body.find("[[" + first);
  ASSERT_NE(at, std::string::npos) << body;
  body.replace(at + 2, first.size(), "1e400");
  res = r->post(body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  e = body_json(res);
  EXPECT_EQ(e["error_code"], "BAD_REQUEST");
  const std::string message = e.value("message", "");
  EXPECT_TRUE(contains(message, "number 1e400")) << message;
  EXPECT_TRUE(contains(message, "(field 'dataframe_split.data[0][0]') is out of range")) << message;
  res = r->post("{\"inputs\": {\"sepal length (cm)\": -1e999}}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_TRUE(contains(body_json(res)["message"], "field 'inputs.sepal length (cm)'")) << res->body;

  // Hostile bodies never reach 500 (a 500 means the server's fault).
  const std::vector<std::string> hostile = {
      "", "null", "\"x\"", "{}", "{\"inputs\": null}", "{\"inputs\": [[[1]]]}", "{\"inputs\": {\"a\": {\"b\": 1}}}",
      "{\"dataframe_split\": {\"columns\": [1], \"data\": [[1]]}}", "{\"inputs\": [\"\\u0000\"]}",
      "{\"dataframe_records\": [{\"sepal length (cm)\": 1e308, \"sepal width (cm)\": -1e308, "
      "\"petal length (cm)\": 1e308, \"petal width (cm)\": 1e308}]}",
      std::string("{\"inputs\": \"") + std::string(100000, 'x') + "\"}", "{\"inputs\": [{\"\xff\xfe\": 1}]}",
      "{\"params\": {\"predict_proba\": true}, \"inputs\": []}", "[" + std::string(127, '[') + std::string(128, ']')};
  for (const auto& h : hostile) {
    SCOPED_TRACE(h.substr(0, 80));
    auto hr = r->post(h, "application/json");
    ASSERT_TRUE(hr) << "no answer";
    EXPECT_GE(hr->status, 200);
    EXPECT_LT(hr->status, 500) << hr->body;
    EXPECT_LE(hr->body.size(), 5000u);  // messages quote values cut to a readable length
  }
  auto ping = r->get("/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  auto good = r->post(split_body({7}).dump(), "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(body_json(good)["predictions"], expected_predictions({7}));
}

TEST_F(ScoringServerTest, BooleansAreRefusedForNumericAndStringColumnsNamingColumnAndRow) {
  auto iris = Running::start("models:/iris/1");
  ASSERT_TRUE(iris);
  json with_bool = records({1, 2});
  with_bool[1]["petal width (cm)"] = true;
  json split = split_body({1, 2});
  split["dataframe_split"]["data"][0][2] = false;
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"dataframe_records", with_bool}}, "dataframe_records: column 'petal width (cm)' expects double, got boolean (true in row 2)"},
      {split, "dataframe_split: column 'petal length (cm)' expects double, got boolean (false in row 1)"},
      {{{"inputs", {{"sepal length (cm)", {5.1, true}}, {"sepal width (cm)", {1, 2}}, {"petal length (cm)", {1, 2}},
                    {"petal width (cm)", {1, 2}}}}},
       "inputs: column 'sepal length (cm)' expects double, got boolean (true in row 2)"},
  };
  for (const auto& [body, want] : cases) {
    SCOPED_TRACE(want);
    auto res = iris->post(body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    json e = body_json(res);
    EXPECT_EQ(e["error_code"], "BAD_REQUEST");
    EXPECT_EQ(e["message"], want);
  }
  // Numeric text is read as its number, as MLflow's schema cast does: the same predictions.
  json as_text = records({3, 60, 120});
  for (auto& row : as_text) {
    for (auto& [k, v] : row.items()) v = data::format_number(v.get<double>());
  }
  auto text = iris->post(json{{"dataframe_records", as_text}}.dump(), "application/json");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 200) << text->body;
  EXPECT_EQ(body_json(text)["predictions"], expected_predictions({3, 60, 120}));

  auto animals = Running::start("models:/animals/1");
  ASSERT_TRUE(animals);
  auto res = animals->post(json{{"dataframe_records", {{{"color", true}, {"size", 2}}}}}.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(body_json(res)["message"], "dataframe_records: column 'color' expects string, got boolean (true in row 1)");
  // A number for a string column is its text (as a category it was not trained on, ignored by
  // the encoder here): the size decides.
  res = animals->post(json{{"dataframe_records", {{{"color", 7}, {"size", 2}}, {{"color", 1.5}, {"size", 12}}}}}.dump(),
                      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(body_json(res)["predictions"], json({"cat", "dog"}));
}

TEST_F(ScoringServerTest, ContentLengthIsCheckedBeforeTheBodyIsRead) {
  ServeOptions o;
  o.max_body_bytes = 1 << 20;
  auto r = Running::start("models:/iris/1", o);
  ASSERT_TRUE(r);
  const int port = r->server->port();
  struct Case {
    std::string length;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"abc", 400, "Content-Length 'abc' is not a number of bytes"},
      {"-1", 400, "Content-Length -1 is negative"},
      {"1e3", 400, "Content-Length '1e3' is not a number of bytes"},
      {"10000000000", 413, "the request body (Content-Length 10000000000) is larger than 1048576 bytes"},
      {"99999999999999999999999", 413, "the request body (Content-Length 99999999999999999999999) is larger than 1048576 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("Content-Length: " + c.length);
    RawConnection conn(port);
    ASSERT_TRUE(conn.connected());
    const auto start = SteadyClock::now();
    // A 2-byte body whatever the header says: the answer must not wait for the rest.
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations",
                                       "Content-Type: application/json\r\nContent-Length: " + c.length + "\r\n") +
                          "{}"));
    auto a = conn.answer();
    ASSERT_TRUE(a) << "no answer";
    const double ms = ms_since(start);
    EXPECT_EQ(a->status, c.status) << a->head;
    json e = json::parse(a->body, nullptr, false);
    EXPECT_EQ(e["error_code"], "BAD_REQUEST");
    EXPECT_EQ(e["message"], c.message);
    EXPECT_TRUE(contains(a->head, "Connection: close")) << a->head;
    EXPECT_TRUE(conn.closed_by_server()) << "the connection was held open";
    if (c.length == "10000000000") std::printf("Content-Length: 10000000000 with a 2-byte body: %d in %.2f ms\n", a->status, ms);
  }
  // Two different lengths, and a chunked body (no length to check before reading it).
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations", "Content-Length: 2\r\nContent-Length: 3\r\n") + "{}"));
    auto a = conn.answer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 400);
    EXPECT_TRUE(contains(a->body, "conflicting Content-Length headers ('2' and '3')")) << a->body;
  }
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations", "Transfer-Encoding: chunked\r\n") + "2\r\n{}\r\n0\r\n\r\n"));
    auto a = conn.answer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 411);
    EXPECT_TRUE(contains(a->body, "send the body with a Content-Length header")) << a->body;
  }
  // "Expect: 100-continue" (curl sends it for large bodies): a refused length gets the refusal
  // instead of the go-ahead; an accepted one gets 100, then the answer.
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations",
                                       "Content-Type: application/json\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n")));
    auto a = conn.answer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 413);
    EXPECT_TRUE(conn.closed_by_server());
  }
  {
    RawConnection conn(port);
    const std::string body = split_body({11}).dump();
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations",
                                       "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                           "\r\nExpect: 100-continue\r\n")));
    auto go = conn.answer();
    ASSERT_TRUE(go);
    EXPECT_EQ(go->status, 100);
    ASSERT_TRUE(conn.send(body));
    auto a = conn.answer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200) << a->body;
    EXPECT_EQ(json::parse(a->body)["predictions"], expected_predictions({11}));
  }
  // No Content-Length on a POST: no body (not "read until the client closes").
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations", "Content-Type: application/json\r\n")));
    auto a = conn.answer(Millis(3000));
    ASSERT_TRUE(a) << "the server waited for a body";
    EXPECT_EQ(a->status, 400);
    EXPECT_TRUE(contains(a->body, "request body: invalid JSON at line 1, column 1")) << a->body;
  }
  // A correct request on a kept-alive connection after all that.
  RawConnection conn(port);
  const std::string body = split_body({9}).dump();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations",
                                       "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") +
                          body));
    auto a = conn.answer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200) << a->body;
    EXPECT_EQ(json::parse(a->body)["predictions"], expected_predictions({9}));
  }
}

TEST_F(ScoringServerTest, SixtyFourSlowClientsDoNotDelayPing) {
  auto r = Running::start("models:/iris/1");  // the default limits
  ASSERT_TRUE(r);
  const int port = r->server->port();
  // Each sends its headers and part of a body, then stalls (issue 9: 8 of them delayed /ping to
  // ~7 s, 64 made it time out).
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 64; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->send(
        request_head("POST", "/invocations", "Content-Type: application/json\r\nContent-Length: 1000\r\n") +
        "{\"inputs\": [{\"sepal length (cm)\": "));
  }
  std::this_thread::sleep_for(Millis(200));  // every slow request is being read by now
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    auto [status, ms] = timed_ping(port);
    EXPECT_EQ(status, 200);
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  std::printf("64 slow clients: /ping in %.1f ms (median of 5; slowest %.1f ms)\n", times[2], times[4]);
  // The bound issue 9 sets, on the median so that one scheduling hiccup of a loaded machine does
  // not decide (before the fix /ping did not answer at all).
  EXPECT_LT(times[2], 100.0);
  auto good = r->post(split_body({4}).dump(), "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(body_json(good)["predictions"], expected_predictions({4}));
}

TEST_F(ScoringServerTest, SlowRequestsTimeOutWith408AndTheirConnectionsClose) {
  ServeOptions o;
  o.read_timeout_ms = 400;
  o.header_timeout_ms = 600;
  o.body_timeout_ms = 600;
  auto r = Running::start("models:/iris/1", o);
  ASSERT_TRUE(r);
  const int port = r->server->port();
  // A stalled body: nothing more after part of it.
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations", "Content-Type: application/json\r\nContent-Length: 100\r\n") + "{\"in"));
    auto a = conn.answer(Millis(5000));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 408);
    EXPECT_TRUE(contains(a->body, "the client sent nothing for 400 ms in the middle of a request")) << a->body;
    EXPECT_TRUE(conn.closed_by_server());
  }
  // A body trickled a byte at a time, each within the read timeout: the body timeout ends it.
  {
    RawConnection conn(port);
    ASSERT_TRUE(conn.send(request_head("POST", "/invocations", "Content-Type: application/json\r\nContent-Length: 100\r\n")));
    const auto start = SteadyClock::now();
    std::optional<RawAnswer> a;
    for (int i = 0; i < 40 && !a; ++i) {
      conn.send(" ");
      if (conn.read_some(Millis(100))) a = conn.take_answer();
    }
    if (!a) a = conn.answer(Millis(2000));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 408);
    EXPECT_TRUE(contains(a->body, "the request body did not arrive within 600 ms")) << a->body;
    EXPECT_LT(ms_since(start), 3000.0);
  }
  // Headers trickled a byte at a time: the header timeout ends them.
  {
    RawConnection conn(port);
    const std::string head = request_head("GET", "/ping", "X-Slow: " + std::string(200, 'x') + "\r\n");
    std::optional<RawAnswer> a;
    for (size_t i = 0; i < head.size() && !a; ++i) {
      conn.send(head.substr(i, 1));
      if (conn.read_some(Millis(50))) a = conn.take_answer();
    }
    if (!a) a = conn.answer(Millis(2000));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 408);
    EXPECT_TRUE(contains(a->body, "the request line and headers did not arrive within 600 ms")) << a->body;
  }
  // A head without end: 431 past 64 KB.
  {
    RawConnection conn(port);
    conn.send("GET /ping HTTP/1.1\r\nX-Big: " + std::string(70000, 'x'));
    auto a = conn.answer(Millis(5000));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 431);
  }
  auto ping = r->get("/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
}

TEST_F(ScoringServerTest, ConnectionsOverTheCapAreRefusedWith503AtOnceAndQueuedOnesDoNotWaitForever) {
  ServeOptions o;
  o.max_connections = 4;
  o.max_queued = 2;
  o.queue_timeout_ms = 300;
  auto r = Running::start("models:/iris/1", o);
  ASSERT_TRUE(r);
  const int port = r->server->port();
  // Four connections that send nothing hold the four workers (for the 5 s read timeout).
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(held.back()->connected());
  }
  std::this_thread::sleep_for(Millis(100));
  // Two wait in the queue...
  std::vector<std::unique_ptr<RawConnection>> queued;
  for (int i = 0; i < 2; ++i) {
    queued.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(queued.back()->send(request_head("GET", "/ping", "")));
  }
  std::this_thread::sleep_for(Millis(50));
  // ...and the next is refused at once.
  RawConnection over(port);
  ASSERT_TRUE(over.connected());
  over.send(request_head("GET", "/ping", ""));
  const auto start = SteadyClock::now();
  auto a = over.answer(Millis(5000));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 503);
  EXPECT_LT(ms_since(start), 250.0);  // before any queued connection's 300 ms ran out
  json e = json::parse(a->body, nullptr, false);
  EXPECT_EQ(e["error_code"], "TEMPORARILY_UNAVAILABLE");
  EXPECT_EQ(e["message"], "the server is at its limit of 4 connections (and 2 waiting); try again later");
  // The queued ones are refused once they waited 300 ms, not kept forever.
  for (auto& q : queued) {
    auto qa = q->answer(Millis(5000));
    ASSERT_TRUE(qa);
    EXPECT_EQ(qa->status, 503);
    EXPECT_TRUE(contains(qa->body, "waited longer than 300 ms")) << qa->body;
  }
  held.clear();  // the workers come free
  std::this_thread::sleep_for(Millis(100));
  auto ping = r->get("/ping");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
}

TEST_F(ScoringServerTest, AThousandConcurrentRequestsAllSucceed) {
  auto r = Running::start("models:/iris/1");  // the default limits
  ASSERT_TRUE(r);
  const int port = r->server->port();
  constexpr size_t kRequests = 1000;
  // Both ends live in this process: 2,000 sockets, over the soft descriptor limit of many
  // machines (1,024); the hard limit is usually far higher.
  rlimit files{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  if (files.rlim_cur < 4096 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
  }
  ASSERT_GE(files.rlim_cur, 2 * kRequests + 100) << "this test needs 2,100 file descriptors (ulimit -n)";
  std::vector<std::unique_ptr<RawConnection>> conns;
  std::vector<std::vector<size_t>> rows(kRequests);
  std::mt19937 rng(9);
  const auto start = SteadyClock::now();
  // All 1000 connections open and send their request before any answer is read.
  for (size_t i = 0; i < kRequests; ++i) {
    rows[i] = {rng() % 150, rng() % 150};
    const std::string body = (i % 2 ? json{{"dataframe_records", records(rows[i])}} : split_body(rows[i])).dump();
    conns.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(conns.back()->connected()) << i;
    ASSERT_TRUE(conns.back()->send(request_head("POST", "/invocations",
                                                "Content-Type: application/json\r\nContent-Length: " +
                                                    std::to_string(body.size()) + "\r\nConnection: close\r\n") +
                                   body));
  }
  std::vector<std::optional<RawAnswer>> answers(kRequests);
  size_t pending = kRequests;
  const auto give_up = SteadyClock::now() + std::chrono::seconds(60);
  while (pending > 0 && SteadyClock::now() < give_up) {
    std::vector<pollfd> fds;
    std::vector<size_t> which;
    for (size_t i = 0; i < kRequests; ++i) {
      if (!answers[i]) {
        fds.push_back({conns[i]->fd(), POLLIN, 0});
        which.push_back(i);
      }
    }
    if (::poll(fds.data(), fds.size(), 1000) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const size_t i = which[k];
      conns[i]->read_some(Millis(0));
      if ((answers[i] = conns[i]->take_answer())) --pending;
      else if (fds[k].revents & (POLLHUP | POLLERR)) answers[i] = RawAnswer{}, --pending;  // closed without an answer
    }
  }
  const double seconds = ms_since(start) / 1000.0;
  size_t ok = 0;
  std::string first_problem;
  for (size_t i = 0; i < kRequests; ++i) {
    const bool right = answers[i] && answers[i]->status == 200 &&
                       json::parse(answers[i]->body, nullptr, false)["predictions"] == expected_predictions(rows[i]);
    if (right) ++ok;
    else if (first_problem.empty()) first_problem = answers[i] ? std::to_string(answers[i]->status) + " " + answers[i]->body : "no answer";
  }
  std::printf("1000 concurrent /invocations: %zu answered correctly in %.2f s (%.0f requests/s)\n", ok, seconds,
              double(ok) / seconds);
  EXPECT_EQ(ok, kRequests) << first_problem;
}

}  // namespace
}  // namespace mllab::serve
