// The resource-limit flags of create and run (and, through them, image build): --cpu, --memory,
// --pids, --disk, --nofile. The value parsers are pure functions, unit-tested alone; ranges are
// checked by the engine (validate_sandbox_spec), so the API gets the same rules.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "sbx/error.h"
#include "sbx/types.h"

namespace sbx::cli {

struct LimitFlags {
  std::string cpu, memory, pids, disk, nofile;  // empty: no limit
};
void add_limit_flags(CLI::App* cmd, LimitFlags& flags);
// The limits asked for. Prints one warning line on stderr when this host can only enforce
// --cpu, --memory or --pids with per-process rlimits.
Result<ResourceLimits> limits_from_flags(const LimitFlags& flags);

// A size in bytes: digits with an optional fraction, then an optional k, m, g or t (binary
// units, any case, an optional trailing "b" or "ib"): 512m, 2g, 1.5G, 1048576.
Result<int64_t> parse_size(std::string_view flag, std::string_view text);
// A number of CPUs, more than 0: 0.5, 2.
Result<double> parse_cpus(std::string_view flag, std::string_view text);
// A whole number, at least 1.
Result<int64_t> parse_count(std::string_view flag, std::string_view text);

}  // namespace sbx::cli
