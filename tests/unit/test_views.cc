// Unit tests of engine/views: the JSON field names and null rules of sandboxes, processes and
// apps, RFC 3339 timestamps, and the names of end reasons.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/views.h"
#include "util/json.h"

using sbx::JsonValue;

namespace {

sbx::SandboxInfo sample_sandbox() {
  sbx::SandboxInfo s;
  s.id = "sb-abc";
  s.app = "default";
  s.state = "ended";
  s.command = {"python3", "-c", "print(\"hi\")"};
  s.mounts = {{"/home/u/data", "/data", true}};
  s.env_keys = {"FOO"};
  s.secrets = {"openai"};
  s.timeout_s = 300;
  s.tags = {{"team", "ml"}};
  s.created_at = 1714564800.123;
  s.ended_at = 1714564801.5;
  s.returncode = 0;
  s.end_reason = sbx::EndReason::kExit;
  s.supervisor_pid = 4242;
  return s;
}

JsonValue parsed(const std::string& text) {
  auto r = sbx::parse_json(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::vector<std::string> keys(const JsonValue& v) {
  std::vector<std::string> out;
  for (const auto& [k, unused] : v.items()) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("rfc3339 timestamps are UTC with milliseconds", "[views]") {
  CHECK(sbx::rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(sbx::rfc3339(1714564800.123) == "2024-05-01T12:00:00.123Z");
  CHECK(sbx::rfc3339(1714564800.9996) == "2024-05-01T12:00:01.000Z");  // rounds up
  CHECK(sbx::rfc3339(951782400) == "2000-02-29T00:00:00.000Z");
}

TEST_CASE("a sandbox has stable snake_case fields", "[views]") {
  JsonValue v = parsed(sbx::to_json(sample_sandbox(), false));
  CHECK(keys(v) ==
        std::vector<std::string>{"id",       "app",        "name",           "state",
                                 "command",  "workdir",    "mounts",         "env_keys",
                                 "secrets",  "timeout",    "idle_timeout",   "policy",
                                 "image",    "limits",     "limits_backend", "network",
                                 "tunnels",  "usage",      "tags",           "created_at",
                                 "ended_at", "returncode", "end_reason",     "supervisor_pid"});
  CHECK(v.get("id")->as_string() == "sb-abc");
  CHECK(v.get("name")->is_null());
  CHECK(v.get("workdir")->as_string() == "/");
  CHECK(v.get("command")->at(2)->as_string() == "print(\"hi\")");
  const JsonValue* mount = v.get("mounts")->at(0);
  CHECK(keys(*mount) == std::vector<std::string>{"host_path", "sandbox_path", "read_only"});
  CHECK(mount->get("read_only")->as_bool());
  CHECK(v.get("env_keys")->at(0)->as_string() == "FOO");
  CHECK(v.get("timeout")->as_int() == 300);
  CHECK(v.get("idle_timeout")->is_null());
  CHECK(v.get("tags")->get("team")->as_string() == "ml");
  CHECK(v.get("created_at")->as_string() == "2024-05-01T12:00:00.123Z");
  CHECK(v.get("ended_at")->as_string() == "2024-05-01T12:00:01.500Z");
  CHECK(v.get("returncode")->as_int() == 0);
  CHECK(v.get("end_reason")->as_string() == "exit");
  CHECK(v.get("supervisor_pid")->as_int() == 4242);
}

TEST_CASE("a running sandbox has nulls where nothing is known yet", "[views]") {
  sbx::SandboxInfo s = sample_sandbox();
  s.name = "web";
  s.workdir = "/srv";
  s.idle_timeout_s = 60;
  s.ended_at.reset();
  s.returncode.reset();
  s.end_reason = sbx::EndReason::kNone;
  JsonValue v = parsed(sbx::to_json(s, true));
  CHECK(v.get("name")->as_string() == "web");
  CHECK(v.get("workdir")->as_string() == "/srv");
  CHECK(v.get("idle_timeout")->as_int() == 60);
  CHECK(v.get("ended_at")->is_null());
  CHECK(v.get("returncode")->is_null());
  CHECK(v.get("end_reason")->is_null());
}

TEST_CASE("lists, processes, apps and inspect", "[views]") {
  sbx::ProcessInfo p;
  p.id = "pr-1";
  p.sandbox_id = "sb-abc";
  p.argv = {"ls", "-l"};
  p.state = "running";
  p.started_at = 1714564800;
  p.detached = true;
  JsonValue pv = parsed(sbx::to_json(p, false));
  CHECK(keys(pv) == std::vector<std::string>{"id", "sandbox_id", "argv", "state", "started_at",
                                             "ended_at", "returncode", "end_reason", "detached"});
  CHECK(pv.get("detached")->as_bool());
  CHECK(pv.get("returncode")->is_null());

  sbx::AppInfo app{"ap-1", "default", 1714564800, 2};
  JsonValue av = parsed(sbx::to_json(std::vector<sbx::AppInfo>{app}, true));
  CHECK(av.size() == 1);
  CHECK(keys(*av.at(0)) == std::vector<std::string>{"id", "name", "created_at", "running"});
  CHECK(av.at(0)->get("running")->as_int() == 2);

  CHECK(sbx::to_json(std::vector<sbx::SandboxInfo>{}, false) == "[]");
  JsonValue list = parsed(sbx::to_json(std::vector<sbx::SandboxInfo>{sample_sandbox()}, false));
  CHECK(list.at(0)->get("id")->as_string() == "sb-abc");

  JsonValue iv = parsed(sbx::inspect_json(sample_sandbox(), {p}, true));
  CHECK(keys(iv).back() == "processes");
  CHECK(iv.get("processes")->at(0)->get("id")->as_string() == "pr-1");
  CHECK(iv.get("supervisor_pid")->as_int() == 4242);
}

TEST_CASE("end reasons have names both ways", "[views]") {
  using sbx::EndReason;
  for (EndReason r : {EndReason::kExit, EndReason::kSignal, EndReason::kTimeout, EndReason::kIdle,
                      EndReason::kTerminated, EndReason::kLost}) {
    CHECK(sbx::end_reason_from_name(sbx::end_reason_name(r)) == r);
  }
  CHECK(std::string(sbx::end_reason_name(EndReason::kTerminated)) == "terminated");
  CHECK(std::string(sbx::end_reason_name(EndReason::kNone)).empty());
  CHECK(sbx::end_reason_from_name("bogus") == EndReason::kNone);
}
