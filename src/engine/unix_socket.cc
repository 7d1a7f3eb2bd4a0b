// Listening and connecting on path-named SOCK_SEQPACKET sockets.
#include "engine/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace sbx {

namespace {

// Fills addr with path, or with /proc/self/fd/N/name when path is too long; dir keeps N open.
Status make_address(const std::string& path, sockaddr_un* addr, UniqueFd* dir) {
  std::string target = path;
  if (path.size() >= sizeof addr->sun_path) {
    size_t slash = path.rfind('/');
    int fd = open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error("open " + path.substr(0, slash));
    dir->reset(fd);
    target = fd_path(fd) + path.substr(slash);
  }
  if (target.size() >= sizeof addr->sun_path) return invalid("socket path too long: " + path);
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path, target.c_str(), target.size() + 1);
  return {};
}

}  // namespace

Result<UniqueFd> listen_unix(const std::string& path) {
  sockaddr_un addr{};
  UniqueFd dir;
  SBX_TRY(make_address(path, &addr, &dir));
  UniqueFd sock(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock) return sys_error("socket");
  unlink(addr.sun_path);
  if (bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("bind " + path);
  if (listen(sock.get(), 64) != 0) return sys_error("listen " + path);
  return sock;
}

Result<UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  UniqueFd dir;
  SBX_TRY(make_address(path, &addr, &dir));
  UniqueFd sock(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) return sys_error("socket");
  if (connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("connect " + path);
  return sock;
}

}  // namespace sbx
