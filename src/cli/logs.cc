// `sbx logs`: copies the output of a sandbox's entrypoint (or of a detached process) to stdout
// and stderr; with --follow, until it ends.
#include "cli/cli.h"

namespace sbx::cli {

namespace {

struct LogsFlags {
  TargetFlags target;
  bool follow = false;
};

Result<int> logs(Engine& engine, const LogsFlags& f) {
  SBX_TRY(engine.logs(f.target.ref(), f.follow, 1, 2));
  return 0;
}

}  // namespace

void add_logs_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] =
      add_verb(sbx, "logs", "Print the output of a sandbox or detached process", action, logs);
  cmd->add_flag("-f,--follow", f->follow, "Keep printing new output until it ends");
  add_target(cmd, f->target, "SANDBOX|PROCESS");
}

}  // namespace sbx::cli
