// `sbx ls`: lists sandboxes (running ones, or all with --all), optionally of one app and with
// given tags, as a table or as a JSON array of sandbox objects.
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/parse.h"
#include "engine/views.h"

namespace sbx::cli {

namespace {

constexpr size_t kCommandWidth = 40;

struct LsFlags {
  std::string app;  // empty: every app
  std::vector<std::string> tags;
  bool all = false;
  bool json = false;
};

Row sandbox_row(const SandboxInfo& s, bool all) {
  Row row{cell(s.id),
          cell(s.app),
          cell(s.name),
          cell(s.state),
          table_time(s.created_at),
          command_line(s.command, kCommandWidth)};
  if (all) {
    row.push_back(cell(end_reason_name(s.end_reason)));
    row.push_back(s.returncode ? std::to_string(*s.returncode) : "-");
  }
  return row;
}

Status print_sandboxes(const std::vector<SandboxInfo>& sandboxes, bool all) {
  Row header{"ID", "APP", "NAME", "STATE", "CREATED", "COMMAND"};
  if (all) header.insert(header.end(), {"END REASON", "RETURN CODE"});
  std::vector<Row> rows;
  rows.reserve(sandboxes.size());
  for (const SandboxInfo& s : sandboxes) rows.push_back(sandbox_row(s, all));
  return print_table(header, rows);
}

Result<int> ls(Engine& engine, const LsFlags& f) {
  SBX_ASSIGN_OR_RETURN(TagMap tags, parse_tags("--tag", f.tags));
  std::optional<std::string> app;
  if (!f.app.empty()) app = f.app;
  SBX_ASSIGN_OR_RETURN(std::vector<SandboxInfo> sandboxes, engine.list(app, tags, f.all));
  SBX_TRY(f.json ? print_line(to_json(sandboxes, false)) : print_sandboxes(sandboxes, f.all));
  return 0;
}

}  // namespace

void add_ls_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "ls", "List sandboxes", action, ls);
  cmd->add_option("--app", f->app, "Only the sandboxes of this app (default: every app)")
      ->type_name("APP");
  add_list_option(cmd, "--tag", f->tags, "KEY=VALUE",
                  "Only sandboxes with this tag; repeatable (all must match)");
  cmd->add_flag("-a,--all", f->all, "Include sandboxes that have ended");
  add_json_flag(cmd, f->json);
}

}  // namespace sbx::cli
