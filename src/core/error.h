// Errors are values with context; they reach the user as one line and an exit code.
#pragma once
#include <stdexcept>
#include <string>

namespace fathom {

// Exit codes the CLI maps errors to.
enum class ExitCode : int { Ok = 0, Failure = 1, BadInput = 2 };

// An error that carries the context a user needs to act on it
// ("model.gguf: tensor blk.3.ffn_down_exps: shape [...] expected [...]").
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, ExitCode code = ExitCode::BadInput)
      : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace fathom
