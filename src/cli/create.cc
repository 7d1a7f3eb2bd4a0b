// `sbx create`: starts a sandbox that stays up (running its command, if given) and prints its
// id once it runs. The id is printed while the engine still holds the sandbox for us, so a failed
// print or a killed CLI never leaves a sandbox nobody knows about.
#include "cli/cli.h"
#include "cli/output.h"
#include "engine/views.h"

namespace sbx::cli {

namespace {

struct CreateFlags {
  SandboxFlags sandbox;
  bool json = false;
};

// The id alone, or with --json the sandbox object (its "id" included), read while the engine
// still holds the new sandbox for us.
Status print_created(Engine& engine, const std::string& id, bool json) {
  if (!json) return print_line(id);
  SBX_ASSIGN_OR_RETURN(SandboxInfo sandbox, engine.inspect(Ref{id}));
  return print_line(to_json(sandbox, false));
}

Result<int> create(Engine& engine, const CreateFlags& f) {
  SBX_ASSIGN_OR_RETURN(SandboxSpec spec, sandbox_spec(f.sandbox));
  SBX_TRY(apply_image_flags(engine, f.sandbox.image, spec));
  auto on_ready = [&](const std::string& id) { return print_created(engine, id, f.json); };
  SBX_TRY(engine.create(spec, on_ready));
  return 0;
}

}  // namespace

void add_create_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "create",
                           "Start a sandbox and print its id (sb-...); with a command, run it as "
                           "the sandbox's entrypoint",
                           action, create);
  add_sandbox_flags(cmd, f->sandbox);
  add_json_flag(cmd, f->json);
  cmd->preparse_callback([&action](size_t) { action.store_when_needed = true; });
}

}  // namespace sbx::cli
