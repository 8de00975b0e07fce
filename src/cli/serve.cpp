// The scoring server (see serve.hpp). Sections:
//   [SECTION] Request parsing: content type, JSON formats, CSV
//   [SECTION] Answers: predictions as JSON, errors
//   [SECTION] Connections: accept loop, workers, limits and timeouts
//   [SECTION] ScoringServer: model, routes, bind / serve / stop
#include "cli/serve.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <httplib.h>

#include "core/data/csv.hpp"
#include "core/monitoring/prediction_log.hpp"
#include "core/registry/model_doc.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"

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
Result<data::Table> split_to_table(const std::vector<std::string>& columns, json rows, const std::string& key,
                                   const registry::Signature* sig) {
  json doc = {{"columns", columns}, {"data", std::move(rows)}};
  auto t = registry::table_from_split_json(doc, sig);
  if (!t) return under_key(t.status(), key);
  return t;
}

// [{"a": 1, "b": "x"}, ...]: a key missing from a row is a missing value (as pandas).
Result<data::Table> records_to_table(const json& rows, const std::string& key, const registry::Signature* sig) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].is_object()) {
      return Status::invalid(key + ": row " + std::to_string(i + 1) + " is " + kind(rows[i]) +
                             "; expected an object {column: value}");
    }
  }
  auto t = registry::table_from_records_json(rows, sig);
  if (!t) return under_key(t.status(), key);
  return t;
}

// {"a": [1, 2], "b": ["x", "y"]} (or {"a": 1, "b": "x"}: one row).
Result<data::Table> columns_to_table(const json& cols, const std::string& key, const registry::Signature* sig) {
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
    return split_to_table(columns, std::move(data), key, sig);
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
  return split_to_table(columns, std::move(data), key, sig);
}

// "inputs" / "instances" (TF-serving style, as MLflow reads them for a column signature): a list
// of row objects, a {column: [values]} object, or a list of plain values for a one-column model.
Result<data::Table> tf_serving_to_table(const json& v, const std::string& key, const registry::ModelDoc& doc) {
  const registry::Signature* signature = doc.signature ? &*doc.signature : nullptr;
  if (v.is_object()) return columns_to_table(v, key, signature);
  if (!v.is_array()) {
    return Status::invalid(key + " is " + kind(v) + "; expected a list of objects {column: value} or an object "
                           "{column: [values]}");
  }
  bool all_objects = true;
  for (const auto& x : v) {
    if (!x.is_object()) all_objects = false;
  }
  if (all_objects) return records_to_table(v, key, signature);
  const auto* sig = doc.signature ? &doc.signature->inputs : nullptr;
  if (sig && sig->size() == 1) {
    bool scalars = true;
    for (const auto& x : v) {
      if (x.is_array() || x.is_object()) scalars = false;
    }
    if (scalars) return columns_to_table(json{{sig->front().name, v}}, key, signature);
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

Result<data::Table> split_doc_to_table(const json& v, const registry::Signature* sig) {
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
  auto t = registry::table_from_split_json(v, sig);
  if (!t) return under_key(t.status(), key);
  return t;
}

// A JSON request body: exactly one input key, optional params.
Result<Request> parse_json_request(const std::string& body, const registry::ModelDoc& doc, bool regression) {
  // read_json: a depth limit (the 60,000-level body of issue 9 overflowed the stack), line and
  // column in syntax errors, and the field of an out-of-range number (1e400).
  auto parsed = read_json(body, "request body");
  if (!parsed) return parsed.status();
  json j = std::move(parsed).value();
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
  const registry::Signature* sig = doc.signature ? &*doc.signature : nullptr;
  Result<data::Table> t = Status::internal("no input");
  if (key == "dataframe_split") {
    t = split_doc_to_table(v, sig);
  } else if (key == "dataframe_records") {
    if (!v.is_array()) return Status::invalid(key + " is " + kind(v) + "; expected a list of objects {column: value}");
    t = records_to_table(v, key, sig);
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

// ---- [SECTION] Connections: accept loop, workers, limits and timeouts ----
//
// httplib 0.11 (Debian's) reads a request with a per-read timeout only (a client sending a byte
// every few seconds holds a worker forever), queues every accepted connection behind a fixed
// pool (8 slow clients delayed /ping by seconds), trusts Content-Length (strtoull: "abc" is 0,
// "-1" huge) and reads a too-large body to its end before answering 413. Its accept loop and
// per-connection loop cannot be configured for more, so we run our own around the part of
// httplib that is sound: Server::process_request (protected), which parses one request, routes
// it and writes the answer through a Stream we provide. Ours (ConnectionStream) enforces the
// timeouts; the accept loop and ConnectionPool give each connection its own worker up to a cap
// and refuse with 503 above it; request framing (Content-Length, Transfer-Encoding) is checked
// in httplib's setup_request / pre-routing hooks, which run after the headers and before the
// body is read, so a refused body is never read.

// The reason phrases of the answers written without httplib.
const char* reason_phrase(int status) {
  switch (status) {
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// A JSON answer written straight to a socket (when httplib has no request to answer).
void write_raw_answer(socket_t sock, int status, const std::string& error_code, const std::string& message,
                      bool dont_wait) {
  const std::string body = error_body(error_code, message);
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(sock, text.data() + sent, text.size() - sent, MSG_NOSIGNAL | (dont_wait ? MSG_DONTWAIT : 0));
    if (n <= 0) return;
    sent += size_t(n);
  }
}

// Closes a connection. Request bytes still unread are read and dropped first (those already
// there, and for at most `linger` those still coming, up to 1 MiB): closing a socket with unread
// bytes resets it, and the client may then lose the answer it was just sent.
void close_connection(socket_t sock, std::chrono::milliseconds linger) {
  ::shutdown(sock, SHUT_WR);
  const auto end = std::chrono::steady_clock::now() + linger;
  char buf[16384];
  size_t dropped = 0;
  while (dropped < (size_t(1) << 20)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    pollfd p{sock, POLLIN, 0};
    if (left.count() > 0 && ::poll(&p, 1, int(left.count())) <= 0) break;
    const ssize_t n = ::recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;  // the client closed, or nothing more is there
    dropped += size_t(n);
  }
  ::close(sock);
}

// The limits of one connection (from ServeOptions).
struct Limits {
  size_t max_body_bytes = 0;
  std::chrono::milliseconds read_timeout{0}, write_timeout{0}, header_timeout{0}, body_timeout{0}, keep_alive{0};
  size_t max_requests = 0;
};

// The request line and headers together may not exceed this (httplib's line reader grows without bound).
constexpr size_t kMaxHeadBytes = 64 * 1024;
// The steps in which waits look at the stop flag.
constexpr std::chrono::milliseconds kPollStep{50};

std::string seconds_text(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + " s" : std::to_string(d.count()) + " ms";
}

// One client connection as httplib's process_request reads and writes it: buffered socket reads
// that wait at most read_timeout for the next bytes and never past the deadline of the part
// being read: the request line and headers (header_timeout from their first byte, at most
// kMaxHeadBytes) or the body (body_timeout from the end of the headers). httplib reads the head
// one byte at a time (its line reader), so the empty line ending it is seen where it is.
class ConnectionStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionStream(socket_t sock, const Limits& limits, const std::atomic<bool>& stopping)
      : sock_(sock), limits_(limits), stopping_(stopping) {}

  // Waits up to `timeout` for the first byte of a next request (or the client's close): false
  // when none came, the server is stopping, or `give_up()` became true meanwhile.
  bool wait_for_request(std::chrono::milliseconds timeout, const std::function<bool()>& give_up) {
    if (pos_ < len_) return true;
    const auto end = Clock::now() + timeout;
    for (;;) {
      if (stopping_ || give_up()) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{sock_, POLLIN, 0};
      const int r = ::poll(&p, 1, int(std::min(left, kPollStep).count()));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }

  // Starts reading a request: the head's deadline runs from now.
  void begin_request() {
    in_head_ = true;
    head_bytes_ = 0;
    tail_ = 0;
    deadline_ = Clock::now() + limits_.header_timeout;
    failure_.reset();
    answered_ = false;
  }

  // Why the last read failed when the client is to blame: 408 (a timeout) or 431 (a head over
  // kMaxHeadBytes); nullptr otherwise (the client closed, the server is stopping).
  const Refusal* failure() const { return failure_ ? &*failure_ : nullptr; }
  // Whether any byte of an answer was written since begin_request().
  bool answered() const { return answered_; }

  bool is_readable() const override { return pos_ < len_; }
  bool is_writable() const override {
    pollfd p{sock_, POLLOUT, 0};
    return ::poll(&p, 1, int(limits_.write_timeout.count())) > 0 && (p.revents & (POLLERR | POLLHUP)) == 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_ && !fill()) return -1;
    if (pos_ == len_) return 0;  // the client closed
    size_t n = std::min(size, len_ - pos_);
    if (in_head_) {
      // Find the empty line (CR LF CR LF) that ends the head; the body's deadline starts there.
      for (size_t i = 0; i < n; ++i) {
        const char ch = buf_[pos_ + i];
        tail_ = (ch == '\n' && (tail_ == 1 || tail_ == 3)) || (ch == '\r' && (tail_ == 0 || tail_ == 2)) ? tail_ + 1
                : ch == '\r'                                                                            ? 1
                                                                                                        : 0;
        if (tail_ == 4) {
          in_head_ = false;
          deadline_ = Clock::now() + limits_.body_timeout;
          n = i + 1;
          break;
        }
      }
      head_bytes_ += n;
      if (in_head_ && head_bytes_ > kMaxHeadBytes) {
        failure_ = Refusal{431, "the request line and headers are larger than " + std::to_string(kMaxHeadBytes) + " bytes"};
        return -1;
      }
    }
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return ssize_t(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    answered_ = true;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  // Reads what the socket has into the buffer, waiting within the limits. False on a timeout,
  // an error or a stop (failure_ says which when the client is to blame); true with len_ == pos_
  // when the client closed.
  bool fill() {
    pos_ = len_ = 0;
    const auto gap_end = Clock::now() + limits_.read_timeout;
    for (;;) {
      if (stopping_) return false;
      const auto now = Clock::now();
      if (now >= deadline_) {
        failure_ = Refusal{408, in_head_ ? "the request line and headers did not arrive within " +
                                               seconds_text(limits_.header_timeout)
                                         : "the request body did not arrive within " + seconds_text(limits_.body_timeout)};
        return false;
      }
      if (now >= gap_end) {
        failure_ = Refusal{408, "the client sent nothing for " + seconds_text(limits_.read_timeout) +
                                    " in the middle of a request"};
        return false;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(deadline_, gap_end) - now);
      pollfd p{sock_, POLLIN, 0};
      const int r = ::poll(&p, 1, int(std::clamp<int64_t>(left.count(), 1, kPollStep.count())));
      if (r < 0 && errno != EINTR) return false;
      if (r <= 0) continue;
      const ssize_t n = ::recv(sock_, buf_, sizeof buf_, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return false;
      len_ = size_t(n);
      return true;
    }
  }

  void address(bool peer, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    const int r = peer ? ::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &addr_len)
                       : ::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &addr_len);
    char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
    if (r == 0 && ::getnameinfo(reinterpret_cast<sockaddr*>(&addr), addr_len, host, sizeof host, serv, sizeof serv,
                                NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = std::atoi(serv);
    }
  }

  socket_t sock_;
  const Limits& limits_;
  const std::atomic<bool>& stopping_;
  char buf_[16384];
  size_t pos_ = 0, len_ = 0;
  bool in_head_ = true;
  size_t head_bytes_ = 0;
  int tail_ = 0;  // how much of CR LF CR LF the last head bytes match
  Clock::time_point deadline_ = Clock::now();
  std::optional<Refusal> failure_;
  bool answered_ = false;
};

// What httplib's hooks (setup_request, Expect: 100-continue, pre-routing, the error handler) need
// to know about the connection of the request they see. httplib calls them on the worker thread
// that answers the connection (from its first byte to its close), so this is per thread.
struct ConnectionState {
  ConnectionStream* stream = nullptr;
  std::optional<Refusal> refusal;  // the request's framing is refused; its body is not read
  bool close = false;              // close the connection after this answer
};
thread_local ConnectionState* t_connection = nullptr;

// The body length a request's headers announce, or why it is refused: Transfer-Encoding (a
// chunked body has no length to check before reading it: 411), several different or a non-numeric
// or negative Content-Length (400), a length over the limit (413). No Content-Length means no
// body (RFC 9112 6.3; httplib would read until the client closes).
std::variant<uint64_t, Refusal> body_length(const httplib::Request& req, size_t max_body) {
  if (req.has_header("Transfer-Encoding")) {
    return Refusal{411, "Transfer-Encoding '" + quote_for_message(req.get_header_value("Transfer-Encoding"), 40) +
                            "' is not supported; send the body with a Content-Length header"};
  }
  const size_t count = req.get_header_value_count("Content-Length");
  if (count == 0) return uint64_t(0);
  const std::string value = trim(req.get_header_value("Content-Length"));
  for (size_t i = 1; i < count; ++i) {
    if (trim(req.get_header_value("Content-Length", i)) != value) {
      return Refusal{400, "conflicting Content-Length headers ('" + quote_for_message(value, 40) + "' and '" +
                              quote_for_message(trim(req.get_header_value("Content-Length", i)), 40) + "')"};
    }
  }
  const bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    const bool negative = value.size() > 1 && value[0] == '-' && value.find_first_not_of("0123456789", 1) == std::string::npos;
    return Refusal{400, negative ? "Content-Length " + value + " is negative"
                                 : "Content-Length '" + quote_for_message(value, 40) + "' is not a number of bytes"};
  }
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || n > max_body) {
    return Refusal{413, "the request body (Content-Length " + quote_for_message(value, 40) + ") is larger than " +
                            std::to_string(max_body) + " bytes"};
  }
  return n;
}

// Runs each accepted connection on a worker thread: an idle worker if there is one, else a new
// one up to `max_workers` (so slow clients hold their own workers and never delay the others);
// when all are busy, connections wait in a queue of at most `max_queued`. submit() refuses a
// connection above both limits, and take_expired() hands back those that waited longer than
// `queue_timeout`: the caller answers them 503. Workers are kept once started (at most
// max_workers threads).
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(size_t max_workers, size_t max_queued, std::chrono::milliseconds queue_timeout)
      : max_workers_(max_workers), max_queued_(max_queued), queue_timeout_(queue_timeout) {}
  ~ConnectionPool() { shutdown(); }

  // `serve` answers a connection (on a worker).
  void start(std::function<void(socket_t)> serve) { serve_ = std::move(serve); }

  bool submit(socket_t sock) {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t free_idle = idle_ > queue_.size() ? idle_ - queue_.size() : 0;
    const bool can_start = workers_.size() < max_workers_;
    if (free_idle == 0 && !can_start && queue_.size() - idle_ >= max_queued_) return false;
    queue_.push_back({sock, Clock::now()});
    bool started = false;
    if (free_idle == 0 && can_start) {
      try {
        workers_.emplace_back([this] { work(); });
        started = true;
      } catch (const std::system_error&) {
        // No thread to be had (a process limit): the connection waits for a busy worker, or
        // take_expired() refuses it.
      }
    }
    if (!started) wake_.notify_one();
    waiting_ = workers_.size() >= max_workers_ && queue_.size() > idle_;
    return true;
  }

  // The queued connections that waited longer than queue_timeout, removed from the queue.
  std::vector<socket_t> take_expired() {
    std::vector<socket_t> out;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto limit = Clock::now() - queue_timeout_;
    while (!queue_.empty() && queue_.front().since < limit) {
      out.push_back(queue_.front().sock);
      queue_.pop_front();
    }
    waiting_ = workers_.size() >= max_workers_ && queue_.size() > idle_;
    return out;
  }

  // Whether accepted connections are waiting for a worker (idle keep-alive connections then close).
  bool has_waiting() const { return waiting_; }

  // Closes the connections still queued and waits for the workers (their answers in progress end).
  void shutdown() {
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (const auto& q : queue_) ::close(q.sock);
      queue_.clear();
      workers.swap(workers_);
    }
    wake_.notify_all();
    for (auto& w : workers) w.join();
  }

 private:
  struct Queued {
    socket_t sock;
    Clock::time_point since;
  };

  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ++idle_;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (stopping_) return;
      const Queued q = queue_.front();
      queue_.pop_front();
      waiting_ = workers_.size() >= max_workers_ && queue_.size() > idle_;
      lock.unlock();
      serve_(q.sock);
      lock.lock();
    }
  }

  const size_t max_workers_, max_queued_;
  const std::chrono::milliseconds queue_timeout_;
  std::function<void(socket_t)> serve_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  std::vector<std::thread> workers_;
  size_t idle_ = 0;
  std::atomic<bool> waiting_{false};
  bool stopping_ = false;
};

}  // namespace

std::string error_body(const std::string& error_code, const std::string& message) {
  // One line, control characters escaped, at most 4 KB (a message may quote request values).
  return dump(nlohmann::ordered_json{{"error_code", error_code}, {"message", quote_for_message(one_line(message), 4096)}});
}

// ---- [SECTION] ScoringServer: model, routes, bind / serve / stop ----

// httplib::Server answering connections through our accept loop, ConnectionPool and
// ConnectionStream (see the section comment); httplib parses, routes and writes each request.
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const ServeOptions& o)
      : pool_(size_t(std::max(1, o.max_connections)), size_t(std::max(0, o.max_queued)),
              std::chrono::milliseconds(o.queue_timeout_ms)),
        max_connections_(o.max_connections), max_queued_(o.max_queued),
        queue_timeout_(std::chrono::milliseconds(o.queue_timeout_ms)) {
    limits_.max_body_bytes = o.max_body_bytes;
    limits_.read_timeout = std::chrono::milliseconds(o.read_timeout_ms);
    limits_.write_timeout = std::chrono::milliseconds(o.write_timeout_ms);
    limits_.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
    limits_.body_timeout = std::chrono::milliseconds(o.body_timeout_ms);
    limits_.keep_alive = std::chrono::milliseconds(int64_t(o.keep_alive_seconds) * 1000);
    limits_.max_requests = size_t(std::max(1, o.max_requests_per_connection));
    set_payload_max_length(o.max_body_bytes);  // a second line behind body_length()
    // httplib writes these in its Keep-Alive answer header: the values our loop applies.
    set_keep_alive_timeout(o.keep_alive_seconds);
    set_keep_alive_max_count(limits_.max_requests);
  }

  // Accepts connections until close_listener(); false when accepting failed for another reason.
  bool run() {
    socket_t listener;
    {
      std::lock_guard<std::mutex> lock(listener_mutex_);
      if (stopping_ || svr_sock_ == INVALID_SOCKET) return true;
      running_ = true;
      listener = svr_sock_;
    }
    // httplib listens with a backlog of 5: a burst of connections would wait for SYN retries.
    ::listen(listener, SOMAXCONN);
    pool_.start([this](socket_t s) { serve_connection(s); });
    bool ok = true;
    while (!stopping_) {
      // Answered here, at once (a send to a socket that has read nothing yet does not block).
      for (socket_t s : pool_.take_expired()) {
        write_raw_answer(s, 503, "TEMPORARILY_UNAVAILABLE",
                         "the server is busy: the connection waited longer than " + seconds_text(queue_timeout_) +
                             " for a worker; try again later",
                         true);
        close_connection(s, std::chrono::milliseconds(0));
      }
      pollfd p{listener, POLLIN, 0};
      const int r = ::poll(&p, 1, int(kPollStep.count()));
      if (r <= 0 || stopping_) continue;
      const socket_t sock = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (sock == INVALID_SOCKET) {
        if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors or memory: the connection waits in the backlog until some close.
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        if (!stopping_) ok = false;
        break;
      }
      int yes = 1;
      ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      // Bounds a send() that blocks on a client that does not read.
      timeval tv{};
      tv.tv_sec = long(limits_.write_timeout.count() / 1000);
      tv.tv_usec = long(limits_.write_timeout.count() % 1000 * 1000);
      ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      bool queued = false;
      try {
        queued = pool_.submit(sock);
      } catch (const std::exception&) {  // out of memory: refused like a connection over the cap
      }
      if (!queued) {
        // Over the cap: answered at once.
        write_raw_answer(sock, 503, "TEMPORARILY_UNAVAILABLE",
                         "the server is at its limit of " + std::to_string(max_connections_) + " connections (and " +
                             std::to_string(max_queued_) + " waiting); try again later",
                         true);
        close_connection(sock, std::chrono::milliseconds(0));
      }
    }
    pool_.shutdown();
    std::lock_guard<std::mutex> lock(listener_mutex_);
    running_ = false;
    if (listener_to_close_ != INVALID_SOCKET) ::close(std::exchange(listener_to_close_, INVALID_SOCKET));
    return ok;
  }

  // Stops accepting (from any thread, before or during run()): run() then ends, waiting for the
  // answers in progress; idle and half-read connections close.
  void close_listener() {
    std::lock_guard<std::mutex> lock(listener_mutex_);
    stopping_ = true;
    const socket_t s = svr_sock_.exchange(INVALID_SOCKET);
    if (s == INVALID_SOCKET) return;
    ::shutdown(s, SHUT_RDWR);
    if (running_) listener_to_close_ = s;  // run() may be polling it: it closes it when done
    else ::close(s);
  }

 private:
  // Answers the requests of one connection (keep-alive) and closes it. Nothing escapes a worker:
  // an exception outside httplib's handlers (out of memory in its parser) closes the connection.
  void serve_connection(socket_t sock) {
    try {
      serve_requests(sock);
    } catch (...) {
      t_connection = nullptr;
      close_connection(sock, std::chrono::milliseconds(0));
    }
  }

  void serve_requests(socket_t sock) {
    ConnectionStream strm(sock, limits_, stopping_);
    ConnectionState state;
    state.stream = &strm;
    t_connection = &state;
    bool linger = false;
    for (size_t i = 0; i < limits_.max_requests; ++i) {
      // An idle connection gives its worker up at once when other connections wait for one.
      const auto wait = i == 0 ? limits_.read_timeout : limits_.keep_alive;
      if (!strm.wait_for_request(wait, [this, i] { return i > 0 && pool_.has_waiting(); })) break;
      strm.begin_request();
      state.refusal.reset();
      state.close = false;
      bool client_closes = false;
      const bool ok = process_request(strm, i + 1 == limits_.max_requests, client_closes,
                                      [this, &state](httplib::Request& req) { setup_request(req, state); });
      if (!ok && strm.failure() && !strm.answered()) {
        // A timeout or an oversized head before httplib had a request to answer.
        write_raw_answer(sock, strm.failure()->status, "BAD_REQUEST", strm.failure()->message, false);
      }
      if (strm.failure() || state.close) linger = true;
      if (!ok || client_closes || state.close || strm.failure()) break;
    }
    t_connection = nullptr;
    close_connection(sock, linger ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0));
  }

  // After the headers, before routing and before any body byte is read.
  void setup_request(httplib::Request& req, ConnectionState& state) {
    auto length = body_length(req, limits_.max_body_bytes);
    if (auto* refusal = std::get_if<Refusal>(&length)) {
      state.refusal = *refusal;
      state.close = true;  // the body stays unread: the connection cannot carry another request
    } else if (!req.has_header("Content-Length")) {
      req.set_header("Content-Length", "0");  // no body (httplib would read one until the client closes)
    } else if (std::get<uint64_t>(length) > 0 && req.method != "POST" && req.method != "PUT" &&
               req.method != "PATCH" && req.method != "DELETE") {
      state.close = true;  // httplib leaves a GET's body unread
    }
    if (state.close) {
      req.headers.erase("Connection");
      req.set_header("Connection", "close");  // the answer says so
    }
  }

  Limits limits_;
  ConnectionPool pool_;
  const int max_connections_, max_queued_;
  const std::chrono::milliseconds queue_timeout_;
  std::atomic<bool> stopping_{false};
  std::mutex listener_mutex_;
  bool running_ = false;
  socket_t listener_to_close_ = INVALID_SOCKET;
};

ScoringServer::ScoringServer(platform::Lab& lab, registry::LoadedModel model, ServeOptions options)
    : lab_(lab), model_(std::move(model)), options_(options) {
  auto http = std::make_unique<HttpServer>(options_);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // server bind a port that is already being served instead of reporting it taken.
  http->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
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

  // A request whose framing setup_request refused (Content-Length, Transfer-Encoding) is answered
  // here, before routing reads its body; one announcing "Expect: 100-continue" gets the refusal
  // instead of the go-ahead.
  auto refuse = [](httplib::Response& res) {
    ConnectionState* c = t_connection;
    if (!c || !c->refusal) return false;
    res.status = c->refusal->status;
    res.set_content(error_body("BAD_REQUEST", c->refusal->message), "application/json");
    return true;
  };
  s.set_pre_routing_handler([refuse](const httplib::Request&, httplib::Response& res) {
    return refuse(res) ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_expect_100_continue_handler([refuse](const httplib::Request&, httplib::Response& res) {
    return refuse(res) ? res.status : 100;
  });

  // httplib calls this for every answer with status >= 400; fill in only what it made itself.
  const size_t max_body = options_.max_body_bytes;
  s.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string code = res.status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
    std::string message = "HTTP " + std::to_string(res.status);
    ConnectionState* c = t_connection;
    if (c && c->stream && c->stream->failure()) {
      // httplib's 400 for a request it could not read: say why (a timeout, an oversized head).
      res.status = c->stream->failure()->status;
      message = c->stream->failure()->message;
      c->close = true;
    } else if (res.status == 404) {
      code = "ENDPOINT_NOT_FOUND";
      message = "no endpoint " + req.method + " " + quote_for_message(req.path, 200) +
                "; the scoring server has GET /ping, GET /health, GET /version and POST /invocations";
    } else if (res.status == 413) {
      message = "the request body is larger than " + std::to_string(max_body) + " bytes";
    } else if (res.status == 414) {
      message = "the request URI is too long";
    }
    res.set_content(error_body(code, message), "application/json");
  });
  // A handler's exception (none is expected: invoke() catches everything) is a 500 with a clean
  // message, never a crash or httplib's raw text.
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    res.status = 500;
    const std::string message = ep ? exception_status(ep).message() : "unexpected error";
    res.set_content(error_body("INTERNAL_ERROR", "internal error: " + message), "application/json");
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

    // The one predictions shape (registry::predictions_to_json): labels typed as the training
    // target; classes and probabilities keyed by class only when predict_proba asks for them.
    const json out = registry::predictions_to_json(p.value(), req->predict_proba);

    if (options_.log_predictions) {
      // The store and new_id()'s generator are shared: one writer at a time, one batch per request.
      std::lock_guard<std::mutex> lock(lab_mutex_);
      auto entries = monitoring::make_entries(model_, p.value(), now_ms(), /*keep_inputs=*/true);
      Status st = lab_.predictions().log(entries);
      if (!st.is_ok()) {
        return error_reply(500, "INTERNAL_ERROR", "the predictions could not be logged: " + st.message());
      }
    }
    return json_reply(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  } catch (...) {
    return error_reply(500, "INTERNAL_ERROR", exception_status(std::current_exception()).message());
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
  if (!stop_requested_) ok = static_cast<HttpServer&>(*http_).run();
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
