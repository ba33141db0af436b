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
  void count_disconnect() { ++disconnects_; }
  std::string render(const runtime::SchedulerStats& s, int n_slots, bool ready) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> responses_;
  std::atomic<int64_t> disconnects_{0};
};

}  // namespace fathom::server
