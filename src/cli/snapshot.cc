// `sbx snapshot`: a new image from a running sandbox's filesystem (its image plus a point-in-time
// copy of its writable layer), named --name; prints the image's id (im-…).
#include "cli/cli.h"
#include "cli/output.h"

namespace sbx::cli {

namespace {

struct SnapshotFlags {
  TargetFlags sandbox;
  std::string name;
  bool json = false;
};

Result<int> snapshot(Engine& engine, const SnapshotFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::string image, engine.snapshot(f.sandbox.ref(), f.name));
  SBX_TRY(print_id(image, f.json));
  return 0;
}

}  // namespace

void add_snapshot_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "snapshot", "Save a running sandbox's filesystem as a new image",
                           action, snapshot);
  add_target(cmd, f->sandbox, "SANDBOX");
  cmd->add_option("--name", f->name, "The new image's name (for create --image NAME)")
      ->required()
      ->type_name("NAME");
  add_json_flag(cmd, f->json);
}

}  // namespace sbx::cli
