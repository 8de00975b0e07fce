// `mllab models serve`: opens the store, loads the model once, serves it until SIGINT / SIGTERM.
#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cli/serve.hpp"

namespace mllab::cli {

int cmd_models_serve(const Common& c, const std::string& model_uri, const std::string& host, int port, bool log) {
  if (port < 0 || port > 65535) {
    std::cerr << "mllab: error: --port " << port << " is outside 0..65535\n";
    return 2;
  }
  auto lab = open_lab(c, log ? Access::kWrite : Access::kRead);
  if (!lab) return fail(lab.status());

  // Each connection takes a descriptor: the soft limit (often 1,024) is raised to the hard one
  // (as Go's runtime does for its servers), else a burst of clients waits in the backlog.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }

  serve::ServeOptions options;
  options.log_predictions = log;
  auto server = serve::ScoringServer::create(**lab, model_uri, options);
  if (!server) return fail(server.status());

  // SIGINT / SIGTERM are blocked in every thread (httplib's workers inherit this mask) and taken
  // by one waiting thread, which stops the server: no work in a signal handler. SIGUSR1 wakes
  // that thread when the server ends on its own.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &signals, &old_mask);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the server

  Status bound = (*server)->bind(host, port);
  if (!bound.is_ok()) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return fail(bound);
  }
  serve::ScoringServer* srv = server->get();
  std::thread waiter([srv, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    srv->stop();
  });

  std::printf("Serving %s on http://%s:%d\n", model_uri.c_str(), host.c_str(), srv->port());
  std::fflush(stdout);
  Status served = srv->serve();

  // Wakes the waiter if no signal came (else it has returned and this is a no-op). The mask stays
  // as it is: a SIGUSR1 left pending is harmless while blocked, and the command ends here.
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  if (!served.is_ok()) return fail(served);
  std::cerr << "mllab: stopped serving " << model_uri << "\n";
  return 0;
}

}  // namespace mllab::cli
