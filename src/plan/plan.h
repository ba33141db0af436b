// A plan: one model on one machine. Memory by device and group, the placement, the
// largest context of each strategy, speed estimates, risks and the command to run it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "plan/hardware.h"
#include "plan/memory.h"
#include "plan/model_spec.h"
#include "plan/placement.h"
#include "plan/speed.h"

namespace fathom::plan {

struct PlanRequest {
  std::optional<int64_t> ctx;  // default: the model's maximum
  int64_t parallel = 1;
  DType kv_type = DType::F16;  // F16 or Q8_0
};

struct VariantSize {
  std::string name;  // "q4_k_m"
  uint64_t bytes = 0;
};

struct Plan {
  ModelSpec model;
  models::Inventory summary;
  KvSettings kv;
  PlacementResult placement;
  bool fits = false;
  SpeedEstimate speed;      // for the chosen layout
  Layout cpu_layout;        // everything on the CPU: what fathom's engine runs today
  SpeedEstimate cpu_speed;
  std::vector<VariantSize> variants;  // the model's other precisions in the catalog
  std::vector<std::string> risks;
  std::string command;  // the exact fathom command line, or why there is none
};

Plan make_plan(ModelSpec model, const Machine& machine, const PlanRequest& request);

}  // namespace fathom::plan
