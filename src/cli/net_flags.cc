// The network flags of create and run: --network MODE and --port N (repeatable), checked here
// so a bad value gets one clear message, and the warnings that --network host deserves.
#include <cstdio>

#include "cli/cli.h"
#include "cli/output.h"

namespace sbx::cli {

void add_network_flags(CLI::App* cmd, NetworkFlags& f) {
  cmd->add_option("--network", f.mode,
                  "none (default: loopback only), nat (outbound through pasta, never the "
                  "host's loopback) or host (the host's own network; unsafe)")
      ->type_name("MODE");
  add_list_option(cmd, "--port", f.ports, "N",
                  "Forward a fresh 127.0.0.1 port of the host to port N inside; repeatable");
}

namespace {

Result<int> parse_port(const std::string& text) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) return invalid("--port '" + text + "' is not a port");
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port < 1 || port > 65535)
    return invalid("--port '" + text + "' is not a port (1-65535)");
  return port;
}

void warn(const std::string& text) { std::fprintf(stderr, "sbx: warning: %s\n", text.c_str()); }

}  // namespace

Status apply_network_flags(const NetworkFlags& f, SandboxSpec& spec) {
  spec.network = f.mode;
  spec.ports.clear();
  for (const std::string& text : f.ports) {
    SBX_ASSIGN_OR_RETURN(int port, parse_port(text));
    for (int p : spec.ports)
      if (p == port) return invalid("--port " + text + " is given twice");
    spec.ports.push_back(port);
  }
  if (f.mode != "host") return {};
  // As Docker does with -p and --network host: the ports are the host's already.
  if (!spec.ports.empty()) warn("--port is ignored with --network host: no port is forwarded");
  spec.ports.clear();
  warn("--network host: the sandbox shares the host's network, its loopback services included");
  return {};
}

}  // namespace sbx::cli
