// `sbx run`: a one-shot sandbox running a command in the foreground with the caller's streams;
// sbx exits with the command's return code and leaves nothing running.
#include "cli/cli.h"
#include "cli/parse.h"

namespace sbx::cli {

namespace {

Result<int> run(Engine& engine, const SandboxFlags& f) {
  SBX_TRY(check_command(f.command));
  SBX_ASSIGN_OR_RETURN(SandboxSpec spec, sandbox_spec(f));
  SBX_TRY(apply_image_flags(engine, f.image, spec));
  return engine.run(spec, Stdio{});
}

}  // namespace

void add_run_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(
      sbx, "run", "Run a command in a new sandbox and exit with its return code", action, run);
  add_sandbox_flags(cmd, *f);
  cmd->preparse_callback([&action](size_t) { action.store_when_needed = true; });
}

}  // namespace sbx::cli
