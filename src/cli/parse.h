// The rules for the values on sbx's command line (KEY=VALUE pairs, mounts, paths, durations, env
// files), as pure functions apart from CLI11 so they are unit-tested alone. Every error names the
// flag and quotes the bad value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"
#include "util/names.h"

namespace sbx::cli {

using Pair = std::pair<std::string, std::string>;
// Looks up a variable of the caller's environment (getenv in sbx; a map in tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// KEY=VALUE with an environment key; the value may be empty or contain '='.
Result<Pair> parse_env_pair(std::string_view flag, std::string_view arg);
Result<EnvList> parse_env_pairs(std::string_view flag, const std::vector<std::string>& args);

// KEY=VALUE tags: any non-empty key without '='; a key given twice is an error.
Result<TagMap> parse_tags(std::string_view flag, const std::vector<std::string>& args);

// One argument of `sbx secret create`: KEY=VALUE, or a bare KEY whose value comes from the
// caller's environment (so the value stays out of argv).
Result<Pair> parse_secret_arg(std::string_view arg, const EnvLookup& lookup);

// A --from-file text: KEY=VALUE lines; blank lines and lines starting with '#' are skipped.
// source names the file in errors ("FILE:LINE: ...").
Result<EnvList> parse_env_file(std::string_view text, std::string_view source);

// Joins pairs from several sources; a key given twice is an error.
Result<EnvList> merge_unique(std::string_view what, const EnvList& first, const EnvList& second);

// --mount HOST:PATH[:ro|:rw]. HOST is made absolute against cwd and must exist; PATH must be
// absolute and not "/"; the default is read-write. Neither path may contain ':'.
Result<MountSpec> parse_mount(std::string_view arg, const std::string& cwd);

// An absolute path ("--workdir"); empty is allowed and means the default.
Status check_absolute(std::string_view flag, std::string_view path);

// A whole number of seconds in [min, max], digits only.
Result<int64_t> parse_seconds(std::string_view flag, std::string_view text, int64_t min,
                              int64_t max);

// A command must have a non-empty program name.
Status check_command(const std::vector<std::string>& command);

}  // namespace sbx::cli
