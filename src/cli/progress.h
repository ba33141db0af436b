// A one-line progress bar with bytes/s on stderr, drawn only when stderr is a terminal
// (logs and pipes get no carriage-return noise).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace fathom::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void update(uint64_t done, uint64_t total);
  void finish();  // ends the line, if one was drawn

 private:
  std::string label_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace fathom::cli
