// `sbx tunnels`: the ports forwarded into a running sandbox (Modal's tunnels()), one
// `CONTAINER_PORT -> 127.0.0.1:HOST_PORT` line each, or a JSON array. A sandbox that is not
// running has none: its ports closed when it ended.
#include "cli/cli.h"
#include "cli/output.h"
#include "engine/views.h"

namespace sbx::cli {

namespace {

struct TunnelsFlags {
  TargetFlags target;
  bool json = false;
};

Result<int> tunnels(Engine& engine, const TunnelsFlags& f) {
  SBX_ASSIGN_OR_RETURN(SandboxInfo sandbox, engine.inspect(f.target.ref()));
  std::vector<Tunnel> live;
  if (sandbox.state == "running") live = sandbox.tunnels;
  if (f.json) {
    SBX_TRY(print_line(to_json(live)));
    return 0;
  }
  for (const Tunnel& t : live)
    SBX_TRY(print_line(std::to_string(t.container_port) + " -> " + t.host_address + ":" +
                       std::to_string(t.host_port)));
  return 0;
}

}  // namespace

void add_tunnels_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "tunnels",
                           "List the ports forwarded into a running sandbox (--port): "
                           "CONTAINER_PORT -> 127.0.0.1:HOST_PORT",
                           action, tunnels);
  add_target(cmd, f->target, "SANDBOX");
  add_json_flag(cmd, f->json);
}

}  // namespace sbx::cli
