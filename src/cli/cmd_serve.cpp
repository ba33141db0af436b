// fathom serve: the model behind an OpenAI-compatible HTTP API and a web chat page, on
// one port. Ctrl-C (SIGINT) or SIGTERM stops it cleanly: running requests are told the
// server is shutting down, and the port is released.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "cli/common.h"
#include "core/error.h"
#include "plan/quantities.h"
#include "server/http_server.h"

namespace fathom::cli {

namespace {

struct ServeArgs {
  server::HttpOptions http;
  server::BackendOptions backend;
  std::string kv_type = "f16", max_body = "8MiB";
};

void run_serve(ServeArgs a) {
  a.backend.scheduler.kv_type = parse_type_option("--kv-type", a.kv_type);
  if (a.backend.scheduler.kv_type != DType::F32 && a.backend.scheduler.kv_type != DType::F16) {
    throw Error("--kv-type: expected f32 or f16, found " + a.kv_type);
  }
  a.http.max_body_bytes = static_cast<size_t>(plan::parse_size("--max-body", a.max_body));
  if (a.http.api_key.empty()) {
    if (const char* k = std::getenv("FATHOM_API_KEY")) a.http.api_key = k;
  }
  if (a.backend.scheduler.n_ctx < 16) throw Error("--ctx: at least 16 positions, found " + std::to_string(a.backend.scheduler.n_ctx));

  // Signals go to one thread that waits for them: stopping the server from a signal
  // handler would not be async-signal-safe. Threads started later inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-write must cost an error return, not the process.
  std::signal(SIGPIPE, SIG_IGN);

  auto srv = std::make_unique<server::HttpServer>(a.http, a.backend);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (sig == SIGINT || sig == SIGTERM) srv->stop();
  });
  try {
    srv->run();
  } catch (...) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    throw;
  }
  // Served until stopped: by a signal (the waiter is done) or never otherwise.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  a->backend.scheduler.n_slots = 1;
  CLI::App* cmd = app.add_subcommand("serve", "OpenAI-compatible HTTP API and web chat page for a model");
  cmd->add_option("model", a->backend.model_path, "model .gguf")->required();
  cmd->add_option("--host", a->http.host, "address to listen on (a non-loopback address without --api-key warns)")
      ->capture_default_str();
  cmd->add_option("--port", a->http.port, "port (0: any free port, printed at start)")->capture_default_str();
  cmd->add_option("--alias", a->backend.alias, "model id clients use (default: general.name or the file name)");
  cmd->add_option("--api-key", a->http.api_key, "require 'Authorization: Bearer KEY' (or env FATHOM_API_KEY)");
  cmd->add_option("--cors-origin", a->http.cors_origin, "send CORS headers allowing this origin ('*' for any)");
  cmd->add_option("-c,--ctx", a->backend.scheduler.n_ctx, "context positions per parallel sequence")
      ->capture_default_str();
  cmd->add_option("--parallel", a->backend.scheduler.n_slots, "sequences decoded together (slots)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--queue", a->backend.scheduler.max_queue, "requests that may wait for a slot; more get 503")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-b,--batch", a->backend.scheduler.batch_tokens, "prompt tokens computed per step, over all slots")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--kv-type", a->kv_type, "KV cache precision: f16 or f32")->capture_default_str();
  cmd->add_option("--max-tokens", a->backend.max_tokens, "cap on generated tokens per request (0: the context)")
      ->capture_default_str();
  cmd->add_option("--max-body", a->max_body, "largest request body (413 beyond)")->capture_default_str();
  cmd->add_option("--timeout", a->http.read_timeout_s,
                  "seconds a client may take to send a whole request (line, headers and body) from its first "
                  "byte; a slower one gets 408 or a closed connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--http-threads", a->http.http_threads, "connection threads (0: slots + queue + 256)")
      ->capture_default_str();
  cmd->add_option("--test-script", a->backend.test_script,
                  "test hook: JSON of scripted replies forced instead of sampling (see src/server/test_script.h)");
  add_threads_option(cmd, &a->backend.threads);
  cmd->callback([a] { run_serve(*a); });
}

}  // namespace fathom::cli
