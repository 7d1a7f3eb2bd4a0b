// Encoding: u32 field count, then per field a u32 length and the bytes. Descriptors travel in
// one SCM_RIGHTS control message and are received close-on-exec.
#include "util/msg.h"

#include <sys/socket.h>

#include <cstring>
#include <memory>

namespace sbx {

const std::string& Message::at(size_t i) const {
  static const std::string kEmpty;
  return i < fields.size() ? fields[i] : kEmpty;
}

static void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); }

Status send_message(int sock, const std::vector<std::string>& fields, const std::vector<int>& fds) {
  std::string buf;
  put_u32(buf, static_cast<uint32_t>(fields.size()));
  for (const auto& f : fields) {
    put_u32(buf, static_cast<uint32_t>(f.size()));
    buf += f;
  }
  if (buf.size() > kMaxMessageBytes)
    return invalid("request too large (command and environment exceed " +
                   std::to_string(kMaxMessageBytes / 1024) + " KiB)");
  if (fds.size() > kMaxMessageFds) return internal("too many descriptors in one message");
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxMessageFds)];
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return {};
    if (errno != EINTR) return sys_error("send message");
  }
}

static Result<std::vector<std::string>> decode(const char* p, size_t n) {
  auto take = [&](uint32_t& v) {
    if (n < 4) return false;
    std::memcpy(&v, p, 4);
    p += 4;
    n -= 4;
    return true;
  };
  uint32_t count = 0;
  if (!take(count)) return internal("malformed message");
  std::vector<std::string> fields;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!take(len) || len > n) return internal("malformed message");
    fields.emplace_back(p, len);
    p += len;
    n -= len;
  }
  return fields;
}

Result<std::optional<Message>> recv_message(int sock) {
  // One receive buffer per thread, allocated once and never zero-filled: a fresh 192 KiB
  // vector per message cost a memset and page faults on every exec.
  thread_local std::unique_ptr<char[]> buf(new char[kMaxMessageBytes]);
  iovec iov{buf.get(), kMaxMessageBytes};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxMessageFds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return std::optional<Message>();
    return sys_error("receive message");
  }
  Message m;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      m.fds.emplace_back(fd);
    }
  }
  if (n == 0 && m.fds.empty()) return std::optional<Message>();
  SBX_ASSIGN_OR_RETURN(m.fields, decode(buf.get(), static_cast<size_t>(n)));
  return std::optional<Message>(std::move(m));
}

Result<std::pair<UniqueFd, UniqueFd>> make_seqpacket_pair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return sys_error("socketpair");
  return std::make_pair(UniqueFd(sv[0]), UniqueFd(sv[1]));
}

}  // namespace sbx
