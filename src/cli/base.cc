// `sbx prepare-base debian-slim|PATH` (hidden; for tests and for warming a machine up): makes a
// root filesystem base ready for this user's sandboxes and prints its directory. Progress lines
// of a debian-slim build go to stderr.
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"

namespace sbx::cli {

namespace {

struct BaseFlags {
  std::string base;
};

Result<int> prepare_base(Engine& engine, const BaseFlags& f) {
  auto log = [](std::string_view line) {
    std::string text = std::string(line) + "\n";  // progress, not an error: no "sbx:"
    (void)!write(2, text.data(), text.size());
  };
  SBX_ASSIGN_OR_RETURN(std::string dir, engine.prepare_base(f.base, log));
  SBX_TRY(print_line(dir));
  return 0;
}

}  // namespace

void add_base_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "prepare-base", "Make a root filesystem base ready; print its path",
                           action, prepare_base);
  cmd->group("");  // hidden: `sbx create --image` prepares bases by itself
  cmd->add_option("BASE", f->base, "debian-slim, or a root filesystem directory or tarball")
      ->required()
      ->type_name("");
}

}  // namespace sbx::cli
