// `sbx terminate`: stops a sandbox and everything in it (return code 137).
#include "cli/cli.h"

namespace sbx::cli {

namespace {

Result<int> terminate(Engine& engine, const TargetFlags& f) {
  SBX_TRY(engine.terminate(f.ref()));
  return 0;
}

}  // namespace

void add_terminate_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] =
      add_verb(sbx, "terminate", "Stop a sandbox and everything running in it", action, terminate);
  add_target(cmd, *f, "SANDBOX");
}

}  // namespace sbx::cli
