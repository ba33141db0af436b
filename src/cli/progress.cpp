#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/units.h"

namespace fathom::cli {

ProgressBar::ProgressBar(std::string label, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), tty_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!tty_ || total == 0) return;
  constexpr int kWidth = 30;
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<size_t>(frac * kWidth), '#');
  bar.resize(kWidth, '.');
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  const auto amount = [&](double x) {
    return unit_.empty() ? format_bytes(static_cast<uint64_t>(x)) : std::to_string(static_cast<uint64_t>(x));
  };
  const std::string unit = unit_.empty() ? "" : " " + unit_;
  std::string eta = "--:--";
  if (rate > 0 && done < total) {
    const auto left = static_cast<long long>(static_cast<double>(total - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", left / 3600, left / 60 % 60, left % 60);
    eta = buf;
  }
  std::fprintf(stderr, "\r%s [%s] %3.0f%%  %s / %s%s  %s%s/s  ETA %s ", label_.c_str(), bar.c_str(), 100.0 * frac,
               amount(static_cast<double>(done)).c_str(), amount(static_cast<double>(total)).c_str(), unit.c_str(),
               amount(rate).c_str(), unit.c_str(), eta.c_str());
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace fathom::cli
