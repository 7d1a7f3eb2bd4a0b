// `sbx diff`: the paths a running sandbox added (A), changed (C) or deleted (D) in its root, one
// "K /path" line each as docker diff prints them, or a JSON array of {"kind", "path"}.
#include "cli/cli.h"
#include "cli/output.h"
#include "util/json.h"

namespace sbx::cli {

namespace {

struct DiffFlags {
  TargetFlags sandbox;
  bool json = false;
};

Result<int> diff(Engine& engine, const DiffFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::vector<FileChange> changes, engine.diff(f.sandbox.ref()));
  if (f.json) {
    JsonWriter w(true);
    w.begin_array();
    for (const auto& c : changes)
      w.begin_object().field("kind", std::string(1, c.kind)).field("path", c.path).end_object();
    w.end_array();
    SBX_TRY(print_line(w.str()));
    return 0;
  }
  std::string text;
  for (const auto& c : changes) text += std::string(1, c.kind) + " " + c.path + "\n";
  if (!text.empty()) {
    text.pop_back();
    SBX_TRY(print_line(text));
  }
  return 0;
}

}  // namespace

void add_diff_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(
      sbx, "diff", "List the files a running sandbox added, changed or deleted", action, diff);
  add_target(cmd, f->sandbox, "SANDBOX");
  add_json_flag(cmd, f->json);
}

}  // namespace sbx::cli
