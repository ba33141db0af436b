// GuardedServer over real loopback sockets: a request must arrive whole within the read
// timeout of its first byte, a handler can see its client hang up, and shut_down() cuts
// the connections still open.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "server/guarded_server.h"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using fathom::server::GuardedServer;

namespace {

// A GuardedServer on a free loopback port, listening in a thread of its own, with a 1 s
// request deadline and a keep-alive wait long enough to tell a cut from a timeout.
struct Running {
  explicit Running(const std::function<void(httplib::Server&)>& routes = {})
      : server([this](const std::string&) { ++timeouts; }) {
    server.set_read_timeout(1, 0);
    server.set_keep_alive_timeout(5);
    if (routes) routes(server);
    port = server.bind_to_any_port("127.0.0.1");
    listener = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~Running() {
    server.shut_down();
    listener.join();
  }

  std::atomic<int> timeouts{0};
  GuardedServer server;
  int port = 0;
  std::thread listener;
};

// A connected client whose reads give up after 5 s, so that no test can hang.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

void send_all(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

// What the server sent until it closed the connection (or 5 s passed).
std::string read_to_close(int fd) {
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) got.append(buf, static_cast<size_t>(n));
  return got;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

TEST(ServerGuarded, TrickledRequestIsCutAtItsDeadlineAndReportedOnce) {
  Running r;
  const int fd = connect_to(r.port);
  const auto t0 = Clock::now();
  std::atomic<bool> closed{false};
  // A byte every 200 ms: no single read waits long, but the request would take 3.6 s.
  std::thread writer([fd, &closed] {
    for (const char c : std::string("GET /x HTTP/1.1\r\n\r\n")) {
      if (closed || ::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(200ms);
    }
  });
  const std::string got = read_to_close(fd);
  const double took = seconds_since(t0);
  closed = true;
  writer.join();
  ::close(fd);
  EXPECT_EQ(got, "") << "the request line never came whole: nothing to answer";
  EXPECT_GE(took, 0.9);
  EXPECT_LE(took, 2.5);
  EXPECT_EQ(r.timeouts.load(), 1);
}

TEST(ServerGuarded, DeadlineRunsFromTheRequestsFirstByte) {
  Running r;
  const int fd = connect_to(r.port);
  std::this_thread::sleep_for(1500ms);  // idle past the deadline's length, within keep-alive
  send_all(fd, "GET /x HTTP/1.1\r\n");
  std::this_thread::sleep_for(600ms);  // the whole request within 1 s of its first byte
  send_all(fd, "Connection: close\r\n\r\n");
  const std::string got = read_to_close(fd);
  ::close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 404", 0), 0u) << got;
  EXPECT_EQ(r.timeouts.load(), 0);
}

TEST(ServerGuarded, HandlerSeesItsClientHangUp) {
  std::atomic<bool> there_at_first{false}, gone{false};
  Running r([&](httplib::Server& s) {
    s.Get("/wait", [&](const httplib::Request&, httplib::Response& res) {
      there_at_first = !GuardedServer::client_gone();
      for (const auto until = Clock::now() + 5s; Clock::now() < until && !gone;) {
        gone = GuardedServer::client_gone();
        std::this_thread::sleep_for(10ms);
      }
      res.set_content("too late", "text/plain");
    });
  });
  const int fd = connect_to(r.port);
  send_all(fd, "GET /wait HTTP/1.1\r\n\r\n");
  std::this_thread::sleep_for(300ms);
  ::close(fd);
  const auto t0 = Clock::now();
  while (!gone && seconds_since(t0) < 3) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(there_at_first.load());
  EXPECT_TRUE(gone.load());
  EXPECT_LT(seconds_since(t0), 1.0);
  EXPECT_FALSE(GuardedServer::client_gone()) << "no request is handled on this thread";
}

TEST(ServerGuarded, ShutDownCutsIdleConnections) {
  Running r;
  const int fd = connect_to(r.port);
  std::this_thread::sleep_for(200ms);  // accepted, waiting up to 5 s for a request
  const auto t0 = Clock::now();
  r.server.shut_down();
  char c = 0;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0) << "the connection is closed";
  EXPECT_LT(seconds_since(t0), 1.0);
  ::close(fd);
}
