#include "cli/common.h"

#include <charconv>

#include "core/error.h"
#include "core/thread_pool.h"

namespace fathom::cli {

std::vector<int32_t> parse_token_list(const std::string& s) {
  std::vector<int32_t> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t end = std::min(s.find(',', pos), s.size());
    const std::string item = s.substr(pos, end - pos);
    int32_t v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || v < 0) {
      throw Error("--tokens: '" + item + "' is not a token id (expected comma-separated non-negative integers)");
    }
    out.push_back(v);
    pos = end + 1;
  }
  return out;
}

DType parse_type_option(const std::string& flag, const std::string& value) {
  DType t;
  if (!parse_dtype(value, &t) || !type_traits(static_cast<uint32_t>(t))->supported) {
    throw Error(flag + ": unknown or unsupported type '" + value +
                "' (expected f32, f16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k or mxfp4)");
  }
  return t;
}

void add_sampling_options(CLI::App* cmd, runtime::SamplerParams* p) {
  cmd->add_option("--temp", p->temperature, "temperature (0: greedy)")->capture_default_str();
  cmd->add_option("--top-k", p->top_k, "top-k (0: off)")->capture_default_str();
  cmd->add_option("--top-p", p->top_p, "top-p (1: off)")->capture_default_str();
  cmd->add_option("--min-p", p->min_p, "min-p (0: off)")->capture_default_str();
  cmd->add_option("--repeat-penalty", p->repeat_penalty, "repetition penalty (1: off)")->capture_default_str();
  cmd->add_option("--presence-penalty", p->presence_penalty, "presence penalty")->capture_default_str();
  cmd->add_option("--frequency-penalty", p->frequency_penalty, "frequency penalty")->capture_default_str();
  cmd->add_option("--seed", p->seed, "sampling seed")->capture_default_str();
}

void add_threads_option(CLI::App* cmd, int* threads) {
  *threads = ThreadPool::default_threads();
  cmd->add_option("-t,--threads", *threads, "worker threads (default: physical cores)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

std::vector<std::string> parse_efforts(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    const size_t comma = list.find(',', start);
    const std::string e = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (e != "low" && e != "medium" && e != "high") {
      throw Error("--reasoning: expected low, medium or high (comma-separated), found '" + e + "'");
    }
    out.push_back(e);
    start = comma == std::string::npos ? list.size() : comma + 1;
  }
  return out;
}

}  // namespace fathom::cli
