// Sandbox and exec specs: validation (the same rules for the CLI and the API), the environment
// a process gets, and the spec's stored encoding (never with secret or env values).
#pragma once

#include <string>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"
#include "store/store.h"

namespace sbx {

Status validate_name(const std::string& what, const std::string& name);
Status validate_env(const EnvList& env);
Status validate_sandbox_spec(const SandboxSpec& spec, bool command_required);
Status validate_exec_spec(const ExecSpec& spec);

// The clean environment every process starts from: PATH, HOME, LANG and friends. Nothing of
// the caller's environment is copied.
EnvList base_environment();
// a, then b: a later key replaces an earlier one in place.
EnvList merge_env(EnvList a, const EnvList& b);
std::vector<std::string> env_strings(const EnvList& env);

std::string encode_spec(const SandboxSpec& spec);
SandboxInfo sandbox_info(const SandboxRow& row);
ProcessInfo process_info(const ProcessRow& row);
std::string encode_strings(const std::vector<std::string>& items);
std::vector<std::string> decode_strings(const std::string& json);

}  // namespace sbx
