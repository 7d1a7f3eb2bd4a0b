// Unit tests of the limit flags' values (cli/limit_flags), their ranges (engine/spec), the
// rlimits each backend gives sandbox processes (runtime/limits) and the keyed-file reader.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <string>

#include "cli/limit_flags.h"
#include "engine/spec.h"
#include "runtime/limits.h"

using namespace sbx;

TEST_CASE("sizes take k/m/g/t in binary units, any case") {
  CHECK(cli::parse_size("--memory", "1048576").value() == 1048576);
  CHECK(cli::parse_size("--memory", "512m").value() == 512LL << 20);
  CHECK(cli::parse_size("--memory", "2G").value() == 2LL << 30);
  CHECK(cli::parse_size("--memory", "1.5g").value() == 3LL << 29);
  CHECK(cli::parse_size("--disk", "64MiB").value() == 64LL << 20);
  CHECK(cli::parse_size("--disk", "4kb").value() == 4096);
  for (const char* bad : {"", "12x", "m", "-1m", "1..5g", ".5g", "1e9", "0", "5gg"}) {
    auto r = cli::parse_size("--memory", bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          std::string("--memory '") + bad + "' is not a size (use e.g. 512m, 2g)");
  }
}

TEST_CASE("cpus and counts") {
  CHECK(cli::parse_cpus("--cpu", "0.5").value() == 0.5);
  CHECK(cli::parse_cpus("--cpu", "2").value() == 2);
  CHECK_FALSE(cli::parse_cpus("--cpu", "0").ok());
  CHECK_FALSE(cli::parse_cpus("--cpu", "abc").ok());
  CHECK_FALSE(cli::parse_cpus("--cpu", "1c").ok());
  CHECK(cli::parse_count("--pids", "64").value() == 64);
  CHECK_FALSE(cli::parse_count("--pids", "0").ok());
  CHECK_FALSE(cli::parse_count("--pids", "1k").ok());
  CHECK_FALSE(cli::parse_count("--nofile", "").ok());
}

TEST_CASE("the engine checks the ranges of limits") {
  auto check = [](ResourceLimits l) {
    SandboxSpec s;
    s.limits = l;
    return validate_sandbox_spec(s, false);
  };
  CHECK(check({}).ok());
  CHECK(check({0.5, 4 << 20, 4, 1 << 20, 16}).ok());
  CHECK_FALSE(check({0.001, 0, 0, 0, 0}).ok());
  CHECK_FALSE(check({0, 1 << 20, 0, 0, 0}).ok());
  CHECK_FALSE(check({0, 0, 3, 0, 0}).ok());
  CHECK_FALSE(check({0, 0, 0, 1000, 0}).ok());
  CHECK_FALSE(check({0, 0, 0, 0, 8}).ok());
}

TEST_CASE("rlimits: nofile always, memory/pids/cpu only without cgroups") {
  ResourceLimits l{0.5, 64 << 20, 32, 0, 128};
  auto cg = rlimits_for(LimitsKind::kCgroup1, l, 300);
  REQUIRE(cg.size() == 1);
  CHECK(cg[0].resource == RLIMIT_NOFILE);
  CHECK(cg[0].value == 128);
  auto rl = rlimits_for(LimitsKind::kRlimit, l, 300);
  REQUIRE(rl.size() == 4);
  CHECK(rl[1].resource == RLIMIT_DATA);
  CHECK(rl[1].value == 64u << 20);
  CHECK(rl[2].resource == RLIMIT_NPROC);
  CHECK(rl[2].value == 32);
  CHECK(rl[3].resource == RLIMIT_CPU);
  CHECK(rl[3].value == 150);  // 0.5 CPU over a 300 s timeout
  CHECK(detect_limits({}) == LimitsKind::kNone);
}

TEST_CASE("keyed cgroup files") {
  std::string text = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
  CHECK(cgroup::keyed_value(text, "oom_kill").value() == 3);
  CHECK(cgroup::keyed_value(text, "under_oom").value() == 0);
  CHECK_FALSE(cgroup::keyed_value(text, "oom").has_value());
}
