// `sbx terminate`: stops a sandbox and everything in it (return code 137).
#include "cli/cli.h"

namespace sbx::cli {

namespace {

Result<int> terminate(Engine& engine, const TargetFlags& f) {
  SBX_TRY(engine.terminate(f.ref()));
  return 0;
}

// Straight to the supervisor when SANDBOX is an id (Engine::terminate_direct).
std::optional<Result<int>> terminate_shortcut(const TargetFlags& f) {
  std::optional<Status> done = Engine::terminate_direct(f.ref());
  if (!done) return std::nullopt;
  if (!done->ok()) return Result<int>(std::move(*done).error());
  return 0;
}

}  // namespace

void add_terminate_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "terminate", "Stop a sandbox and everything running in it", action,
                           terminate, terminate_shortcut);
  add_target(cmd, *f, "SANDBOX");
}

}  // namespace sbx::cli
