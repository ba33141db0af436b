// A persistent pool: workers sleep on a condition variable between jobs
// (no busy-waiting, the server idles most of the time) and are reused for every op.
#pragma once
#include <cstdint>
#include <functional>

namespace fathom {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);  // n_threads >= 1; the caller thread is one of them
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const;

  // Runs fn(thread_index, n_threads) on every thread (caller included) and waits.
  void run(const std::function<void(int, int)>& fn);

  // Splits [0, n) into contiguous chunks, calling fn(begin, end) for each; waits.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

  // Number of physical cores (falls back to logical cores).
  static int default_threads();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace fathom
