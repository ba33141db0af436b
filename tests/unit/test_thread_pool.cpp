#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

namespace fathom {
namespace {

TEST(ThreadPool, RunCallsEveryIndexOnce) {
  for (int n : {1, 2, 3, 4}) {
    ThreadPool pool(n);
    EXPECT_EQ(pool.size(), n);
    std::vector<std::atomic<int>> hits(n);
    std::atomic<int> bad{0};
    pool.run([&](int i, int nth) {
      if (nth != n || i < 0 || i >= n)
        ++bad;
      else
        ++hits[i];
    });
    EXPECT_EQ(bad.load(), 0);
    for (int i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << i;
  }
}

TEST(ThreadPool, CallerIsThreadZero) {
  ThreadPool pool(3);
  std::thread::id id0;
  pool.run([&](int i, int) {
    if (i == 0) id0 = std::this_thread::get_id();
  });
  EXPECT_EQ(id0, std::this_thread::get_id());
}

TEST(ThreadPool, ParallelForCoversRangeContiguously) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 3, 5, 100, 1001}) {
      std::vector<std::atomic<int>> seen(n);
      std::atomic<int> calls{0};
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        EXPECT_LT(b, e);
        ++calls;
        for (int64_t i = b; i < e; ++i) ++seen[i];
      });
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(seen[i].load(), 1) << "n=" << n << " i=" << i;
      }
      EXPECT_LE(calls.load(), threads);
      if (n >= threads) {
        EXPECT_EQ(calls.load(), threads);
      }
    }
  }
}

// Back-to-back jobs (a decode step issues thousands) never lose or repeat a hand-off.
TEST(ThreadPool, ManySmallJobsAllComplete) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  const int kRuns = 20000;
  for (int r = 0; r < kRuns; ++r) pool.run([&](int i, int) { sum += i + 1; });
  EXPECT_EQ(sum.load(), int64_t{kRuns} * 3);
}

TEST(ThreadPool, PropagatesExceptions) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.run([](int i, int) {
    if (i == 2) throw Error("worker failed");
  }),
               Error);
  EXPECT_THROW(pool.run([](int i, int) {
    if (i == 0) throw std::runtime_error("caller failed");
  }),
               std::runtime_error);
  std::atomic<int> ok{0};
  pool.run([&](int, int) { ++ok; });  // still usable afterwards
  EXPECT_EQ(ok.load(), 3);
}

// Idle workers sleep: the process burns (almost) no CPU while nothing runs.
TEST(ThreadPool, IdleWorkersSleep) {
  ThreadPool pool(4);
  pool.run([](int, int) {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the spin window
  const std::clock_t c0 = std::clock();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  EXPECT_LT(cpu, 0.05);
}

TEST(ThreadPool, RejectsZeroThreadsAndKnowsCores) {
  EXPECT_THROW(ThreadPool(0), Error);
  EXPECT_GE(ThreadPool::default_threads(), 1);
  EXPECT_LE(ThreadPool::default_threads(), static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace fathom
