// What a sandbox's network needs beyond its own loopback, held by its supervisor for the
// sandbox's life: pasta for `--network nat`, the port forwarder (and the socket maker it uses)
// for --port. `none` without ports needs nothing; `host` shares the host's namespace and
// forwards nothing. Single-threaded, on the supervisor's EventLoop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/port_forward.h"
#include "runtime/network.h"
#include "runtime/runtime.h"
#include "sbx/error.h"

namespace sbx {

class SandboxNetwork {
 public:
  // Sets it up before the entrypoint starts. state_dir receives pasta's log.
  static Result<std::unique_ptr<SandboxNetwork>> start(const std::string& mode,
                                                       const std::vector<int>& ports,
                                                       const SandboxProcess& sandbox,
                                                       const std::string& state_dir,
                                                       EventLoop& loop);
  // The tunnels as the store's runtime_json "tunnels" value: [{container_port, ...}].
  std::string tunnels_json() const;
  bool has_tunnels() const { return forwarder_ && !forwarder_->tunnels().empty(); }
  // Closes the forwarded ports and ends pasta and the socket maker (reaped before returning).
  void stop();

 private:
  HelperProcess pasta_;
  std::optional<NetnsSocketMaker> maker_;
  std::unique_ptr<PortForwarder> forwarder_;
};

}  // namespace sbx
