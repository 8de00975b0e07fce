// The scoring server (see serve.hpp). Sections:
//   [SECTION] Request parsing: content type, JSON formats, CSV
//   [SECTION] Answers: predictions as JSON, errors
//   [SECTION] ScoringServer: model, routes, bind / serve / stop
#include "cli/serve.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <httplib.h>

#include "core/data/csv.hpp"
#include "core/monitoring/prediction_log.hpp"
#include "core/registry/model_doc.hpp"
#include "core/util/clock.hpp"

namespace mllab::serve {
namespace {

using json = nlohmann::json;

// The input keys of MLflow's scoring protocol, and the optional parameters key.
constexpr const char* kFormats[] = {"dataframe_split", "dataframe_records", "inputs", "instances"};
constexpr const char* kParamsKey = "params";
constexpr const char* kExpectedKeys =
    "exactly one of 'dataframe_split', 'dataframe_records', 'inputs', 'instances' (and optionally 'params')";

// Dumps JSON without throwing on invalid UTF-8 (error messages may quote request bytes).
std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Messages are one line.
std::string one_line(std::string s) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return s;
}

std::string lower(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
  }
  return s;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

bool is_format_key(const std::string& key) {
  for (const char* f : kFormats) {
    if (key == f) return true;
  }
  return false;
}

// "a number", "an object"... for messages about the shape of a value.
std::string kind(const json& v) {
  const std::string t = v.type_name();
  return (t == "array" || t == "object") ? "an " + t : "a " + t;
}

// ---- [SECTION] Request parsing: content type, JSON formats, CSV ----

// A parsed request: the rows and whether probabilities were asked for.
struct Request {
  data::Table rows;
  bool predict_proba = false;
};

// A request that cannot be answered: HTTP status and message (error_code BAD_REQUEST).
struct Refusal {
  int status = 400;
  std::string message;
};

// The media type of a Content-Type header ("application/json"), or a 415 refusal for a charset
// other than UTF-8 or an unknown parameter (as MLflow).
std::variant<std::string, Refusal> media_type(const std::string& header) {
  if (trim(header).empty()) {
    return Refusal{415, "no Content-Type header; send application/json or text/csv"};
  }
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t semi = header.find(';', start);
    parts.push_back(trim(std::string_view(header).substr(start, semi == std::string::npos ? std::string::npos : semi - start)));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  const std::string mime = lower(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    const size_t eq = parts[i].find('=');
    const std::string key = lower(trim(std::string_view(parts[i]).substr(0, eq)));
    std::string value = eq == std::string::npos ? "" : trim(std::string_view(parts[i]).substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key != "charset") {
      return Refusal{415, "unsupported Content-Type parameter '" + key + "' (only charset=utf-8 is accepted)"};
    }
    if (lower(value) != "utf-8") {
      return Refusal{415, "unsupported charset '" + value + "': the scoring server only supports UTF-8"};
    }
  }
  if (mime != "application/json" && mime != "text/csv") {
    return Refusal{415, "unsupported Content-Type '" + mime + "'; send application/json or text/csv"};
  }
  return mime;
}

// Rewrites table_from_split_json's "input: ..." messages to name the request key.
Status under_key(const Status& st, const std::string& key) {
  std::string m = st.message();
  if (m.rfind("input: ", 0) == 0) m = m.substr(7);
  else if (m.rfind("input ", 0) == 0) m = m.substr(6);
  return Status::invalid(key + ": " + m);
}

// A pandas "split" document from column names and rows (arrays of values, null for missing).
Result<data::Table> split_to_table(const std::vector<std::string>& columns, json rows, const std::string& key) {
  json doc = {{"columns", columns}, {"data", std::move(rows)}};
  auto t = registry::table_from_split_json(doc);
  if (!t) return under_key(t.status(), key);
  return t;
}

// [{"a": 1, "b": "x"}, ...]: a key missing from a row is a missing value (as pandas).
Result<data::Table> records_to_table(const json& rows, const std::string& key) {
  std::vector<std::string> columns;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].is_object()) {
      return Status::invalid(key + ": row " + std::to_string(i + 1) + " is " + kind(rows[i]) +
                             "; expected an object {column: value}");
    }
    for (auto it = rows[i].begin(); it != rows[i].end(); ++it) {
      if (index.emplace(it.key(), columns.size()).second) columns.push_back(it.key());
    }
  }
  json data = json::array();
  for (const auto& row : rows) {
    json values(json::value_t::array);
    values.get_ref<json::array_t&>().assign(columns.size(), json());
    for (auto it = row.begin(); it != row.end(); ++it) values[index[it.key()]] = it.value();
    data.push_back(std::move(values));
  }
  return split_to_table(columns, std::move(data), key);
}

// {"a": [1, 2], "b": ["x", "y"]} (or {"a": 1, "b": "x"}: one row).
Result<data::Table> columns_to_table(const json& cols, const std::string& key) {
  if (cols.empty()) return Status::invalid(key + ": no columns");
  size_t arrays = 0;
  for (auto it = cols.begin(); it != cols.end(); ++it) {
    if (it.value().is_array()) ++arrays;
    else if (it.value().is_object()) {
      return Status::invalid(key + ": column '" + it.key() + "' holds an object; expected a list of values");
    }
  }
  std::vector<std::string> columns;
  json data = json::array();
  if (arrays == 0) {  // one row of scalars
    json row = json::array();
    for (auto it = cols.begin(); it != cols.end(); ++it) {
      columns.push_back(it.key());
      row.push_back(it.value());
    }
    data.push_back(std::move(row));
    return split_to_table(columns, std::move(data), key);
  }
  std::string first;  // the first column holding a list: the others must hold as many values
  size_t n = 0;
  bool found = false;
  for (auto it = cols.begin(); it != cols.end() && !found; ++it) {
    if (it.value().is_array()) {
      found = true;
      first = it.key();
      n = it.value().size();
    }
  }
  for (auto it = cols.begin(); it != cols.end(); ++it) {
    if (!it.value().is_array()) {
      return Status::invalid(key + ": column '" + it.key() + "' holds one value but column '" + first +
                             "' holds a list; give every column a list of values");
    }
    if (it.value().size() != n) {
      return Status::invalid(key + ": column '" + it.key() + "' has " + std::to_string(it.value().size()) +
                             " values but column '" + first + "' has " + std::to_string(n));
    }
    columns.push_back(it.key());
  }
  for (size_t i = 0; i < n; ++i) {
    json row = json::array();
    for (auto it = cols.begin(); it != cols.end(); ++it) row.push_back(it.value()[i]);
    data.push_back(std::move(row));
  }
  return split_to_table(columns, std::move(data), key);
}

// "inputs" / "instances" (TF-serving style, as MLflow reads them for a column signature): a list
// of row objects, a {column: [values]} object, or a list of plain values for a one-column model.
Result<data::Table> tf_serving_to_table(const json& v, const std::string& key, const registry::ModelDoc& doc) {
  if (v.is_object()) return columns_to_table(v, key);
  if (!v.is_array()) {
    return Status::invalid(key + " is " + kind(v) + "; expected a list of objects {column: value} or an object "
                           "{column: [values]}");
  }
  bool all_objects = true;
  for (const auto& x : v) {
    if (!x.is_object()) all_objects = false;
  }
  if (all_objects) return records_to_table(v, key);
  const auto* sig = doc.signature ? &doc.signature->inputs : nullptr;
  if (sig && sig->size() == 1) {
    bool scalars = true;
    for (const auto& x : v) {
      if (x.is_array() || x.is_object()) scalars = false;
    }
    if (scalars) return columns_to_table(json{{sig->front().name, v}}, key);
  }
  std::string names;
  if (sig) {
    for (const auto& c : *sig) names += (names.empty() ? "'" : ", '") + c.name + "'";
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object()) {
      return Status::invalid(key + ": row " + std::to_string(i + 1) + " is " + kind(v[i]) +
                             "; expected an object {column: value}" +
                             (names.empty() ? "" : " (this model takes named columns " + names + ")"));
    }
  }
  return Status::internal(key + ": unreachable");
}

Result<data::Table> split_doc_to_table(const json& v) {
  const std::string key = "dataframe_split";
  if (!v.is_object()) return Status::invalid(key + " is " + kind(v) + "; expected {\"columns\": [...], \"data\": [[...], ...]}");
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() != "columns" && it.key() != "data" && it.key() != "index") {
      return Status::invalid(key + ": unknown key '" + it.key() + "' (expected 'columns', 'data' and optionally 'index')");
    }
  }
  for (const char* k : {"columns", "data"}) {
    if (!v.contains(k)) return Status::invalid(key + ": missing '" + k + "'");
    if (!v[k].is_array()) return Status::invalid(key + ": '" + k + "' is " + kind(v[k]) + "; expected a list");
  }
  if (v.contains("index")) {
    if (!v["index"].is_array()) return Status::invalid(key + ": 'index' is " + kind(v["index"]) + "; expected a list");
    if (v["index"].size() != v["data"].size()) {
      return Status::invalid(key + ": 'index' has " + std::to_string(v["index"].size()) + " entries but 'data' has " +
                             std::to_string(v["data"].size()) + " rows");
    }
  }
  auto t = registry::table_from_split_json(v);
  if (!t) return under_key(t.status(), key);
  return t;
}

// A JSON request body: exactly one input key, optional params.
Result<Request> parse_json_request(const std::string& body, const registry::ModelDoc& doc, bool regression) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const size_t close = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && close != std::string::npos) what = what.substr(close + 2);
    return Status::parse_error("malformed JSON: " + what);
  }
  if (!j.is_object()) {
    return Status::invalid("the body is " + kind(j) + "; expected a JSON object with " + kExpectedKeys);
  }
  std::vector<std::string> formats;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (is_format_key(it.key())) formats.push_back(it.key());
    else if (it.key() != kParamsKey) return Status::invalid("unknown key '" + it.key() + "'; expected " + kExpectedKeys);
  }
  if (formats.empty()) return Status::invalid(std::string("no input key; expected ") + kExpectedKeys);
  if (formats.size() > 1) {
    return Status::invalid("both '" + formats[0] + "' and '" + formats[1] + "' given; expected " + kExpectedKeys);
  }
  Request req;
  if (j.contains(kParamsKey)) {
    const json& params = j[kParamsKey];
    if (!params.is_object()) return Status::invalid("'params' is " + kind(params) + "; expected an object");
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it.key() != "predict_proba") {
        return Status::invalid("unknown parameter '" + it.key() + "' in 'params' (supported: 'predict_proba')");
      }
      if (!it.value().is_boolean()) {
        return Status::invalid("parameter 'predict_proba' is " + kind(it.value()) + "; expected true or false");
      }
      req.predict_proba = it.value().get<bool>();
    }
    if (req.predict_proba && regression) {
      return Status::invalid("parameter 'predict_proba' needs a classifier; this model is a regressor");
    }
  }
  const std::string& key = formats[0];
  const json& v = j[key];
  Result<data::Table> t = Status::internal("no input");
  if (key == "dataframe_split") {
    t = split_doc_to_table(v);
  } else if (key == "dataframe_records") {
    if (!v.is_array()) return Status::invalid(key + " is " + kind(v) + "; expected a list of objects {column: value}");
    t = records_to_table(v, key);
  } else {
    t = tf_serving_to_table(v, key, doc);
  }
  if (!t) return t.status();
  if (t->num_rows() == 0) return Status::invalid(key + ": no rows to predict");
  req.rows = std::move(t).value();
  return req;
}

// A text/csv body: a header row and data rows.
Result<Request> parse_csv_request(const std::string& body) {
  data::CsvOptions opts;
  opts.source = "text/csv body";
  auto t = data::read_csv(body, opts);
  if (!t) return t.status();
  if (t->num_rows() == 0) return Status::invalid("text/csv body: no rows to predict (a header row and data rows are needed)");
  Request req;
  req.rows = std::move(t).value();
  return req;
}

// ---- [SECTION] Answers: predictions as JSON, errors ----

// Parses a whole string as an int64 ("3", "-1"; not "3.0" or " 3").
bool parse_int64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  auto [p, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && p == e;
}

// The class labels as JSON values: numbers when the signature says the labels are int64 /
// float64 (or, without a signature, when every label reads as one), else strings.
nlohmann::ordered_json class_values(const registry::LoadedModel& model) {
  using ojson = nlohmann::ordered_json;
  const std::vector<std::string>& classes = model.pipeline->classes;
  std::string dtype;
  if (model.doc.signature && !model.doc.signature->outputs.empty()) dtype = model.doc.signature->outputs[0].dtype;
  auto as_ints = [&](ojson* out) {
    *out = ojson::array();
    for (const auto& c : classes) {
      int64_t v = 0;
      if (!parse_int64(c, &v)) return false;
      out->push_back(v);
    }
    return true;
  };
  auto as_doubles = [&](ojson* out) {
    *out = ojson::array();
    for (const auto& c : classes) {
      double v = 0;
      if (!data::parse_number(c, &v)) return false;
      out->push_back(v);
    }
    return true;
  };
  ojson out;
  if ((dtype == "int64" || dtype.empty()) && as_ints(&out)) return out;
  if ((dtype == "float64" || dtype == "int64" || dtype.empty()) && as_doubles(&out)) return out;
  return ojson(classes);
}

Reply json_reply(int status, std::string body) { return Reply{status, "application/json", std::move(body)}; }

Reply error_reply(int status, const std::string& code, const std::string& message) {
  return json_reply(status, error_body(code, message));
}

// A Status from parsing or predicting: internal and storage errors are the server's fault (500),
// the rest the request's (400).
Reply status_reply(const Status& st) {
  if (st.code() == ErrorCode::kInternalError || st.code() == ErrorCode::kStorageError) {
    return error_reply(500, "INTERNAL_ERROR", st.message());
  }
  return error_reply(400, "BAD_REQUEST", st.message());
}

// The wrong method on a known path.
httplib::Server::Handler method_not_allowed(const std::string& allow) {
  return [allow](const httplib::Request& req, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", allow);
    res.set_content(error_body("METHOD_NOT_ALLOWED", req.method + " " + req.path + " is not supported; use " + allow),
                    "application/json");
  };
}

}  // namespace

std::string error_body(const std::string& error_code, const std::string& message) {
  return dump(nlohmann::ordered_json{{"error_code", error_code}, {"message", one_line(message)}});
}

// ---- [SECTION] ScoringServer: model, routes, bind / serve / stop ----

// httplib::Server with a way to close the listening socket whether or not the accept loop has
// started (httplib's stop() does nothing before it has).
class HttpServer : public httplib::Server {
 public:
  // Shuts down and closes the listening socket (once); a running accept loop then ends.
  void close_listener() {
    socket_t s = svr_sock_.exchange(INVALID_SOCKET);
    if (s != INVALID_SOCKET) {
      ::shutdown(s, SHUT_RDWR);
      ::close(s);
    }
  }
};

ScoringServer::ScoringServer(platform::Lab& lab, registry::LoadedModel model, ServeOptions options)
    : lab_(lab), model_(std::move(model)), options_(options) {
  if (!model_.pipeline->is_regression()) class_values_ = class_values(model_);
  auto http = std::make_unique<HttpServer>();
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // server bind a port that is already being served instead of reporting it taken.
  http->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http->set_payload_max_length(options_.max_body_bytes);
  http->set_keep_alive_timeout(options_.keep_alive_seconds);
  if (options_.threads > 0) {
    const size_t n = size_t(options_.threads);
    http->new_task_queue = [n] { return new httplib::ThreadPool(n); };
  }
  http_ = std::move(http);
  install_routes();
}

ScoringServer::~ScoringServer() { stop(); }

Result<std::unique_ptr<ScoringServer>> ScoringServer::create(platform::Lab& lab, const std::string& model_uri,
                                                            ServeOptions options) {
  auto model = lab.registry().load_model(model_uri);
  if (!model) return Status(model.status().code(), "cannot serve '" + model_uri + "': " + model.status().message());
  if (!model->pipeline) return Status::internal("cannot serve '" + model_uri + "': no pipeline was loaded");
  return std::unique_ptr<ScoringServer>(new ScoringServer(lab, std::move(model).value(), options));
}

void ScoringServer::install_routes() {
  httplib::Server& s = *http_;
  auto ping = [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content("\n", "application/json");
  };
  s.Get("/ping", ping);
  s.Get("/health", ping);
  s.Get("/version", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(MLLAB_VERSION, "text/plain");
  });
  s.Post("/invocations", [this](const httplib::Request& req, httplib::Response& res) {
    Reply r = invoke(req.get_header_value("Content-Type"), req.body);
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  });
  for (const char* path : {"/ping", "/health", "/version"}) {
    s.Post(path, method_not_allowed("GET"));
    s.Put(path, method_not_allowed("GET"));
    s.Patch(path, method_not_allowed("GET"));
    s.Delete(path, method_not_allowed("GET"));
  }
  s.Get("/invocations", method_not_allowed("POST"));
  s.Put("/invocations", method_not_allowed("POST"));
  s.Patch("/invocations", method_not_allowed("POST"));
  s.Delete("/invocations", method_not_allowed("POST"));

  const size_t max_body = options_.max_body_bytes;
  // httplib calls this for every answer with status >= 400; fill in only what it made itself.
  s.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string code = res.status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
    std::string message = "HTTP " + std::to_string(res.status);
    if (res.status == 404) {
      code = "ENDPOINT_NOT_FOUND";
      message = "no endpoint " + req.method + " " + req.path +
                "; the scoring server has GET /ping, GET /health, GET /version and POST /invocations";
    } else if (res.status == 413) {
      message = "the request body is larger than " + std::to_string(max_body) + " bytes";
    }
    res.set_content(error_body(code, message), "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(error_body("INTERNAL_ERROR", what), "application/json");
  });
}

Reply ScoringServer::invoke(const std::string& content_type, const std::string& body) {
  try {
    auto mime = media_type(content_type);
    if (auto* refusal = std::get_if<Refusal>(&mime)) return error_reply(refusal->status, "BAD_REQUEST", refusal->message);
    const bool regression = model_.pipeline->is_regression();
    Result<Request> req = std::get<std::string>(mime) == "text/csv"
                              ? parse_csv_request(body)
                              : parse_json_request(body, model_.doc, regression);
    if (!req) return status_reply(req.status());

    // Prediction reads only the loaded model: no lock.
    auto p = registry::predict(model_, req->rows);
    if (!p) return status_reply(p.status());

    nlohmann::ordered_json out;
    if (p->regression) {
      out["predictions"] = p->values;
    } else {
      nlohmann::ordered_json labels = nlohmann::ordered_json::array();
      for (int c : p->class_indices) labels.push_back(class_values_.at(size_t(c)));
      out["predictions"] = std::move(labels);
      if (req->predict_proba) {
        out["classes"] = class_values_;
        nlohmann::ordered_json proba = nlohmann::ordered_json::array();
        for (Eigen::Index i = 0; i < p->probabilities.rows(); ++i) {
          nlohmann::ordered_json row = nlohmann::ordered_json::array();
          for (Eigen::Index k = 0; k < p->probabilities.cols(); ++k) row.push_back(p->probabilities(i, k));
          proba.push_back(std::move(row));
        }
        out["probabilities"] = std::move(proba);
      }
    }

    if (options_.log_predictions) {
      // The store and new_id()'s generator are shared: one writer at a time, one batch per request.
      std::lock_guard<std::mutex> lock(lab_mutex_);
      auto entries = monitoring::make_entries(model_, p.value(), now_ms(), /*keep_inputs=*/true);
      Status st = lab_.predictions().log(entries);
      if (!st.is_ok()) {
        return error_reply(500, "INTERNAL_ERROR", "the predictions could not be logged: " + st.message());
      }
    }
    return json_reply(200, dump(out));
  } catch (const std::exception& e) {
    return error_reply(500, "INTERNAL_ERROR", std::string("unexpected error: ") + e.what());
  }
}

Status ScoringServer::bind(const std::string& host, int port) {
  if (bound_) return Status::invalid("the server is already listening on port " + std::to_string(port_));
  if (stop_requested_) return Status::invalid("the server was stopped");
  if (port < 0 || port > 65535) return Status::invalid("port " + std::to_string(port) + " is outside 0..65535");
  errno = 0;
  int bound = -1;
  if (port == 0) bound = http_->bind_to_any_port(host);
  else if (http_->bind_to_port(host, port)) bound = port;
  if (bound <= 0) {
    const int err = errno;
    std::string msg = "cannot listen on " + host + ":" + std::to_string(port);
    if (err == EADDRINUSE) msg += ": the port is already in use";
    else if (err != 0) msg += std::string(": ") + std::strerror(err);
    else msg += ": the address cannot be bound (is the host a local address?)";
    return Status::invalid(msg);
  }
  port_ = bound;
  bound_ = true;
  return Status::ok();
}

Status ScoringServer::serve() {
  if (!bound_) return Status::invalid("serve() needs bind() first");
  // stop() sets stop_requested_, then closes the listening socket: either serve() sees the
  // request here, or the accept loop finds its socket closed (and returns at once).
  bool ok = true;
  if (!stop_requested_) ok = http_->listen_after_bind();
  if (!ok && !stop_requested_) return Status::internal("the server stopped accepting connections on port " + std::to_string(port_));
  return Status::ok();
}

Status ScoringServer::listen(const std::string& host, int port) {
  MLLAB_RETURN_IF_ERROR(bind(host, port));
  return serve();
}

void ScoringServer::stop() {
  stop_requested_ = true;
  if (http_) static_cast<HttpServer&>(*http_).close_listener();
}

}  // namespace mllab::serve
