// `sbx policy check FILE` and `sbx policy show NAME|PATH`: seccomp profiles in the OCI/Docker
// JSON format. check prints every problem with its place and exits 1 if any is an error.
#include <cstdio>

#include "cli/cli.h"

namespace sbx::cli {

namespace {

struct PolicyFlags {
  std::string target;
};

Result<int> check(Engine&, const PolicyFlags& f) {
  SBX_ASSIGN_OR_RETURN(auto problems, check_policy_file(f.target));
  int errors = 0;
  for (const auto& line : problems) {
    std::printf("%s\n", line.c_str());
    if (line.find("warning:") == std::string::npos) ++errors;
  }
  if (errors == 0) std::printf("%s: ok\n", f.target.c_str());
  return errors == 0 ? 0 : 1;
}

Result<int> show(Engine&, const PolicyFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::string text, describe_policy(f.target));
  std::fputs(text.c_str(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  return 0;
}

}  // namespace

void add_policy_verbs(CLI::App& sbx, Action& action) {
  CLI::App* policy = sbx.add_subcommand("policy", "Check and show seccomp profiles");
  policy->require_subcommand(1);
  auto [c, cf] =
      add_verb(*policy, "check", "Report every problem in a seccomp profile file", action, check);
  c->add_option("FILE", cf->target, "An OCI/Docker seccomp JSON file")->required();
  auto [s, sf] =
      add_verb(*policy, "show", "Show what a seccomp profile allows and denies", action, show);
  s->add_option("POLICY", sf->target, "default, strict, permissive, or a JSON file")->required();
}

}  // namespace sbx::cli
