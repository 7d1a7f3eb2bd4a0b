// `sbx wait` blocks until a sandbox or process ends and exits with its return code; `sbx poll`
// prints the return code if it has ended and nothing while it runs, and exits 0 either way.
#include "cli/cli.h"
#include "cli/output.h"
#include "util/json.h"

namespace sbx::cli {

namespace {

struct PollFlags {
  TargetFlags target;
  bool json = false;
};

Result<int> wait(Engine& engine, const TargetFlags& f) { return engine.wait(f.ref()); }

Result<int> poll(Engine& engine, const PollFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::optional<int> code, engine.poll(f.target.ref()));
  if (f.json) {
    SBX_TRY(print_line(JsonWriter().begin_object().field("returncode", code).end_object().str()));
  } else if (code) {
    SBX_TRY(print_line(std::to_string(*code)));
  }
  return 0;
}

}  // namespace

void add_wait_verbs(CLI::App& sbx, Action& action) {
  auto [wait_cmd, wait_flags] =
      add_verb(sbx, "wait", "Wait for a sandbox or process to end and exit with its return code",
               action, wait);
  add_target(wait_cmd, *wait_flags, "SANDBOX|PROCESS");

  auto [poll_cmd, poll_flags] = add_verb(
      sbx, "poll", "Print the return code of a sandbox or process, or nothing while it runs",
      action, poll);
  add_target(poll_cmd, poll_flags->target, "SANDBOX|PROCESS");
  add_json_flag(poll_cmd, poll_flags->json);
}

}  // namespace sbx::cli
