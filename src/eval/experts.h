// Which experts a mixture-of-experts model routes each text through: per layer, how
// often each expert is chosen, how spread the choices are (entropy), and how far apart
// two texts' distributions are (Jensen-Shannon divergence) and how much their most-used
// experts overlap. The question behind it: does the model send Russian through
// different experts than English?
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "models/model.h"

namespace fathom::eval {

struct RoutingCounts {
  std::string name;                         // the text's file name
  int64_t n_tokens = 0;
  std::vector<std::vector<int64_t>> count;  // [layer][expert]: times chosen
};

// Runs the text through the model in windows of ctx tokens and counts every routing
// decision. Throws Error for a model without experts.
RoutingCounts count_routing(models::Model& model, const std::string& name, std::span<const int32_t> tokens,
                            int64_t ctx);

struct LayerRouting {
  std::vector<double> entropy_bits;  // per text
  double jsd_bits = 0;               // first two texts (0..1)
  double top_overlap = 0;            // Jaccard overlap of the first two texts' most chosen experts
};

struct RoutingReport {
  std::string model;
  int64_t n_expert = 0, n_expert_used = 0, top_n = 0;  // top_n: experts in each "most chosen" set
  std::vector<RoutingCounts> texts;
  std::vector<LayerRouting> layers;
};

RoutingReport routing_report(const std::string& model, int64_t n_expert_used, std::vector<RoutingCounts> texts);

std::string routing_text(const RoutingReport& r);
chat::Json routing_json(const RoutingReport& r);

}  // namespace fathom::eval
