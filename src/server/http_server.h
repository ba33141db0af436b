// `fathom serve`'s HTTP side: OpenAI-compatible routes, the web page, health and
// metrics, API keys, CORS and limits, over cpp-httplib. The model loads while the
// port already answers /health with "loading".
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "server/backend.h"
#include "server/metrics.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace fathom::server {

class GuardedServer;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port
  std::string api_key;                   // empty: no key needed
  std::string cors_origin;               // empty: no CORS headers
  size_t max_body_bytes = 8 << 20;
  int read_timeout_s = 30;               // a whole request must arrive within this of its first byte
  int write_timeout_s = 30;
  int http_threads = 0;                  // 0: enough for every slot, the queue and idle clients
};

class HttpServer {
 public:
  HttpServer(const HttpOptions& http, const BackendOptions& backend);
  ~HttpServer();
  // Binds, loads the model, then serves until stop(); returns the exit status.
  int run();
  void stop();

 private:
  void routes();
  void handle_chat(const httplib::Request& req, httplib::Response& res);
  void handle_completion(const httplib::Request& req, httplib::Response& res);
  bool authorised(const httplib::Request& req) const;

  HttpOptions http_;
  BackendOptions backend_opts_;
  std::unique_ptr<GuardedServer> svr_;
  std::unique_ptr<Backend> backend_;
  std::atomic<bool> ready_{false};
  HttpCounters counters_;
};

}  // namespace fathom::server
