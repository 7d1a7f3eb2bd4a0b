// `sbx secret create|ls|rm`: named sets of environment variables that sandboxes receive with
// --secret. Values come from KEY=VALUE arguments, the caller's environment (a bare KEY) or a file,
// and are never printed.
#include <cstdlib>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/parse.h"
#include "util/fs.h"
#include "util/json.h"

namespace sbx::cli {

namespace {

struct SecretFlags {
  std::string name;
  std::vector<std::string> pairs;
  std::string from_file;
  bool json = false;
};

std::optional<std::string> from_environment(const std::string& key) {
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<EnvList> file_pairs(const std::string& path) {
  if (path.empty()) return EnvList{};
  auto text = read_file(path);
  if (!text.ok()) return std::move(text).error().context("--from-file");
  return parse_env_file(*text, path);
}

Result<EnvList> secret_pairs(const SecretFlags& f) {
  SBX_ASSIGN_OR_RETURN(EnvList from_file, file_pairs(f.from_file));
  EnvList from_args;
  for (const std::string& arg : f.pairs) {
    SBX_ASSIGN_OR_RETURN(Pair pair, parse_secret_arg(arg, from_environment));
    from_args.push_back(std::move(pair));
  }
  SBX_ASSIGN_OR_RETURN(EnvList env, merge_unique("secret", from_file, from_args));
  if (env.empty()) return invalid("a secret needs at least one KEY=VALUE, KEY or --from-file");
  return env;
}

Result<int> secret_create(Engine& engine, const SecretFlags& f) {
  SBX_ASSIGN_OR_RETURN(EnvList env, secret_pairs(f));
  SBX_TRY(engine.secret_create(f.name, env));
  return 0;
}

Status print_names_json(const std::vector<std::string>& names) {
  JsonWriter w;
  w.begin_array();
  for (const std::string& name : names) w.begin_object().field("name", name).end_object();
  return print_line(w.end_array().str());
}

Result<int> secret_ls(Engine& engine, const SecretFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::vector<std::string> names, engine.secret_list());
  if (f.json) {
    SBX_TRY(print_names_json(names));
    return 0;
  }
  for (const std::string& name : names) SBX_TRY(print_line(cell(name)));
  return 0;
}

Result<int> secret_rm(Engine& engine, const SecretFlags& f) {
  SBX_TRY(engine.secret_remove(f.name));
  return 0;
}

}  // namespace

void add_secret_verbs(CLI::App& sbx, Action& action) {
  CLI::App* secret = sbx.add_subcommand("secret", "Manage secrets (named environment sets)");
  secret->require_subcommand(1);

  auto [create, create_flags] =
      add_verb(*secret, "create", "Create a secret", action, secret_create);
  add_name_arg(create, create_flags->name, "The secret's name");
  create
      ->add_option("PAIR", create_flags->pairs,
                   "KEY=VALUE, or KEY to take the value from your environment")
      ->type_name("KEY[=VALUE]");
  create
      ->add_option("--from-file", create_flags->from_file,
                   "Read KEY=VALUE lines from FILE ('#' comments and blank lines ignored)")
      ->type_name("FILE");

  auto [ls, ls_flags] =
      add_verb(*secret, "ls", "List secret names (never values)", action, secret_ls);
  add_json_flag(ls, ls_flags->json);

  auto [rm, rm_flags] = add_verb(*secret, "rm", "Remove a secret", action, secret_rm);
  add_name_arg(rm, rm_flags->name, "The secret's name");
}

}  // namespace sbx::cli
