// `sbx exec`: runs a command in a live sandbox, like `docker exec`: SANDBOX, then the command,
// verbatim from its first word (or from after "--"); exec's options stand before the command.
// Exits with the command's return code, or with --detach prints the process id (pr-...).
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/parse.h"

namespace sbx::cli {

namespace {

struct ExecFlags {
  TargetFlags sandbox;
  std::string workdir;
  std::vector<std::string> env;
  std::vector<std::string> secrets;
  std::string timeout;
  bool detach = false;
  bool json = false;
  std::vector<std::string> command;
};

Result<ExecSpec> exec_spec(const ExecFlags& f) {
  ExecSpec spec;
  spec.argv = f.command;
  SBX_TRY(check_command(spec.argv));
  SBX_TRY(check_absolute("--workdir", f.workdir));
  spec.workdir = f.workdir;
  SBX_ASSIGN_OR_RETURN(spec.env, parse_env_pairs("--env", f.env));
  spec.secrets = f.secrets;
  if (!f.timeout.empty()) {
    SBX_ASSIGN_OR_RETURN(spec.timeout_s,
                         parse_seconds("--timeout", f.timeout, 1, kMaxTimeoutSeconds));
  }
  spec.detach = f.detach;
  return spec;
}

Result<int> report(const ExecSpec& spec, const ExecOutcome& outcome, bool json) {
  if (spec.detach) {
    SBX_TRY(print_id(outcome.process_id, json));
    return 0;
  }
  if (!outcome.returncode) return internal("the process ended without a return code");
  return *outcome.returncode;
}

Result<int> exec(Engine& engine, const ExecFlags& f) {
  SBX_ASSIGN_OR_RETURN(ExecSpec spec, exec_spec(f));
  SBX_ASSIGN_OR_RETURN(ExecOutcome outcome, engine.exec(f.sandbox.ref(), spec, Stdio{}));
  return report(spec, outcome, f.json);
}

// Straight to the supervisor when SANDBOX is an id (Engine::exec_direct).
std::optional<Result<int>> exec_shortcut(const ExecFlags& f) {
  Result<ExecSpec> spec = exec_spec(f);
  if (!spec.ok()) return Result<int>(std::move(spec).error());
  std::optional<Result<ExecOutcome>> outcome = Engine::exec_direct(f.sandbox.ref(), *spec, Stdio{});
  if (!outcome) return std::nullopt;
  if (!outcome->ok()) return Result<int>(std::move(*outcome).error());
  return report(*spec, **outcome, f.json);
}

}  // namespace

void add_exec_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] =
      add_verb(sbx, "exec", "Run a command in a running sandbox and exit with its return code",
               action, exec, exec_shortcut);
  cmd->add_option("-w,--workdir", f->workdir,
                  "The working directory, absolute (default: the sandbox's)")
      ->type_name("PATH");
  add_list_option(cmd, "-e,--env", f->env, "KEY=VALUE", "Set an environment variable; repeatable");
  add_list_option(cmd, "--secret", f->secrets, "NAME",
                  "Add a secret's variables to the environment; repeatable");
  cmd->add_option(
         "--timeout", f->timeout,
         "Seconds before the command is killed, 1-86400 (default: none beyond the sandbox's own)")
      ->type_name("SECONDS");
  cmd->add_flag("-d,--detach", f->detach, "Do not wait: print the process id (pr-...) and exit");
  add_json_flag(cmd, f->json);
  add_target(cmd, f->sandbox, "SANDBOX");
  add_command_args(cmd, f->command);
}

}  // namespace sbx::cli
