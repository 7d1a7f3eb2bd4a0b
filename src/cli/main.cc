// The sbx command line: builds the verbs, parses argv, runs the chosen verb against the engine
// and turns the outcome into the exit status. Errors are printed here, once, as "sbx: ...";
// every failure of the runner itself (bad input, unknown sandbox, ...) exits 125.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/output.h"
#include "util/proctitle.h"
#include "util/trace.h"

#ifndef SBX_VERSION
#define SBX_VERSION "0.1.0"
#endif

namespace sbx::cli {
namespace {

using VerbAdder = void (*)(CLI::App&, Action&);

// Every top-level verb and the function that registers it (with its sub-verbs), in help order.
// wait and poll share one function, so their entries stand side by side.
struct VerbEntry {
  const char* name;
  VerbAdder add;
};
constexpr VerbEntry kVerbs[] = {
    {"create", add_create_verb},
    {"run", add_run_verb},
    {"exec", add_exec_verb},
    {"logs", add_logs_verb},
    {"wait", add_wait_verbs},
    {"poll", add_wait_verbs},
    {"terminate", add_terminate_verb},
    {"ls", add_ls_verb},
    {"inspect", add_inspect_verb},
    {"tunnels", add_tunnels_verb},
    {"tag", add_tag_verb},
    {"app", add_app_verbs},
    {"secret", add_secret_verbs},
    {"policy", add_policy_verbs},
    {"doctor", add_doctor_verb},
    {"image", add_image_verbs},
    {"diff", add_diff_verb},
    {"snapshot", add_snapshot_verb},
    {"prepare-base", add_base_verb},
};

// Registers the verb named by the first argument alone when there is one: building every
// verb's options is a measurable part of a short command's run time, and the other verbs
// cannot take part in parsing it. Anything else ("--help", a typo, no verb) gets them all, so
// help and "unknown verb" messages list every verb.
void add_verbs(CLI::App& sbx, Action& action, const std::vector<std::string>& args) {
  if (!args.empty()) {
    for (const VerbEntry& verb : kVerbs) {
      if (args.front() == verb.name) return verb.add(sbx, action);
    }
  }
  VerbAdder added = nullptr;  // each function once
  for (const VerbEntry& verb : kVerbs) {
    if (verb.add != added) verb.add(sbx, action);
    added = verb.add;
  }
}

// The deepest verb chosen so far ("sbx app create" -> create); sbx itself when none.
const CLI::App* chosen_verb(const CLI::App& sbx) {
  const CLI::App* verb = &sbx;
  while (!verb->get_subcommands().empty()) verb = verb->get_subcommands().front();
  return verb;
}

std::string verb_path(const CLI::App* verb) {
  std::string path = verb->get_name();
  for (const CLI::App* up = verb->get_parent(); up != nullptr; up = up->get_parent()) {
    path.insert(0, up->get_name() + " ");
  }
  return path;
}

// The first argument CLI11 could not place ("--" aside), if any.
std::optional<std::string> first_extra(const CLI::App* verb) {
  for (const std::string& arg : verb->remaining()) {
    if (arg != "--") return arg;
  }
  return std::nullopt;
}

// A usage error in sbx's words where that says more than CLI11's own message.
std::string usage_message(const CLI::App* verb, const CLI::ParseError& e) {
  std::vector<const CLI::App*> verbs = verb->get_subcommands([](const CLI::App*) { return true; });
  if (std::optional<std::string> extra = first_extra(verb)) {
    if (extra->size() > 1 && extra->front() == '-') return "unknown option '" + *extra + "'";
    if (!verbs.empty()) return "unknown verb '" + *extra + "'";
    return "unexpected argument '" + *extra + "'";
  }
  if (verbs.empty()) return e.what();
  std::string names;
  for (const CLI::App* v : verbs) names += (names.empty() ? "" : ", ") + v->get_name();
  return "a verb is required: " + names;
}

// --help and --version print and exit 0; usage errors print one line and exit 125.
int parse_failure(CLI::App& sbx, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return sbx.exit(e);
  const CLI::App* verb = chosen_verb(sbx);
  print_error(usage_message(verb, e) + " (see '" + verb_path(verb) + " --help')");
  return kExitRunnerFailure;
}

// The verb's exit code; a failure of sbx itself is printed and exits 125.
int exit_code(Result<int> code) {
  if (code.ok()) return *code;
  print_error(code.error().to_string());
  return kExitRunnerFailure;
}

int run_action(const Action& action) {
  trace_mark("cli: parsed");
  if (action.shortcut) {
    if (std::optional<Result<int>> done = action.shortcut()) {
      trace_mark("cli: verb done");
      return exit_code(std::move(*done));
    }
  }
  auto engine = Engine::open(action.store_when_needed);
  trace_mark("cli: engine open");
  if (!engine.ok()) {
    print_error(engine.error().to_string());
    return kExitRunnerFailure;
  }
  Result<int> code = action.run(**engine);
  trace_mark("cli: verb done");
  return exit_code(std::move(code));
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App sbx("sbx runs commands in isolated sandboxes on this machine.", "sbx");
  sbx.set_version_flag("--version", "sbx " SBX_VERSION);
  sbx.require_subcommand(1);
  Action action;
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  add_verbs(sbx, action, args);
  sbx.footer("Run 'sbx VERB --help' for a verb's options; see sbx(1) for the details.");
  args = mark_command_start(sbx, std::move(args));
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last argument first
  try {
    sbx.parse(args);
  } catch (const CLI::ParseError& e) {
    return parse_failure(sbx, e);
  }
  int code = run_action(action);
  // The verb is done, the engine (and the store's connection) closed with it, and what it
  // printed is flushed here. The rest is this process's own memory: CLI11's tree of options,
  // the heap, static objects. The kernel frees it all at once; freeing it piece by piece first
  // would cost a `run` about 0.4 ms on the benchmark machine. As mold does, sbx leaves it.
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace sbx::cli

int main(int argc, char** argv) {
  sbx::trace_init();
  sbx::trace_mark("cli: main");
  sbx::remember_process_args(argc, argv);  // forks retitle themselves (util/proctitle.h)
  sbx::Engine::for_one_command();
  try {
    return sbx::cli::run_cli(argc, argv);
  } catch (const std::exception& e) {  // bad_alloc and the like: still one line, still 125
    sbx::cli::print_error(e.what());
    return sbx::cli::kExitRunnerFailure;
  }
}
