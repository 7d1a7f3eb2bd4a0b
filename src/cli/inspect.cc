// `sbx inspect`: everything sbx knows about one sandbox, as pretty JSON: the sandbox object of
// `sbx ls --json` plus a "processes" array.
#include "cli/cli.h"
#include "cli/output.h"
#include "engine/views.h"

namespace sbx::cli {

namespace {

Result<int> inspect_sandbox(Engine& engine, const TargetFlags& f) {
  SBX_ASSIGN_OR_RETURN(SandboxInfo sandbox, engine.inspect(f.ref()));
  // By id from here on, so that a name reused meanwhile cannot mix two sandboxes.
  SBX_ASSIGN_OR_RETURN(std::vector<ProcessInfo> processes, engine.processes(Ref{sandbox.id}));
  SBX_TRY(print_line(inspect_json(sandbox, processes, true)));
  return 0;
}

}  // namespace

void add_inspect_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "inspect", "Print a sandbox and its processes as JSON", action,
                           inspect_sandbox);
  add_target(cmd, *f, "SANDBOX");
}

}  // namespace sbx::cli
