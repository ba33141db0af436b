#include "server/run.h"

namespace fathom::server {

void Run::push(Piece p) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(p));
  }
  cv_.notify_all();
}

void Run::finish(const RunResult& r) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = r;
    done_ = true;
  }
  cv_.notify_all();
}

std::vector<Piece> Run::take(std::chrono::milliseconds timeout, bool& done) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return done_ || !pending_.empty(); });
  std::vector<Piece> out;
  out.swap(pending_);
  done = done_;
  return out;
}

bool Run::wait_done(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return done_; });
}

std::vector<Piece> Run::wait_all() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return done_; });
  std::vector<Piece> out;
  out.swap(pending_);
  return out;
}

RunResult Run::result() const {
  std::lock_guard<std::mutex> lock(mu_);
  return result_;
}

void Run::cancel() {
  if (job) job->cancel();
}

}  // namespace fathom::server
