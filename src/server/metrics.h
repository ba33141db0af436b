// Prometheus text exposition of what the server is doing: requests and their outcomes,
// tokens, queue depth, throughput and KV cache use.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "runtime/scheduler.h"

namespace fathom::server {

class HttpCounters {
 public:
  void count_response(const std::string& route, int status);
  // A client went away before the end of its answer (streamed or not): counted, and
  // logged once with what it was.
  void count_disconnect(const std::string& what);
  // A request that did not arrive whole within --timeout of its first byte: counted, and
  // logged once with the client's address.
  void count_timeout(const std::string& client, int timeout_s);
  // One line on stderr per event worth an operator's attention (a refused request, a
  // failed generation, a client gone before its answer, a request too slow to arrive),
  // never one per token.
  void log(const std::string& line);
  std::string render(const runtime::SchedulerStats& s, int n_slots, bool ready) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> responses_;
  std::atomic<int64_t> disconnects_{0};
  std::atomic<int64_t> timeouts_{0};
  std::mutex log_mu_;
};

}  // namespace fathom::server
