// The engine's face of seccomp policies: checking a profile file and describing a profile, so
// the CLI (and later the API) need not reach into the runtime.
#include "runtime/seccomp.h"
#include "sbx/engine.h"
#include "util/fs.h"

namespace sbx {

Result<std::vector<std::string>> check_policy_file(const std::string& path) {
  SBX_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::vector<std::string> lines;
  for (const auto& problem : check_seccomp_profile(text, path))
    lines.push_back(problem.to_string());
  return lines;
}

Result<std::string> describe_policy(const std::string& name_or_path) {
  SBX_ASSIGN_OR_RETURN(SeccompProfile profile, load_policy_profile(name_or_path));
  return describe_seccomp_profile(profile);
}

}  // namespace sbx
