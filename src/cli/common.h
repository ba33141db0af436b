// Helpers shared by the verbs: option parsing and model loading.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "core/dtype.h"
#include "runtime/sampler.h"

namespace fathom::cli {

// "1,2,3" -> {1, 2, 3}; throws Error naming the bad item.
std::vector<int32_t> parse_token_list(const std::string& s);

// A type name given on the command line; throws Error listing the accepted names.
DType parse_type_option(const std::string& flag, const std::string& value);

// "--reasoning low,high" -> {"low", "high"}; anything but low, medium or high is an Error.
std::vector<std::string> parse_efforts(const std::string& list);

// Adds --temp, --top-k, --top-p, --min-p, the penalties and --seed.
void add_sampling_options(CLI::App* cmd, runtime::SamplerParams* p);

// Adds --threads (default: physical cores) to a subcommand.
void add_threads_option(CLI::App* cmd, int* threads);

// Registration of each verb (one file each).
void add_synth_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_logits_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_detokenize_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_chat_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_perplexity_command(CLI::App& app);
void add_precision_command(CLI::App& app);
void add_experts_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_compare_command(CLI::App& app);

}  // namespace fathom::cli
