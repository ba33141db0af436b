#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/units.h"

namespace fathom::cli {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!tty_ || total == 0) return;
  constexpr int kWidth = 30;
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<size_t>(frac * kWidth), '#');
  bar.resize(kWidth, '.');
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  std::fprintf(stderr, "\r%s [%s] %3.0f%%  %s / %s  %s/s ", label_.c_str(), bar.c_str(), 100.0 * frac,
               format_bytes(done).c_str(), format_bytes(total).c_str(), format_bytes(static_cast<uint64_t>(rate)).c_str());
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace fathom::cli
