#include "chat/conversation.h"

#include <array>

#include "core/error.h"

namespace fathom::chat {

namespace {
constexpr std::array<std::string_view, 5> kRoles = {"system", "developer", "user", "assistant", "tool"};
constexpr std::array<std::string_view, 3> kEfforts = {"low", "medium", "high"};
}  // namespace

std::string_view role_name(Role r) { return kRoles[static_cast<size_t>(r)]; }

Role parse_role(std::string_view name) {
  for (size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i] == name) return static_cast<Role>(i);
  }
  throw Error("unknown message role '" + std::string(name) + "' (expected system, developer, user, assistant or tool)");
}

std::string_view effort_name(ReasoningEffort e) { return kEfforts[static_cast<size_t>(e)]; }

ReasoningEffort parse_effort(std::string_view name) {
  for (size_t i = 0; i < kEfforts.size(); ++i) {
    if (kEfforts[i] == name) return static_cast<ReasoningEffort>(i);
  }
  throw Error("unknown reasoning effort '" + std::string(name) + "' (expected low, medium or high)");
}

}  // namespace fathom::chat
