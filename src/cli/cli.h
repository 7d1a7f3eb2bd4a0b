// What the verb files of the sbx command line share: the Action a chosen verb leaves for main,
// one registration function per verb file, and the flags several verbs take. CLI11 is used only
// under src/cli.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/limit_flags.h"
#include "sbx/engine.h"

namespace sbx::cli {

// The exit status of the runner's own failures (bad input, unknown sandbox, ...), as docker's.
inline constexpr int kExitRunnerFailure = 125;
// The default app, in which SANDBOX names are looked up.
inline constexpr const char* kDefaultApp = "default";

// A verb's work once its arguments parsed: it runs against the engine and returns the exit code.
// A shortcut, when a verb has one, is tried first: the same work without opening the engine
// (and so the store), or nullopt when it cannot be done that way.
struct Action {
  std::function<Result<int>(Engine&)> run;
  std::function<std::optional<Result<int>>()> shortcut;
  bool store_when_needed = false;  // run gets an engine whose store is not open yet (create, run)
};

// Adds the verb `name` under parent, with a fresh Flags for its options; when it is the verb
// chosen, it leaves run(engine, flags), and its shortcut if it has one, in action for main.
template <typename Flags>
std::pair<CLI::App*, Flags*> add_verb(
    CLI::App& parent, const std::string& name, const std::string& help, Action& action,
    Result<int> (*run)(Engine&, const Flags&),
    std::optional<Result<int>> (*shortcut)(const Flags&) = nullptr) {
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->callback([&action, flags, run, shortcut] {
    action.run = [flags, run](Engine& engine) { return run(engine, *flags); };
    if (shortcut != nullptr) action.shortcut = [flags, shortcut] { return shortcut(*flags); };
  });
  return {cmd, flags.get()};
}

// The verbs, one registration function per file.
void add_app_verbs(CLI::App& sbx, Action& action);       // app.cc
void add_create_verb(CLI::App& sbx, Action& action);     // create.cc
void add_exec_verb(CLI::App& sbx, Action& action);       // exec.cc
void add_run_verb(CLI::App& sbx, Action& action);        // run.cc
void add_logs_verb(CLI::App& sbx, Action& action);       // logs.cc
void add_wait_verbs(CLI::App& sbx, Action& action);      // wait.cc: wait, poll
void add_terminate_verb(CLI::App& sbx, Action& action);  // terminate.cc
void add_ls_verb(CLI::App& sbx, Action& action);         // ls.cc
void add_inspect_verb(CLI::App& sbx, Action& action);    // inspect.cc
void add_tag_verb(CLI::App& sbx, Action& action);        // tag.cc
void add_secret_verbs(CLI::App& sbx, Action& action);    // secret.cc
void add_policy_verbs(CLI::App& sbx, Action& action);    // policy.cc: check, show
void add_doctor_verb(CLI::App& sbx, Action& action);     // doctor.cc
void add_tunnels_verb(CLI::App& sbx, Action& action);    // tunnels.cc
void add_image_verbs(CLI::App& sbx, Action& action);     // image.cc: build, ls, inspect, rm, prune
void add_diff_verb(CLI::App& sbx, Action& action);       // diff.cc
void add_snapshot_verb(CLI::App& sbx, Action& action);   // snapshot.cc
void add_base_verb(CLI::App& sbx, Action& action);       // base.cc: prepare-base (hidden)

// A SANDBOX (or PROCESS) argument and the --app in which a sandbox name is looked up.
struct TargetFlags {
  std::string app = kDefaultApp;
  std::string target;
  Ref ref() const { return Ref{target, app}; }
};
// Declares --app and the required positional `name` ("SANDBOX" or "SANDBOX|PROCESS").
void add_target(CLI::App* cmd, TargetFlags& flags, const std::string& name);
// A required NAME argument (of an app or a secret).
void add_name_arg(CLI::App* cmd, std::string& name, const std::string& help);
void add_json_flag(CLI::App* cmd, bool& json);
// A repeatable option taking one value per use (--env A=1 --env B=2).
CLI::Option* add_list_option(CLI::App* cmd, const std::string& names,
                             std::vector<std::string>& values, const std::string& value_name,
                             const std::string& help);
// The trailing COMMAND argument of create, run and exec: everything from the first positional
// argument after the verb's own positionals (or after "--") on, verbatim.
void add_command_args(CLI::App* cmd, std::vector<std::string>& command);
// argv without argv[0], with a "--" put where the chosen verb's COMMAND begins (replacing the
// user's own "--", if any), so that CLI11 takes the command verbatim: `sbx create ls -l`,
// `sbx exec SB --app A -- sh -c ...`. Options of the verb may stand anywhere before the command.
std::vector<std::string> mark_command_start(const CLI::App& sbx, std::vector<std::string> args);

// --network and --port (net_flags.cc): strings as typed, checked by apply_network_flags.
struct NetworkFlags {
  std::string mode = "none";
  std::vector<std::string> ports;
};
void add_network_flags(CLI::App* cmd, NetworkFlags& flags);
// Sets spec.network and spec.ports; warns on stderr about --network host.
Status apply_network_flags(const NetworkFlags& flags, SandboxSpec& spec);
// The image spec flags (image_flags.cc): every step kind for `sbx image build`; for create and
// run, --image and the inline pip/apt flags (the spec built, or found in the cache, first).
struct ImageFlags {
  std::string image;  // create/run: an image id or name
  std::string base;   // empty: host
  std::vector<std::string> pip, apt, run, env, copy;
  std::string requirements, workdir, index_url;
  std::vector<std::string> extra_index_urls, find_links, pip_args;
  bool no_index = false, pre = false;
  std::string network;  // the build sandboxes' network; "": nat where available, else none
};
void add_image_spec_flags(CLI::App* cmd, ImageFlags& flags, bool inline_form);
// The spec the flags describe (paths relative to the current directory); steps in a fixed
// order: env, workdir, apt, requirements, pip, copy, run.
Result<ImageSpec> image_spec_from_flags(const ImageFlags& flags);
// create/run: with --image, names the image; with inline steps, builds them (log on stderr)
// and names the result; else leaves spec.image empty (the host base).
Status apply_image_flags(Engine& engine, const ImageFlags& flags, SandboxSpec& spec);

// The flags of create and run, and the command after them.
struct SandboxFlags {
  std::string app = kDefaultApp;
  std::string name;
  std::vector<std::string> mounts;
  std::string workdir;
  std::vector<std::string> env;
  std::vector<std::string> secrets;
  std::string timeout;       // empty: the default
  std::string idle_timeout;  // empty: none
  std::vector<std::string> tags;
  std::string policy = "default";
  NetworkFlags network;
  ImageFlags image;
  LimitFlags limits;
  std::vector<std::string> command;
};
void add_sandbox_flags(CLI::App* cmd, SandboxFlags& flags);
Result<SandboxSpec> sandbox_spec(const SandboxFlags& flags);

}  // namespace sbx::cli
