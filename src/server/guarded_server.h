// cpp-httplib's Server with its connection loop replaced, for what 0.11 cannot do: it
// times out each recv() rather than a request, so a client sending a byte every few
// seconds holds a thread for ever (slowloris); it keeps no list of its connections, so
// stopping waits on every idle or slow client; and a handler cannot see its client.
// Here each request must arrive whole within the read timeout of its first byte, every
// open connection is known, and a handler can ask whether its client is still there.
// An answer with "Connection: close" ends its connection (GuardedServer sets the
// post-routing handler for that, so it is not free for other uses), and a connection
// ends gracefully: what the client still sends is read for up to 2 s, so that closing
// does not reset the connection under an answer not yet read.
#pragma once
#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>

namespace fathom::server {

class GuardedServer : public httplib::Server {
 public:
  // Told once per request cut by its deadline (the connection is then closed), with the
  // client's address.
  using TimeoutHandler = std::function<void(const std::string& client)>;
  explicit GuardedServer(TimeoutHandler on_timeout);

  // Stops listening and shuts every open connection down, so that no connection thread
  // keeps waiting on a client (an idle keep-alive, a request still arriving).
  void shut_down();

  // About the request this thread is handling. httplib hands a handler the request, not
  // its connection, but runs it on the connection's thread. False on any other thread.
  // Whether the client has closed or reset its side of the connection:
  static bool client_gone();
  // Whether the request ran past its deadline while being read (then only the error
  // handler runs: httplib answers it as a bad request):
  static bool request_timed_out();

 private:
  bool process_and_close_socket(socket_t sock) override;
  void serve(socket_t sock);
  bool enter(socket_t sock);
  void leave(socket_t sock);

  TimeoutHandler on_timeout_;
  std::mutex mu_;
  std::unordered_set<socket_t> open_;
  bool shutting_down_ = false;
};

}  // namespace fathom::server
