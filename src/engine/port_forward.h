// The supervisor's port forwarder (--port): for each container port it listens on a fresh
// 127.0.0.1 port of the host and relays every connection to 127.0.0.1:PORT inside the sandbox,
// over a socket made in the sandbox's network namespace. No process inside gets any route out:
// `--network none` stays loopback-only. Runs on the supervisor's EventLoop; single-threaded.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"
#include "stream/event_loop.h"
#include "util/fd.h"

namespace sbx {

// 127.0.0.1:port, for bind() and connect().
sockaddr_in loopback(int port);

class PortForwarder {
 public:
  // Makes an unconnected, non-blocking TCP socket inside the sandbox's network namespace.
  using InsideSocket = std::function<Result<UniqueFd>()>;

  PortForwarder(EventLoop& loop, InsideSocket inside) : loop_(loop), inside_(std::move(inside)) {}
  ~PortForwarder() { stop(); }
  PortForwarder(const PortForwarder&) = delete;
  PortForwarder& operator=(const PortForwarder&) = delete;

  // Listens on 127.0.0.1 (a port the kernel picks) for container_port.
  Result<Tunnel> add(int container_port);
  const std::vector<Tunnel>& tunnels() const { return tunnels_; }
  // Closes the listeners and every connection.
  void stop();

 private:
  struct Listener {
    UniqueFd fd;
    uint64_t watch = 0;
    int container_port = 0;
  };
  struct Connection {
    UniqueFd outside, inside;
    uint64_t to_inside = 0, to_outside = 0;  // pump handles; 0 once done
  };

  void on_accept(size_t index);
  void connect_inside(UniqueFd client, int container_port);
  void pump_done(uint64_t id, bool to_inside, const Status& s);

  EventLoop& loop_;
  InsideSocket inside_;
  std::vector<Listener> listeners_;
  std::vector<Tunnel> tunnels_;
  std::map<uint64_t, Connection> conns_;
  uint64_t next_conn_ = 1;
};

}  // namespace sbx
