// Unix SOCK_SEQPACKET sockets by path, for the supervisor's control socket. Paths longer than
// sockaddr_un allows are reached through /proc/self/fd of their directory.
#pragma once

#include <string>

#include "sbx/error.h"
#include "util/fd.h"

namespace sbx {

Result<UniqueFd> listen_unix(const std::string& path);
Result<UniqueFd> connect_unix(const std::string& path);

}  // namespace sbx
