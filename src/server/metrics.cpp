#include "server/metrics.h"

#include <cstdio>
#include <sstream>

namespace fathom::server {

void HttpCounters::count_response(const std::string& route, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++responses_[{route, status}];
}

void HttpCounters::count_disconnect(const std::string& what) {
  ++disconnects_;
  log("client disconnected before the end of its answer: " + what + " cancelled");
}

void HttpCounters::count_timeout(const std::string& client, int timeout_s) {
  ++timeouts_;
  log("request from " + client + " not received within " + std::to_string(timeout_s) +
      " s (--timeout): connection closed");
}

void HttpCounters::log(const std::string& line) {
  std::lock_guard<std::mutex> lock(log_mu_);
  std::fprintf(stderr, "fathom: %s\n", line.c_str());
}

std::string HttpCounters::render(const runtime::SchedulerStats& s, int n_slots, bool ready) const {
  std::ostringstream o;
  const auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    o << "# HELP fathom_" << name << ' ' << help << "\n# TYPE fathom_" << name << ' ' << type << "\nfathom_" << name
      << ' ' << value << '\n';
  };
  metric("ready", "gauge", "1 once the model is loaded", ready ? 1 : 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    o << "# HELP fathom_http_responses_total HTTP responses by route and status\n"
         "# TYPE fathom_http_responses_total counter\n";
    for (const auto& [key, n] : responses_) {
      o << "fathom_http_responses_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << '\n';
    }
  }
  metric("client_disconnects_total", "counter", "answers, streamed or not, whose client went away before the end",
         disconnects_.load());
  metric("http_requests_timed_out_total", "counter",
         "requests not received whole within --timeout of their first byte; their connections were closed",
         timeouts_.load());
  metric("requests_finished_total", "counter", "generations that ran to their end", s.jobs_finished);
  metric("requests_cancelled_total", "counter", "generations cancelled (client gone or shutdown)", s.jobs_cancelled);
  metric("requests_failed_total", "counter", "generations that failed", s.jobs_failed);
  metric("prompt_tokens_total", "counter", "prompt tokens computed", s.prompt_tokens);
  metric("prompt_tokens_reused_total", "counter", "prompt tokens taken from a slot's cache", s.reused_tokens);
  metric("generated_tokens_total", "counter", "tokens generated", s.generated_tokens);
  metric("steps_total", "counter", "batched forward passes", s.steps);
  metric("busy_seconds_total", "counter", "time spent in forward passes", s.busy_seconds);
  metric("tokens_per_second", "gauge", "tokens generated per second over the last 10 s", s.tokens_per_second);
  metric("queue_depth", "gauge", "requests waiting for a slot", s.queued);
  metric("slots_busy", "gauge", "slots generating", s.active);
  metric("slots_total", "gauge", "slots (--parallel)", n_slots);
  metric("kv_cache_used_cells", "gauge", "KV cache positions in use over all slots", s.kv_used);
  metric("kv_cache_capacity_cells", "gauge", "KV cache positions over all slots", s.kv_capacity);
  metric("kv_cache_usage_ratio", "gauge", "share of the KV cache in use",
         s.kv_capacity > 0 ? static_cast<double>(s.kv_used) / static_cast<double>(s.kv_capacity) : 0.0);
  return o.str();
}

}  // namespace fathom::server
