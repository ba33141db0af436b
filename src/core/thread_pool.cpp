#include "core/thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "core/error.h"

namespace fathom {
namespace {

// Back-to-back ops (one matmul after another) arrive within microseconds, so a
// short spin saves the futex wake-up; anything longer than this sleeps.
constexpr auto kSpin = std::chrono::microseconds(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until pred() holds or the spin budget is spent; true when pred() held.
// After the first stretch it yields between checks, so a thread we are waiting
// for can have this core when the machine is oversubscribed.
template <class Pred>
bool spin_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (pred()) return true;
      cpu_relax();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed >= kSpin) return pred();
    if (elapsed >= kSpin / 4) std::this_thread::yield();
  }
}

}  // namespace

struct ThreadPool::Impl {
  int n_threads = 1;
  std::vector<std::thread> workers;

  std::mutex run_mutex;  // one run() at a time

  std::mutex mutex;
  std::condition_variable work_cv;
  std::condition_variable done_cv;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> sleeping_workers{0};
  std::atomic<int> pending{0};
  std::atomic<bool> caller_sleeping{false};
  std::atomic<bool> stop{false};  // set before the generation bump that announces it

  const std::function<void(int, int)>* job = nullptr;
  std::mutex error_mutex;
  std::exception_ptr error;

  void record_error() {
    std::lock_guard<std::mutex> lock(error_mutex);
    if (!error) error = std::current_exception();
  }

  void worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      if (!spin_until([&] { return generation.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lock(mutex);
        sleeping_workers.fetch_add(1);
        work_cv.wait(lock, [&] { return generation.load() != seen; });
        sleeping_workers.fetch_sub(1);
      }
      seen = generation.load(std::memory_order_acquire);
      if (stop.load()) return;
      try {
        (*job)(index, n_threads);
      } catch (...) {
        record_error();
      }
      if (pending.fetch_sub(1) == 1 && caller_sleeping.load()) {
        std::lock_guard<std::mutex> lock(mutex);
        done_cv.notify_one();
      }
    }
  }

  void wake_workers() {
    generation.fetch_add(1);
    if (sleeping_workers.load() > 0) {
      // Taking the mutex orders this notify after a sleeper's predicate check.
      std::lock_guard<std::mutex> lock(mutex);
      work_cv.notify_all();
    }
  }

  // Stops and joins whichever workers were started.
  void shut_down() {
    stop.store(true);
    generation.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      work_cv.notify_all();
    }
    for (auto& t : workers) t.join();
  }

  void wait_workers() {
    if (spin_until([&] { return pending.load(std::memory_order_acquire) == 0; })) return;
    std::unique_lock<std::mutex> lock(mutex);
    caller_sleeping.store(true);
    done_cv.wait(lock, [&] { return pending.load() == 0; });
    caller_sleeping.store(false);
  }
};

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads < 1) {
    throw Error("thread pool: thread count must be at least 1, got " + std::to_string(n_threads));
  }
  impl_ = new Impl;
  impl_->n_threads = n_threads;
  impl_->workers.reserve(n_threads - 1);
  try {
    for (int i = 1; i < n_threads; ++i) {
      impl_->workers.emplace_back([this, i] { impl_->worker_loop(i); });
    }
  } catch (const std::system_error& e) {
    impl_->shut_down();
    delete impl_;
    throw Error("thread pool: cannot start " + std::to_string(n_threads) + " threads: " + e.what(),
                ExitCode::Failure);
  }
}

ThreadPool::~ThreadPool() {
  impl_->shut_down();
  delete impl_;
}

int ThreadPool::size() const { return impl_->n_threads; }

// Not re-entrant: fn must not call run() on the same pool (it would wait on itself).
void ThreadPool::run(const std::function<void(int, int)>& fn) {
  Impl& p = *impl_;
  if (p.n_threads == 1) {
    fn(0, 1);
    return;
  }
  std::lock_guard<std::mutex> run_lock(p.run_mutex);
  p.job = &fn;
  p.error = nullptr;
  p.pending.store(p.n_threads - 1);
  p.wake_workers();
  try {
    fn(0, p.n_threads);
  } catch (...) {
    p.record_error();
  }
  p.wait_workers();  // workers still use fn: never leave before they are done
  if (p.error) std::rethrow_exception(std::exchange(p.error, nullptr));
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (n == 1 || size() == 1) {
    fn(0, n);
    return;
  }
  run([&](int i, int nth) {
    const int64_t begin = n * i / nth;
    const int64_t end = n * (i + 1) / nth;
    if (begin < end) fn(begin, end);
  });
}

int ThreadPool::default_threads() {
  const int logical = static_cast<int>(std::thread::hardware_concurrency());
#if defined(__linux__)
  // Count distinct (package, core) pairs among the CPUs this process may run on,
  // so SMT siblings and CPUs outside the affinity mask do not count.
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    std::set<std::pair<int, int>> cores;
    bool ok = true;
    for (int cpu = 0; cpu < CPU_SETSIZE && ok; ++cpu) {
      if (!CPU_ISSET(cpu, &mask)) continue;
      const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
      std::ifstream core_f(dir + "core_id"), pkg_f(dir + "physical_package_id");
      int core = -1, pkg = -1;
      ok = static_cast<bool>(core_f >> core) && static_cast<bool>(pkg_f >> pkg);
      if (ok) cores.emplace(pkg, core);
    }
    if (ok && !cores.empty()) return static_cast<int>(cores.size());
    if (CPU_COUNT(&mask) > 0) return CPU_COUNT(&mask);
  }
#endif
  return logical > 0 ? logical : 1;
}

}  // namespace fathom
