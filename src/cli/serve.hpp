// `mllab models serve`: an HTTP scoring server for one registered or logged model, speaking
// MLflow's scoring protocol (mlflow/pyfunc/scoring_server), native only (cpp-httplib).
//
// Endpoints:
//   GET  /ping, GET /health   200, body "\n" (as MLflow: the model loaded, so the server is healthy)
//   GET  /version             200, the MLLab version text ("0.1.0"), text/plain
//   POST /invocations         predictions for a batch of rows:
//     Content-Type: application/json (charset utf-8 only), a JSON object with exactly one of
//       "dataframe_split":   {"columns": [...], "data": [[...], ...], "index": [...] (ignored)}
//       "dataframe_records": [{"column": value, ...}, ...]  (a key missing from a row is null)
//       "inputs":            [{"column": value}, ...] or {"column": [values], ...}
//                            (a list of plain values when the model takes one column)
//       "instances":         as "inputs"
//     and optionally "params": {"predict_proba": true} (our one parameter: also return the class
//     probabilities; false by default). No other top-level key or parameter is accepted.
//     Content-Type: text/csv: a CSV with a header row (read_csv rules).
//   Answer: {"predictions": [...]}: class labels as the model was trained on them (numbers when
//   the signature's output dtype is int64 / float64, i.e. the labels were numeric, else strings)
//   or a regressor's values; with predict_proba also "classes": [...] (the same label form) and
//   "probabilities": [[...], ...] (rows x classes, each row sums to 1).
//
// Errors are JSON {"error_code": CODE, "message": "<one line naming the key / column / line>"}:
//   400 BAD_REQUEST            malformed JSON (the message names line and column), JSON nesting
//                              deeper than 128 levels, a number out of double's range (naming its
//                              field), an unknown top-level key or parameter, no or two input keys,
//                              rows of the wrong shape, a CSV parse error, a column missing from or
//                              mistyped for the model signature (a JSON boolean for a column that
//                              is not boolean), an empty body, a Content-Length that is not a
//                              number ("abc", "-1") or several that differ
//   415 BAD_REQUEST            a content type other than application/json / text/csv, a charset
//                              other than utf-8 (MLflow answers 415 too, as text/plain)
//   404 ENDPOINT_NOT_FOUND     an unknown path; 405 METHOD_NOT_ALLOWED for a known path with the
//                              wrong method
//   408 BAD_REQUEST            the request was not received within the timeouts (ServeOptions)
//   411 BAD_REQUEST            Transfer-Encoding (chunked) bodies: send Content-Length
//   413 BAD_REQUEST            a Content-Length over the size limit, answered before reading it
//   431 BAD_REQUEST            a request line and headers over 64 KB
//   503 TEMPORARILY_UNAVAILABLE  the connection cap is reached (see ServeOptions)
//   500 INTERNAL_ERROR         a bug, or (with logging on) the prediction log could not be written;
//                              bad input never gets a 500, and no input ends the process
// These choices differ from MLflow in being stricter: MLflow ignores unknown top-level keys and
// unknown params (with a warning); we refuse them so a typo ("predict_probas") is not silent.
//
// Threads: each connection is answered on its own worker thread (see ServeOptions; httplib
// parses, routes and writes each request, our loop around it enforces the limits). The model is
// loaded once, before the server listens, and is only read afterwards: conform_input and FittedPipeline::predict* are
// const and keep no caches (no `mutable` state in src/core), so predictions run concurrently.
// Everything that touches the Lab / Store (the prediction log) and new_id()'s shared generator
// runs under one mutex, one PredictionLog::log call per request.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/registry/registry.hpp"
#include "core/util/status.hpp"
#include "platform/lab.hpp"

namespace httplib {
class Server;
}

namespace mllab::serve {

// How a ScoringServer runs. The limits keep the server answering under abuse (issue 9): a slow
// client holds one worker until its timeouts and never delays the others; connections over the
// cap are refused at once; bodies are refused by their Content-Length before being read.
struct ServeOptions {
  // Log every answered prediction to lab.predictions() (one log call per request).
  bool log_predictions = false;
  // Largest accepted request body in bytes: a larger Content-Length gets 413 before the body is
  // read, and the connection closes.
  size_t max_body_bytes = size_t(64) << 20;
  // Connections answered at once, each on its own worker thread (started when needed, kept for
  // reuse). Beyond them, up to max_queued accepted connections wait for a worker, each at most
  // queue_timeout_ms (then 503); a connection beyond both is answered 503 at once. While
  // connections wait, idle keep-alive connections give their workers up.
  int max_connections = 256;
  int max_queued = 1024;
  int queue_timeout_ms = 10000;
  // Timeouts of a request (408 and the connection closes past one): the longest wait for its
  // next bytes (and for a new connection's first byte); its request line and headers, from their
  // first byte; its body, from the end of the headers. And the longest wait to send an answer's
  // next bytes to a client that does not read.
  int read_timeout_ms = 5000;
  int header_timeout_ms = 10000;
  int body_timeout_ms = 60000;
  int write_timeout_ms = 5000;
  // How long an idle keep-alive connection is kept open (gunicorn's default, which MLflow's
  // server runs on), and how many requests one connection may carry.
  int keep_alive_seconds = 2;
  int max_requests_per_connection = 100;
};

// One HTTP answer of the scoring protocol, independent of the transport.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The error body of every non-2xx answer: {"error_code": code, "message": message}.
std::string error_body(const std::string& error_code, const std::string& message);

// An MLflow-compatible scoring server for one model of a Lab.
class ScoringServer {
 public:
  // Loads `model_uri` (models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS,
  // models:/NAME/latest, runs:/RUN_ID/model) from the lab once. An unknown model or a bad URI is
  // an error naming the URI; nothing listens then.
  static Result<std::unique_ptr<ScoringServer>> create(platform::Lab& lab, const std::string& model_uri,
                                                       ServeOptions options = {});
  ~ScoringServer();
  ScoringServer(const ScoringServer&) = delete;
  ScoringServer& operator=(const ScoringServer&) = delete;

  // Binds and starts listening on host:port (port 0 picks a free port; see port()). Requests
  // queue until serve() runs. An error names the address (a port in use is refused: the socket
  // is not opened with SO_REUSEPORT).
  Status bind(const std::string& host, int port);
  // Answers requests until stop(); needs bind() first. Blocks.
  Status serve();
  // bind(host, port) then serve(). Blocks until stop().
  Status listen(const std::string& host, int port);
  // Stops serve() (from any thread; requests in progress are finished first). Safe to call
  // before serve() starts (serve() then returns at once) and more than once.
  void stop();
  // The bound port (0 before bind()).
  int port() const { return port_; }
  // The loaded model.
  const registry::LoadedModel& model() const { return model_; }

  // Answers POST /invocations for a Content-Type header value and a body (what the HTTP handler
  // calls; usable without a socket). Thread-safe.
  Reply invoke(const std::string& content_type, const std::string& body);

 private:
  ScoringServer(platform::Lab& lab, registry::LoadedModel model, ServeOptions options);
  void install_routes();

  platform::Lab& lab_;
  registry::LoadedModel model_;
  ServeOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::mutex lab_mutex_;  // guards lab_ (the store) and new_id() during logging
  int port_ = 0;
  bool bound_ = false;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace mllab::serve

namespace mllab::cli {

// `mllab models serve MODEL_URI [--host H] [--port P] [--log] [--store DIR]`: serves the model
// until SIGINT / SIGTERM. Prints "Serving <uri> on http://<host>:<port>" on stdout (flushed) once
// listening, and "mllab: stopped serving <uri>" on stderr when stopped. Returns 0 after a signal;
// 1 with one "mllab: error: ..." line when the model cannot be loaded or the port cannot be
// bound; 2 for a port outside 0..65535.
int cmd_models_serve(const Common& c, const std::string& model_uri, const std::string& host, int port, bool log);

}  // namespace mllab::cli
