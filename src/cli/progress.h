// A one-line progress bar with its rate and time left on stderr, drawn only when stderr
// is a terminal (logs and pipes get no carriage-return noise).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace fathom::cli {

class ProgressBar {
 public:
  // unit: empty for bytes (shown in KiB/MiB/GiB), else the name of what is counted ("tokens").
  explicit ProgressBar(std::string label, std::string unit = "");
  void update(uint64_t done, uint64_t total);
  void finish();  // ends the line, if one was drawn

 private:
  std::string label_, unit_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace fathom::cli
