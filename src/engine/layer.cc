// A live sandbox's writable layer (the overlay's upper directory), for diff and snapshot. With
// --disk it lives on a tmpfs only the sandbox's mount namespace has: the supervisor hands out a
// descriptor of it over the control socket. Without --disk it is the state directory's upper/.
#include <fcntl.h>

#include "engine/internal.h"
#include "engine/supervisor.h"
#include "engine/unix_socket.h"
#include "util/msg.h"

namespace sbx {

Result<UniqueFd> open_writable_layer(const std::string& home, const SandboxRow& row) {
  if (row.state != "running")
    return Error(ErrorKind::kFailedPrecondition, "sandbox " + row.id + " is not running");
  SBX_ASSIGN_OR_RETURN(UniqueFd sock, connect_unix(sandbox_layout(home, row.id).socket()));
  SBX_TRY(send_message(sock.get(), {kReqLayer}));
  SBX_ASSIGN_OR_RETURN(auto reply, recv_message(sock.get()));
  if (!reply) return internal("the supervisor of " + row.id + " went away");
  if (reply->verb() == kRepLayer && reply->fds.size() == 1) return std::move(reply->fds[0]);
  return internal("no writable layer from " + row.id + ": " + reply->at(2));
}

}  // namespace sbx
