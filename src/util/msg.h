// Framed messages over SOCK_SEQPACKET unix sockets: a list of string fields plus, optionally,
// file descriptors passed with SCM_RIGHTS. Used between the CLI and a sandbox's supervisor, and
// between the supervisor and the sandbox's pid 1. One datagram carries one whole message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sbx/error.h"
#include "util/fd.h"

namespace sbx {

// The largest message: argv plus environment of an exec must fit.
inline constexpr size_t kMaxMessageBytes = 192 * 1024;
inline constexpr size_t kMaxMessageFds = 4;

struct Message {
  std::vector<std::string> fields;
  std::vector<UniqueFd> fds;

  const std::string& at(size_t i) const;  // "" past the end
  std::string verb() const { return fields.empty() ? std::string() : fields[0]; }
};

Status send_message(int sock, const std::vector<std::string>& fields,
                    const std::vector<int>& fds = {});
// Receives one message; an empty optional means the peer closed the connection.
Result<std::optional<Message>> recv_message(int sock);

// A SOCK_SEQPACKET socketpair, both ends close-on-exec.
Result<std::pair<UniqueFd, UniqueFd>> make_seqpacket_pair();

}  // namespace sbx
