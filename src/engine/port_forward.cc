// The port forwarder: accept on the host's loopback, connect inside (non-blocking: the pumps
// wait for the connection like for any data), then two pumps, one per direction. A direction
// that ends cleanly is passed on as a half-close; one that fails ends the whole connection.
#include "engine/port_forward.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace sbx {

// 127.0.0.1:port.
sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

Result<Tunnel> PortForwarder::add(int container_port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  sockaddr_in a = loopback(0);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    return sys_error("bind 127.0.0.1");
  if (listen(fd.get(), SOMAXCONN) != 0) return sys_error("listen on 127.0.0.1");
  socklen_t len = sizeof a;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return sys_error("getsockname");
  Tunnel t{container_port, "127.0.0.1", ntohs(a.sin_port)};
  size_t index = listeners_.size();
  listeners_.push_back({std::move(fd), 0, container_port});
  listeners_[index].watch = loop_.watch(listeners_[index].fd.get(), [this, index](int) {
    on_accept(index);
    return true;
  });
  tunnels_.push_back(t);
  return t;
}

void PortForwarder::on_accept(size_t index) {
  for (;;) {
    int fd = accept4(listeners_[index].fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    connect_inside(UniqueFd(fd), listeners_[index].container_port);
  }
}

void PortForwarder::connect_inside(UniqueFd client, int container_port) {
  auto inside = inside_();
  if (!inside.ok()) return;  // closing the client tells it
  sockaddr_in a = loopback(container_port);
  if (connect(inside->get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 &&
      errno != EINPROGRESS)
    return;
  uint64_t id = next_conn_++;
  Connection& c = conns_[id];
  c.outside = std::move(client);
  c.inside = std::move(inside).value();
  c.to_inside = loop_.pump(c.outside.get(), c.inside.get(),
                           [this, id](const Status& s) { pump_done(id, true, s); });
  c.to_outside = loop_.pump(c.inside.get(), c.outside.get(),
                            [this, id](const Status& s) { pump_done(id, false, s); });
}

void PortForwarder::pump_done(uint64_t id, bool to_inside, const Status& s) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Connection& c = it->second;
  (to_inside ? c.to_inside : c.to_outside) = 0;
  uint64_t other = to_inside ? c.to_outside : c.to_inside;
  if (s.ok()) {
    shutdown((to_inside ? c.inside : c.outside).get(), SHUT_WR);  // pass the EOF on
  } else if (other != 0) {
    loop_.cancel(other);
  }
  if (c.to_inside == 0 && c.to_outside == 0) conns_.erase(it);
}

void PortForwarder::stop() {
  for (Listener& l : listeners_)
    if (l.watch != 0) loop_.unwatch(std::exchange(l.watch, 0));
  listeners_.clear();
  for (auto& [id, c] : conns_) {
    shutdown(c.outside.get(), SHUT_RDWR);
    shutdown(c.inside.get(), SHUT_RDWR);
    if (c.to_inside != 0) loop_.cancel(c.to_inside);
    if (c.to_outside != 0) loop_.cancel(c.to_outside);
  }
}

}  // namespace sbx
