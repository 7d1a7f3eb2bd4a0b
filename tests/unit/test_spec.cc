// Unit tests for the engine's spec rules: validation messages, environment composition and the
// stored encoding (which must never hold a value of the environment).
#include <catch2/catch.hpp>

#include "engine/spec.h"

using namespace sbx;

namespace {
SandboxSpec good() {
  SandboxSpec s;
  s.app = "my-app";
  s.name = "worker";
  s.workdir = "/repo";
  s.mounts = {{"/tmp", "/repo", false}};
  s.env = {{"MODE", "test"}};
  s.tags = {{"major_version", "1"}};
  s.command = {"python3", "-c", "print(1)"};
  return s;
}

std::string error_of(const SandboxSpec& s, bool command_required = false) {
  auto r = validate_sandbox_spec(s, command_required);
  return r.ok() ? "" : r.error().message();
}
}  // namespace

TEST_CASE("a good spec validates", "[spec]") { REQUIRE(error_of(good()).empty()); }

TEST_CASE("bad specs get one clear message naming the value", "[spec]") {
  SandboxSpec s = good();
  s.workdir = "repo";
  REQUIRE(error_of(s) == "workdir must be an absolute path: 'repo'");
  s = good();
  s.workdir = "/a/../b";
  REQUIRE(error_of(s).find("'..'") != std::string::npos);
  s = good();
  s.env = {{"1BAD", "x"}};
  REQUIRE(error_of(s).find("'1BAD'") != std::string::npos);
  s = good();
  s.env = {{"A-B", "x"}};
  REQUIRE(error_of(s).find("'A-B'") != std::string::npos);
  s = good();
  s.timeout_s = 0;
  REQUIRE(error_of(s) == "timeout must be between 1 and 86400 seconds, not 0");
  s.timeout_s = 86401;
  REQUIRE(error_of(s) == "timeout must be between 1 and 86400 seconds, not 86401");
  s = good();
  s.idle_timeout_s = -1;
  REQUIRE(error_of(s).find("idle timeout") != std::string::npos);
  s = good();
  s.command.clear();
  REQUIRE(error_of(s, true) == "a command is required");
  REQUIRE(error_of(s, false).empty());
  s = good();
  s.name = "sb-0123";
  REQUIRE(error_of(s).find("id prefix") != std::string::npos);
  s = good();
  s.name = "has space";
  REQUIRE(error_of(s).find("'has space'") != std::string::npos);
  s = good();
  s.mounts = {{"/tmp", "/", false}};
  REQUIRE(error_of(s) == "mount target must not be /");
  s.mounts = {{"relative", "/x", false}};
  REQUIRE(error_of(s).find("absolute") != std::string::npos);
  s = good();
  s.tags = {{"", "x"}};
  REQUIRE(error_of(s).find("tag key") != std::string::npos);
}

TEST_CASE("network modes and ports", "[spec]") {
  SandboxSpec s = good();
  for (const char* mode : {"none", "nat", "host"}) {
    s.network = mode;
    CHECK(error_of(s).empty());
  }
  s.network = "bridge";
  CHECK(error_of(s) == "network mode 'bridge' is not one of none, nat, host");
  s = good();
  s.ports = {1, 8000, 65535};
  CHECK(error_of(s).empty());
  s.ports = {0};
  CHECK(error_of(s) == "port 0 is not in 1-65535");
  s.ports = {65536};
  CHECK(error_of(s) == "port 65536 is not in 1-65535");
  s.ports = {8000, 9000, 8000};
  CHECK(error_of(s) == "port 8000 is given twice");
}

TEST_CASE("exec specs", "[spec]") {
  ExecSpec e;
  REQUIRE_FALSE(validate_exec_spec(e).ok());
  e.argv = {"true"};
  REQUIRE(validate_exec_spec(e).ok());
  e.workdir = "rel";
  REQUIRE_FALSE(validate_exec_spec(e).ok());
}

TEST_CASE("the environment is a clean base, later keys win in place", "[spec]") {
  EnvList base = base_environment();
  bool has_path = false;
  for (const auto& [k, v] : base) {
    REQUIRE(k != "SBX_HOME");
    if (k == "PATH") has_path = true;
  }
  REQUIRE(has_path);
  EnvList merged = merge_env({{"A", "1"}, {"B", "2"}}, {{"B", "3"}, {"C", "4"}});
  REQUIRE(merged == EnvList{{"A", "1"}, {"B", "3"}, {"C", "4"}});
  REQUIRE(env_strings(merged) == std::vector<std::string>{"A=1", "B=3", "C=4"});
}

TEST_CASE("the stored spec round-trips and holds no environment values", "[spec]") {
  SandboxSpec s = good();
  s.env = {{"TOKEN", "very-secret-value"}};
  s.secrets = {"my-secret"};
  std::string json = encode_spec(s);
  REQUIRE(json.find("very-secret-value") == std::string::npos);
  SandboxRow row;
  row.id = "sb-x";
  row.spec_json = json;
  SandboxInfo info = sandbox_info(row);
  REQUIRE(info.command == s.command);
  REQUIRE(info.workdir == "/repo");
  REQUIRE(info.env_keys == std::vector<std::string>{"TOKEN"});
  REQUIRE(info.secrets == std::vector<std::string>{"my-secret"});
  REQUIRE(info.mounts.size() == 1);
  REQUIRE(info.mounts[0].sandbox_path == "/repo");
  REQUIRE(info.timeout_s == kDefaultTimeoutSeconds);
  REQUIRE(decode_strings(encode_strings({"a\"b", "c\\n"})) ==
          std::vector<std::string>{"a\"b", "c\\n"});
}

TEST_CASE("limits, network, ports, image and runtime facts round-trip", "[spec]") {
  SandboxSpec s = good();
  s.limits.cpus = 0.5;
  s.limits.memory_bytes = 256 << 20;
  s.limits.pids = 64;
  s.limits.disk_bytes = 1 << 30;
  s.limits.nofile = 512;
  s.network = "nat";
  s.ports = {8000, 9090};
  s.image = "im-abc";
  SandboxRow row;
  row.id = "sb-x";
  row.spec_json = encode_spec(s);
  row.runtime_json =
      R"({"tunnels":[{"container_port":8000,"host_address":"127.0.0.1","host_port":40001}],)"
      R"("limits_backend":"cgroup1","usage":{"peak_memory":1048576,"cpu_seconds":0.25}})";
  SandboxInfo info = sandbox_info(row);
  CHECK(info.limits.cpus == 0.5);
  CHECK(info.limits.memory_bytes == 256 << 20);
  CHECK(info.limits.pids == 64);
  CHECK(info.limits.disk_bytes == 1 << 30);
  CHECK(info.limits.nofile == 512);
  CHECK(info.network == "nat");
  CHECK(info.ports == std::vector<int>{8000, 9090});
  CHECK(info.image == "im-abc");
  REQUIRE(info.tunnels.size() == 1);
  CHECK(info.tunnels[0].container_port == 8000);
  CHECK(info.tunnels[0].host_address == "127.0.0.1");
  CHECK(info.tunnels[0].host_port == 40001);
  CHECK(info.limits_backend == "cgroup1");
  CHECK(info.peak_memory_bytes == std::optional<int64_t>(1048576));
  CHECK(info.cpu_seconds == std::optional<double>(0.25));
}
