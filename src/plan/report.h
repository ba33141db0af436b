// A plan for people (aligned tables, human units, colour only on a terminal) and for
// programs (JSON with every number). Several plans print side by side.
#pragma once
#include <cstdio>
#include <vector>

#include "nlohmann/json.hpp"
#include "plan/hardware.h"
#include "plan/plan.h"

namespace fathom::plan {

void print_report(std::FILE* out, const Machine& machine, const std::vector<Plan>& plans, bool color);

nlohmann::json report_json(const Machine& machine, const std::vector<Plan>& plans);

}  // namespace fathom::plan
