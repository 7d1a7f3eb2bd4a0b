// --cpu, --memory, --pids, --disk and --nofile: their declaration and their values.
#include "cli/limit_flags.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sbx/engine.h"

namespace sbx::cli {

namespace {

std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A non-negative decimal number (digits, optionally '.' and more digits); the rest of text
// is left in *rest.
bool leading_number(std::string_view text, double* value, std::string_view* rest) {
  size_t end = text.find_first_not_of("0123456789.");
  std::string_view num = text.substr(0, end);
  if (num.empty() || num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.'))
    return false;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), *value);
  if (ec != std::errc() || p != num.data() + num.size()) return false;
  *rest = end == std::string_view::npos ? std::string_view() : text.substr(end);
  return true;
}

int unit_shift(std::string_view unit) {
  std::string u;
  for (char c : unit) u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.empty() || u == "b") return 0;
  static const std::pair<char, int> kUnits[] = {{'k', 10}, {'m', 20}, {'g', 30}, {'t', 40}};
  for (auto [c, shift] : kUnits)
    if (u[0] == c && (u.size() == 1 || u.substr(1) == "b" || u.substr(1) == "ib")) return shift;
  return -1;
}

}  // namespace

Result<int64_t> parse_size(std::string_view flag, std::string_view text) {
  double value = 0;
  std::string_view unit;
  int shift = leading_number(text, &value, &unit) ? unit_shift(unit) : -1;
  double bytes = shift < 0 ? -1 : std::floor(value * std::ldexp(1.0, shift));
  if (shift < 0 || bytes < 1 || bytes > double(std::numeric_limits<int64_t>::max() / 2))
    return invalid(std::string(flag) + " " + single_quoted(text) +
                   " is not a size (use e.g. 512m, 2g)");
  return static_cast<int64_t>(bytes);
}

Result<double> parse_cpus(std::string_view flag, std::string_view text) {
  double value = 0;
  std::string_view rest;
  if (!leading_number(text, &value, &rest) || !rest.empty() || value <= 0)
    return invalid(std::string(flag) + " " + single_quoted(text) +
                   " is not a number of CPUs (use e.g. 0.5, 2)");
  return value;
}

Result<int64_t> parse_count(std::string_view flag, std::string_view text) {
  int64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || value < 1)
    return invalid(std::string(flag) + " " + single_quoted(text) +
                   " is not a whole number above 0");
  return value;
}

void add_limit_flags(CLI::App* cmd, LimitFlags& f) {
  cmd->add_option("--cpu", f.cpu, "CPU bandwidth in CPUs, e.g. 0.5 or 2 (default: no limit)")
      ->type_name("CPUS");
  cmd->add_option("--memory", f.memory,
                  "Memory of the whole sandbox, e.g. 512m or 2g; the OOM killer ends the "
                  "sandbox (reason oom) when it is exceeded (default: no limit)")
      ->type_name("SIZE");
  cmd->add_option("--pids", f.pids, "Tasks (processes and threads) alive at once, at least 4")
      ->type_name("N");
  cmd->add_option("--disk", f.disk,
                  "Size of the writable layer and /tmp together (a tmpfs, held in memory), "
                  "e.g. 1g (default: the state directory's disk)")
      ->type_name("SIZE");
  cmd->add_option("--nofile", f.nofile, "Open files per process (RLIMIT_NOFILE)")->type_name("N");
}

Result<ResourceLimits> limits_from_flags(const LimitFlags& f) {
  ResourceLimits l;
  if (!f.cpu.empty()) {
    SBX_ASSIGN_OR_RETURN(l.cpus, parse_cpus("--cpu", f.cpu));
  }
  if (!f.memory.empty()) {
    SBX_ASSIGN_OR_RETURN(l.memory_bytes, parse_size("--memory", f.memory));
  }
  if (!f.pids.empty()) {
    SBX_ASSIGN_OR_RETURN(l.pids, parse_count("--pids", f.pids));
  }
  if (!f.disk.empty()) {
    SBX_ASSIGN_OR_RETURN(l.disk_bytes, parse_size("--disk", f.disk));
  }
  if (!f.nofile.empty()) {
    SBX_ASSIGN_OR_RETURN(l.nofile, parse_count("--nofile", f.nofile));
  }
  if ((l.cpus > 0 || l.memory_bytes > 0 || l.pids > 0) && limits_backend_for(l) == "rlimit")
    fprintf(stderr,
            "sbx: warning: no usable cgroup here; limits are per-process rlimits (--memory: "
            "each process's data, --cpu: CPU seconds over the timeout, not bandwidth)\n");
  return l;
}

}  // namespace sbx::cli
