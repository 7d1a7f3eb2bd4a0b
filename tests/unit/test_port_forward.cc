// Unit tests of the supervisor's port forwarder over loopback, with "inside" sockets made in
// the test's own network namespace: bytes both ways, half-close passed on, a refused inside
// port closing the client, and stop() closing the host port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "engine/port_forward.h"

using namespace sbx;

namespace {

// A listener on 127.0.0.1 (fresh port): returns its fd and port.
std::pair<int, int> listen_loopback() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(listen(fd, 8) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  return {fd, ntohs(a.sin_port)};
}

int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

PortForwarder::InsideSocket plain_sockets() {
  return []() -> Result<UniqueFd> {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return sys_error("socket");
    return fd;
  };
}

// Runs the loop until done is set (checked every 10 ms).
void run_until(EventLoop& loop, std::atomic<bool>& done) {
  std::function<void()> tick = [&] {
    if (done)
      loop.stop();
    else
      loop.after(10, tick);
  };
  loop.after(10, tick);
  REQUIRE(loop.run().ok());
}

}  // namespace

TEST_CASE("the forwarder relays both ways and passes the half-close on", "[port_forward]") {
  auto [server, port] = listen_loopback();
  auto loop = EventLoop::create_poll_fallback();
  PortForwarder fwd(*loop, plain_sockets());
  auto tunnel = fwd.add(port);
  REQUIRE(tunnel.ok());
  CHECK(tunnel->container_port == port);
  CHECK(tunnel->host_address == "127.0.0.1");
  CHECK(tunnel->host_port != port);
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::string got_inside, got_outside;
  std::atomic<bool> done{false};
  std::thread inside([&, server = server] {
    int c = accept(server, nullptr, nullptr);
    got_inside = read_all(c);  // ends at the client's half-close
    (void)!write(c, "reply", 5);
    close(c);
  });
  std::thread outside([&, hp = tunnel->host_port] {
    int c = connect_loopback(hp);  // (no Catch2 assertion in a thread: it is not thread-safe)
    for (size_t off = 0; c >= 0 && off < big.size();) {
      ssize_t n = write(c, big.data() + off, big.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    shutdown(c, SHUT_WR);
    got_outside = read_all(c);
    close(c);
    done = true;
  });
  run_until(*loop, done);
  outside.join();
  inside.join();
  CHECK(got_inside == big);
  CHECK(got_outside == "reply");
  close(server);
}

TEST_CASE("a refused inside port closes the client; stop() closes the host port",
          "[port_forward]") {
  auto [server, port] = listen_loopback();
  close(server);  // nothing listens on port any more
  auto loop = EventLoop::create_poll_fallback();
  PortForwarder fwd(*loop, plain_sockets());
  auto tunnel = fwd.add(port);
  REQUIRE(tunnel.ok());
  std::atomic<bool> done{false};
  std::string got = "unset";
  std::thread outside([&, hp = tunnel->host_port] {
    int c = connect_loopback(hp);
    got = c >= 0 ? read_all(c) : "connect failed";
    close(c);
    done = true;
  });
  run_until(*loop, done);
  outside.join();
  CHECK(got.empty());
  fwd.stop();
  CHECK(connect_loopback(tunnel->host_port) == -1);
  CHECK(fwd.tunnels().size() == 1);
}
