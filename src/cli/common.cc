// The flags several verbs share (--app, --json, the SANDBOX argument, the trailing command, the
// sandbox flags of create and run) and their translation into a SandboxSpec.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "cli/cli.h"
#include "cli/parse.h"

namespace sbx::cli {

namespace {
constexpr const char* kCommandArg = "COMMAND";  // the name of the trailing command argument
}  // namespace

void add_target(CLI::App* cmd, TargetFlags& flags, const std::string& name) {
  cmd->add_option("--app", flags.app, "The app a SANDBOX name belongs to (default: default)")
      ->type_name("APP");
  std::string help = name == "SANDBOX"
                         ? "A sandbox id (sb-...) or a sandbox name within --app"
                         : "A sandbox (id, or name within --app) or a process id (pr-...)";
  cmd->add_option(name, flags.target, help)->required()->type_name("");
}

void add_name_arg(CLI::App* cmd, std::string& name, const std::string& help) {
  cmd->add_option("NAME", name, help)->required()->type_name("");
}

void add_json_flag(CLI::App* cmd, bool& json) {
  cmd->add_flag("--json", json, "Print JSON instead of text");
}

CLI::Option* add_list_option(CLI::App* cmd, const std::string& names,
                             std::vector<std::string>& values, const std::string& value_name,
                             const std::string& help) {
  return cmd->add_option(names, values, help)->type_name(value_name)->allow_extra_args(false);
}

void add_command_args(CLI::App* cmd, std::vector<std::string>& command) {
  cmd->add_option(kCommandArg, command, "The command and its arguments, verbatim")->type_name("");
}

namespace {

const CLI::App* find_verb(const CLI::App& parent, const std::string& name) {
  auto found = parent.get_subcommands([&](const CLI::App* a) { return a->check_name(name); });
  return found.empty() ? nullptr : found.front();
}

// How many positional arguments the verb takes before its COMMAND; -1 when it has no COMMAND.
int positionals_before_command(const CLI::App& verb) {
  int count = 0;
  for (const CLI::Option* opt : verb.get_options()) {
    if (!opt->get_positional()) continue;
    if (opt->get_name() == kCommandArg) return count;
    ++count;
  }
  return -1;
}

// True when arg is an option of verb that takes its value from the next argument.
bool takes_next_value(const CLI::App& verb, const std::string& arg) {
  bool long_form = arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos;
  bool short_form = arg.size() == 2 && arg[0] == '-';
  if (!long_form && !short_form) return false;
  const CLI::Option* opt = verb.get_option_no_throw(arg);
  return opt != nullptr && opt->get_items_expected_max() != 0;  // flags expect 0 items
}

// Where the command begins in args[from...]; a user's "--" there is removed first.
size_t command_start(const CLI::App& verb, std::vector<std::string>& args, size_t from,
                     int positionals) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      return std::min(args.size(), i + static_cast<size_t>(positionals));
    }
    bool option = arg.size() > 1 && arg[0] == '-';
    if (option) {
      i += takes_next_value(verb, arg);  // skip the option's value too
      continue;
    }
    if (positionals == 0) return i;
    --positionals;
  }
  return args.size();
}

}  // namespace

std::vector<std::string> mark_command_start(const CLI::App& sbx, std::vector<std::string> args) {
  const CLI::App* verb = &sbx;
  size_t i = 0;
  for (const CLI::App* sub; i < args.size() && (sub = find_verb(*verb, args[i])); ++i) verb = sub;
  int positionals = positionals_before_command(*verb);
  if (positionals < 0) return args;
  size_t start = command_start(*verb, args, i, positionals);
  if (start < args.size()) args.insert(args.begin() + static_cast<std::ptrdiff_t>(start), "--");
  return args;
}

void add_sandbox_flags(CLI::App* cmd, SandboxFlags& f) {
  cmd->add_option("--app", f.app,
                  "The app the sandbox belongs to, created if missing (default: default)")
      ->type_name("APP");
  cmd->add_option("--name", f.name, "A name, unique among the app's running sandboxes")
      ->type_name("NAME");
  add_list_option(cmd, "--mount", f.mounts, "HOST:PATH[:ro|:rw]",
                  "Bind a host file or directory at PATH (default rw); repeatable");
  cmd->add_option("-w,--workdir", f.workdir, "The working directory, absolute (default /)")
      ->type_name("PATH");
  add_list_option(cmd, "-e,--env", f.env, "KEY=VALUE", "Set an environment variable; repeatable");
  add_list_option(cmd, "--secret", f.secrets, "NAME",
                  "Add a secret's variables to the environment; repeatable");
  cmd->add_option("--timeout", f.timeout,
                  "Seconds before the sandbox is stopped, 1-86400 (default 300)")
      ->type_name("SECONDS");
  cmd->add_option("--idle-timeout", f.idle_timeout,
                  "Seconds without a running exec or stdin input before the sandbox is stopped, "
                  "0-86400 (default 0: none)")
      ->type_name("SECONDS");
  add_list_option(cmd, "--tag", f.tags, "KEY=VALUE", "Tag the sandbox; repeatable");
  cmd->add_option("--policy", f.policy,
                  "Seccomp profile: default, strict, permissive, or an OCI/Docker JSON file")
      ->type_name("NAME|PATH");
  add_network_flags(cmd, f.network);
  add_image_spec_flags(cmd, f.image, true);
  add_limit_flags(cmd, f.limits);
  add_command_args(cmd, f.command);
}

namespace {

Result<std::vector<MountSpec>> parse_mounts(const std::vector<std::string>& args) {
  std::vector<MountSpec> mounts;
  if (args.empty()) return mounts;
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  if (ec) return sys_error("finding the current directory", ec.value());
  for (const std::string& arg : args) {
    SBX_ASSIGN_OR_RETURN(MountSpec mount, parse_mount(arg, cwd));
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

Result<int64_t> optional_seconds(std::string_view flag, const std::string& text, int64_t min,
                                 int64_t fallback) {
  if (text.empty()) return fallback;
  return parse_seconds(flag, text, min, kMaxTimeoutSeconds);
}

}  // namespace

Result<SandboxSpec> sandbox_spec(const SandboxFlags& f) {
  SandboxSpec spec;
  spec.app = f.app;
  spec.name = f.name;
  SBX_ASSIGN_OR_RETURN(spec.mounts, parse_mounts(f.mounts));
  SBX_TRY(check_absolute("--workdir", f.workdir));
  spec.workdir = f.workdir;
  SBX_ASSIGN_OR_RETURN(spec.env, parse_env_pairs("--env", f.env));
  spec.secrets = f.secrets;
  SBX_ASSIGN_OR_RETURN(spec.timeout_s,
                       optional_seconds("--timeout", f.timeout, 1, kDefaultTimeoutSeconds));
  SBX_ASSIGN_OR_RETURN(spec.idle_timeout_s,
                       optional_seconds("--idle-timeout", f.idle_timeout, 0, 0));
  SBX_ASSIGN_OR_RETURN(spec.tags, parse_tags("--tag", f.tags));
  SBX_ASSIGN_OR_RETURN(spec.limits, limits_from_flags(f.limits));
  spec.command = f.command;
  SBX_TRY(apply_network_flags(f.network, spec));
  spec.policy = f.policy;
  if (spec.policy.find('/') != std::string::npos || spec.policy.ends_with(".json")) {
    std::error_code ec;
    spec.policy = std::filesystem::absolute(spec.policy, ec).lexically_normal().string();
  }
  return spec;
}

}  // namespace sbx::cli
