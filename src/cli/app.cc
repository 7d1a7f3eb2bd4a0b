// `sbx app create|ls|rm`: apps are named groups of sandboxes; "default" holds the rest.
#include "cli/cli.h"
#include "cli/output.h"
#include "engine/views.h"

namespace sbx::cli {

namespace {

struct AppFlags {
  std::string name;
  bool json = false;
};

Result<int> app_create(Engine& engine, const AppFlags& f) {
  SBX_ASSIGN_OR_RETURN(AppInfo app, engine.app_create(f.name));
  SBX_TRY(f.json ? print_line(to_json(app, false)) : print_line(app.id));
  return 0;
}

Result<int> app_ls(Engine& engine, const AppFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::vector<AppInfo> apps, engine.app_list());
  if (f.json) {
    SBX_TRY(print_line(to_json(apps, false)));
    return 0;
  }
  std::vector<Row> rows;
  rows.reserve(apps.size());
  for (const AppInfo& app : apps) {
    rows.push_back(
        {cell(app.name), cell(app.id), std::to_string(app.running), table_time(app.created_at)});
  }
  SBX_TRY(print_table({"NAME", "ID", "RUNNING", "CREATED"}, rows));
  return 0;
}

Result<int> app_rm(Engine& engine, const AppFlags& f) {
  SBX_TRY(engine.app_remove(f.name));
  return 0;
}

}  // namespace

void add_app_verbs(CLI::App& sbx, Action& action) {
  CLI::App* app = sbx.add_subcommand("app", "Manage apps (named groups of sandboxes)");
  app->require_subcommand(1);

  auto [create, create_flags] =
      add_verb(*app, "create", "Create an app and print its id (ap-...)", action, app_create);
  add_name_arg(create, create_flags->name, "The app's name");
  add_json_flag(create, create_flags->json);

  auto [ls, ls_flags] = add_verb(*app, "ls", "List apps", action, app_ls);
  add_json_flag(ls, ls_flags->json);

  auto [rm, rm_flags] = add_verb(*app, "rm", "Remove an app", action, app_rm);
  add_name_arg(rm, rm_flags->name, "The app's name");
}

}  // namespace sbx::cli
