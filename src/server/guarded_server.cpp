#include "server/guarded_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace fathom::server {

namespace {

using Clock = std::chrono::steady_clock;

// How long a closing connection goes on reading what its client still sends.
constexpr auto kLinger = std::chrono::seconds(2);

// poll() for `events` until `until`, resumed after a signal: > 0 ready, 0 timed out,
// < 0 failed.
int wait_for(int fd, short events, Clock::time_point until) {
  for (;;) {
    const int64_t left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(left, 0, INT_MAX)));
    if (n >= 0 || errno != EINTR) return n;
  }
}

// The numeric address of either end of a connection; left as is when the socket has none.
void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof(a);
  auto* sa = reinterpret_cast<sockaddr*>(&a);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) return;
  ip = host;
  port = std::atoi(serv);
}

// One client connection as httplib reads and writes it: poll(), then recv() or send(),
// like httplib's SocketStream, but reads wait no later than the current request's
// deadline instead of a fresh timeout each. httplib reads nothing of a request once its
// handler runs, so the deadline covers the request line, the headers and the body. The
// read buffer lives as long as the connection, so a pipelined request is kept; it is on
// the heap, as httplib's, since each of hundreds of pool threads would grow its stack.
class Connection final : public httplib::Stream {
 public:
  Connection(int fd, Clock::duration request_timeout, Clock::duration write_timeout)
      : fd_(fd), request_timeout_(request_timeout), write_timeout_(write_timeout) {}

  // Waits up to `idle` for the first byte of the next request (one already read
  // counts); that request's deadline runs from then.
  bool next_request(Clock::duration idle) {
    timed_out_ = false;
    last_answer_ = false;
    if (begin_ == end_ && wait_for(fd_, POLLIN, Clock::now() + idle) <= 0) return false;
    deadline_ = Clock::now() + request_timeout_;
    return true;
  }
  bool timed_out() const { return timed_out_; }
  void answer_is_last() { last_answer_ = true; }
  bool last_answer() const { return last_answer_; }

  // The client closed or reset its side: the socket holds no byte, only the end or an
  // error. Bytes waiting (a next request) mean it is still there.
  bool peer_gone() const {
    char c = 0;
    const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  std::string peer() const {
    std::string ip = "?";
    int port = 0;
    get_remote_ip_and_port(ip, port);
    return ip + ":" + std::to_string(port);
  }

  bool is_readable() const override { return begin_ < end_ || wait_for(fd_, POLLIN, deadline_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      if (!is_readable()) {
        timed_out_ = Clock::now() >= deadline_;
        return -1;
      }
      const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buf_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  // As httplib's: a client gone makes the write fail at once, rather than one write
  // later, which is how a stream notices it (generation_routes.cpp).
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, Clock::now() + write_timeout_) > 0 && !peer_gone();
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return ::send(fd_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  Clock::duration request_timeout_;
  Clock::duration write_timeout_;
  Clock::time_point deadline_;
  bool timed_out_ = false;
  bool last_answer_ = false;
  std::vector<char> buf_ = std::vector<char>(4096);
  size_t begin_ = 0;
  size_t end_ = 0;
};

// Before closing a connection whose client may still be sending (say the rest of a body
// refused from its headers): closing a socket with unread bytes resets the connection,
// and the reset can destroy the answer before the client has read it. So the server's
// side ends first, and what comes in is dropped until the client ends its side too.
void linger(int fd) {
  ::shutdown(fd, SHUT_WR);
  const Clock::time_point until = Clock::now() + kLinger;
  // MSG_TRUNC: Linux drops TCP data without copying it.
  while (wait_for(fd, POLLIN, until) > 0 && ::recv(fd, nullptr, 1 << 20, MSG_TRUNC | MSG_DONTWAIT) > 0) {
  }
}

// The connection whose request this thread is handling.
thread_local Connection* current = nullptr;

}  // namespace

GuardedServer::GuardedServer(TimeoutHandler on_timeout) : on_timeout_(std::move(on_timeout)) {
  // An answer that says "Connection: close" is the connection's last, as in HTTP.
  // httplib would read on, and take what is left of a refused or malformed request for
  // the next one.
  set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (current != nullptr && res.get_header_value("Connection") == "close") current->answer_is_last();
  });
}

void GuardedServer::shut_down() {
  stop();
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  for (const socket_t sock : open_) ::shutdown(sock, SHUT_RDWR);
}

bool GuardedServer::client_gone() { return current != nullptr && current->peer_gone(); }

bool GuardedServer::request_timed_out() { return current != nullptr && current->timed_out(); }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  const bool served = enter(sock);
  if (served) {
    serve(sock);
    linger(sock);  // still registered: shut_down() ends the wait
    leave(sock);
  }
  ::close(sock);
  return served;
}

void GuardedServer::serve(socket_t sock) {
  using std::chrono::microseconds;
  using std::chrono::seconds;
  Connection conn(sock, seconds(read_timeout_sec_) + microseconds(read_timeout_usec_),
                  seconds(write_timeout_sec_) + microseconds(write_timeout_usec_));
  current = &conn;
  // httplib's keep-alive rules: at most keep_alive_max_count_ requests (the last one's
  // answer says "Connection: close"), each begun within keep_alive_timeout_sec_ of the
  // previous answer, none once the server stops.
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    if (!conn.next_request(seconds(keep_alive_timeout_sec_))) break;
    bool client_closes = false;
    const bool answered = process_request(conn, left == 1, client_closes, nullptr);
    if (conn.timed_out()) {
      on_timeout_(conn.peer());
      break;
    }
    if (!answered || client_closes || conn.last_answer()) break;
  }
  current = nullptr;
}

// A connection that arrives after shut_down() is closed unserved.
bool GuardedServer::enter(socket_t sock) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return false;
  open_.insert(sock);
  return true;
}

// Before the socket is closed: the next accept() may reuse its number at once.
void GuardedServer::leave(socket_t sock) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(sock);
}

}  // namespace fathom::server
