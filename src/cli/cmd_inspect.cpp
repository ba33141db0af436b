// fathom inspect: what a model file is and what precision each part is stored in.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/common.h"
#include "core/dtype.h"
#include "core/units.h"
#include "formats/gguf.h"
#include "models/inventory.h"
#include "models/tensors.h"
#include "nlohmann/json.hpp"

namespace fathom::cli {

namespace {

struct InspectArgs {
  std::string model;
  bool json = false, tensors = false, metadata = false;
};

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : ",") + x;
  return out;
}

nlohmann::json config_json(const models::ModelConfig& c) {
  nlohmann::json j = {{"architecture", models::arch_name(c.arch)},
                      {"name", c.name},
                      {"n_vocab", c.n_vocab},
                      {"context_length", c.n_ctx_train},
                      {"n_embd", c.n_embd},
                      {"n_layer", c.n_layer},
                      {"n_head", c.n_head},
                      {"n_head_kv", c.n_head_kv},
                      {"head_dim", c.head_dim},
                      {"rms_eps", c.rms_eps},
                      {"rope_base", c.rope_base},
                      {"tied_embeddings", c.tied_embeddings}};
  if (c.is_moe()) {
    j["n_expert"] = c.n_expert;
    j["n_expert_used"] = c.n_expert_used;
    j["n_ff_expert"] = c.n_ff_expert;
  } else {
    j["n_ff"] = c.n_ff;
  }
  if (c.rope_scaling_factor > 1.0f) {
    j["rope_scaling"] = {{"type", "yarn"}, {"factor", c.rope_scaling_factor},
                         {"original_context_length", c.rope_original_ctx}};
  }
  if (c.sliding_window > 0) j["sliding_window"] = c.sliding_window;
  return j;
}

void print_json(const gguf::File& f, const models::Inventory& inv, const InspectArgs& a) {
  nlohmann::json j;
  j["file"] = f.path();
  j["gguf_version"] = f.version();
  j["file_bytes"] = f.file_bytes();
  if (inv.config) j["config"] = config_json(*inv.config);
  else j["config_error"] = inv.config_error;
  j["total_params"] = inv.total_params;
  j["total_bytes"] = inv.total_bytes;
  j["active_params"] = inv.active_params;
  j["active_bytes"] = inv.active_bytes;
  for (const models::GroupStats& g : inv.groups) {
    j["groups"].push_back({{"group", g.group}, {"params", g.params}, {"bytes", g.bytes},
                           {"bits_per_weight", g.bits_per_weight()}, {"types", g.types}});
  }
  if (a.tensors) {
    for (const gguf::TensorInfo& t : f.tensors()) {
      j["tensors"].push_back({{"name", t.name}, {"type", type_name(t.type)}, {"dims", t.dims},
                              {"bytes", t.n_bytes}, {"group", models::role_group(models::role_of(t.name))}});
    }
  }
  if (a.metadata) {
    for (const gguf::KeyValue& kv : f.metadata()) j["metadata"][kv.key] = kv.value.to_string();
  }
  std::printf("%s\n", j.dump(2).c_str());
}

void print_text(const gguf::File& f, const models::Inventory& inv, const InspectArgs& a) {
  std::printf("%s: GGUF v%u, %s, %zu tensors\n", f.path().c_str(), f.version(), format_bytes(f.file_bytes()).c_str(),
              f.tensors().size());
  if (inv.config) {
    const models::ModelConfig& c = *inv.config;
    std::printf("architecture   %s (%s)\n", models::arch_name(c.arch), c.name.c_str());
    std::printf("shape          %lld layers, embedding %lld, %lld heads / %lld KV heads x %lld, vocab %lld\n",
                (long long)c.n_layer, (long long)c.n_embd, (long long)c.n_head, (long long)c.n_head_kv,
                (long long)c.head_dim, (long long)c.n_vocab);
    if (c.is_moe()) {
      std::printf("experts        %lld, %lld used per token, expert FFN %lld\n", (long long)c.n_expert,
                  (long long)c.n_expert_used, (long long)c.n_ff_expert);
    } else {
      std::printf("ffn            %lld\n", (long long)c.n_ff);
    }
    std::printf("context        %lld trained; RoPE base %.0f", (long long)c.n_ctx_train, c.rope_base);
    if (c.rope_scaling_factor > 1.0f) {
      std::printf(", YaRN x%.0f over %lld", c.rope_scaling_factor, (long long)c.rope_original_ctx);
    }
    if (c.sliding_window > 0) std::printf("; sliding window %lld on even layers", (long long)c.sliding_window);
    std::printf("\n");
  } else {
    std::printf("architecture   not runnable by fathom: %s\n", inv.config_error.c_str());
  }
  std::printf("parameters     %s total, %s active per token (%s of weights read per token)\n\n",
              format_count(inv.total_params).c_str(), format_count(inv.active_params).c_str(),
              format_bytes(inv.active_bytes).c_str());
  std::printf("%-12s %14s %12s %10s  %s\n", "group", "params", "bytes", "bits/w", "types");
  for (const models::GroupStats& g : inv.groups) {
    std::printf("%-12s %14s %12s %10.3f  %s\n", g.group.c_str(), format_count(g.params).c_str(),
                format_bytes(g.bytes).c_str(), g.bits_per_weight(), join(g.types).c_str());
  }
  std::printf("%-12s %14s %12s %10.3f\n", "total", format_count(inv.total_params).c_str(),
              format_bytes(inv.total_bytes).c_str(),
              inv.total_params ? 8.0 * static_cast<double>(inv.total_bytes) / inv.total_params : 0.0);
  if (a.tensors) {
    std::printf("\n%-40s %-8s %-24s %12s\n", "tensor", "type", "shape", "bytes");
    for (const gguf::TensorInfo& t : f.tensors()) {
      std::string shape;
      for (int64_t d : t.dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
      std::printf("%-40s %-8s %-24s %12s\n", t.name.c_str(), type_name(t.type).c_str(), shape.c_str(),
                  format_bytes(t.n_bytes).c_str());
    }
  }
  if (a.metadata) {
    std::printf("\n");
    for (const gguf::KeyValue& kv : f.metadata()) {
      std::printf("%-48s %s\n", kv.key.c_str(), kv.value.to_string().c_str());
    }
  }
}

void run_inspect(const InspectArgs& a) {
  const auto f = gguf::File::open(a.model, {.header_only = true});
  const models::Inventory inv = models::take_inventory(*f);
  if (a.json) {
    print_json(*f, inv, a);
  } else {
    print_text(*f, inv, a);
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand("inspect", "architecture, parameters and storage precision of a model file");
  cmd->add_option("model", args->model, "model .gguf (only the header is read)")->required();
  cmd->add_flag("--json", args->json, "machine-readable output");
  cmd->add_flag("--tensors", args->tensors, "list every tensor");
  cmd->add_flag("--metadata", args->metadata, "list every metadata key");
  cmd->callback([args] { run_inspect(*args); });
}

}  // namespace fathom::cli
