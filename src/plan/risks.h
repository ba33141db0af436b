// What can go wrong with a plan, and what to do about it: each a concrete line.
#pragma once
#include <string>
#include <vector>

#include "plan/hardware.h"
#include "plan/plan.h"

namespace fathom::plan {

std::vector<std::string> assess_risks(const Plan& p, const Machine& machine);

}  // namespace fathom::plan
