// Starting and stopping a sandbox's network helpers (see sandbox_network.h). The forwarder's
// pumps write into sockets whose peer may be gone: SIGPIPE is ignored once it exists.
#include "engine/sandbox_network.h"

#include <signal.h>

#include "engine/views.h"

namespace sbx {

Result<std::unique_ptr<SandboxNetwork>> SandboxNetwork::start(const std::string& mode,
                                                              const std::vector<int>& ports,
                                                              const SandboxProcess& sandbox,
                                                              const std::string& state_dir,
                                                              EventLoop& loop) {
  auto net = std::make_unique<SandboxNetwork>();
  if (mode == "host") return net;
  if (mode == "nat") {
    SBX_ASSIGN_OR_RETURN(net->pasta_, start_pasta(sandbox.userns.get(), sandbox.netns.get(),
                                                  state_dir + "/pasta.log"));
  }
  if (ports.empty()) return net;
  signal(SIGPIPE, SIG_IGN);
  SBX_ASSIGN_OR_RETURN(NetnsSocketMaker maker,
                       NetnsSocketMaker::start(sandbox.userns.get(), sandbox.netns.get()));
  net->maker_ = std::move(maker);
  SandboxNetwork* self = net.get();
  net->forwarder_ =
      std::make_unique<PortForwarder>(loop, [self] { return self->maker_->tcp_socket(); });
  for (int port : ports) SBX_TRY(net->forwarder_->add(port));
  return net;
}

std::string SandboxNetwork::tunnels_json() const {
  return to_json(forwarder_ ? forwarder_->tunnels() : std::vector<Tunnel>{});
}

void SandboxNetwork::stop() {
  if (forwarder_) forwarder_->stop();
  maker_.reset();
  pasta_.stop();
}

}  // namespace sbx
