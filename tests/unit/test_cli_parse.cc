// Unit tests of cli/parse: the KEY=VALUE, --mount, path and number rules of sbx's command line.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <string>

#include "cli/parse.h"

using namespace sbx::cli;
using sbx::is_env_key;

namespace {

std::string message(const sbx::Status& s) { return s.ok() ? "" : s.error().message(); }
template <typename T>
std::string message(const sbx::Result<T>& r) {
  return r.ok() ? "" : r.error().message();
}

// A fresh directory holding a file "f" and a directory "d".
std::string make_fixture() {
  char tmpl[] = "/tmp/sbx-parse-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  REQUIRE(std::system(("touch " + dir + "/f && mkdir " + dir + "/d").c_str()) == 0);
  return dir;
}

}  // namespace

TEST_CASE("environment keys", "[cli]") {
  CHECK(is_env_key("PATH"));
  CHECK(is_env_key("_x9"));
  CHECK_FALSE(is_env_key(""));
  CHECK_FALSE(is_env_key("9X"));
  CHECK_FALSE(is_env_key("A-B"));
  CHECK_FALSE(is_env_key("A B"));
  CHECK_FALSE(is_env_key("\xC3\xA9"));
}

TEST_CASE("--env KEY=VALUE", "[cli]") {
  auto env = parse_env_pairs("--env", {"A=1", "B=", "C=x=y", "D= spaced "});
  REQUIRE(env.ok());
  CHECK(*env == sbx::EnvList{{"A", "1"}, {"B", ""}, {"C", "x=y"}, {"D", " spaced "}});
  CHECK(message(parse_env_pair("--env", "A")) == "--env: expected KEY=VALUE, got 'A'");
  CHECK(message(parse_env_pair("--env", "=v")) == "--env: empty name in '=v'");
  CHECK(message(parse_env_pair("--env", "1A=v")).find("invalid name '1A'") != std::string::npos);
  CHECK(message(parse_env_pair("--env", "A.B=v")).find("invalid name 'A.B'") != std::string::npos);
}

TEST_CASE("--tag KEY=VALUE", "[cli]") {
  auto tags = parse_tags("--tag", {"team=ml", "a.b/c=", "k=v=w"});
  REQUIRE(tags.ok());
  CHECK(*tags == sbx::TagMap{{"team", "ml"}, {"a.b/c", ""}, {"k", "v=w"}});
  CHECK(message(parse_tags("--tag", {"team"})) == "--tag: expected KEY=VALUE, got 'team'");
  CHECK(message(parse_tags("--tag", {"=v"})) == "--tag: empty key in '=v'");
  CHECK(message(parse_tags("--tag", {"a=1", "a=2"})) == "--tag: key 'a' is given twice");
  CHECK(parse_tags("--tag", {})->empty());
}

TEST_CASE("secret arguments take bare keys from the environment", "[cli]") {
  std::map<std::string, std::string> vars{{"TOKEN", "s3cret"}};
  EnvLookup lookup = [&](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  CHECK(parse_secret_arg("TOKEN", lookup).value() == Pair("TOKEN", "s3cret"));
  CHECK(parse_secret_arg("K=v", lookup).value() == Pair("K", "v"));
  CHECK(message(parse_secret_arg("MISSING", lookup)) ==
        "secret key 'MISSING' is not set in the environment");
  CHECK(message(parse_secret_arg("bad-key", lookup)).find("invalid name") != std::string::npos);
}

TEST_CASE("--from-file env files", "[cli]") {
  auto env = parse_env_file("# comment\n\nA=1\r\n  # indented comment\nB=two words\nC=", "f.env");
  REQUIRE(env.ok());
  CHECK(*env == sbx::EnvList{{"A", "1"}, {"B", "two words"}, {"C", ""}});
  CHECK(message(parse_env_file("A=1\nbroken\n", "f.env")) ==
        "f.env:2: expected KEY=VALUE, got 'broken'");
  CHECK(parse_env_file("", "f.env")->empty());
  auto merged = merge_unique("secret", {{"A", "1"}}, {{"B", "2"}});
  CHECK(merged->size() == 2);
  CHECK(message(merge_unique("secret", {{"A", "1"}}, {{"A", "2"}})) ==
        "secret key 'A' is given twice");
}

TEST_CASE("--mount HOST:PATH[:ro|:rw]", "[cli]") {
  std::string dir = make_fixture();
  auto rw = parse_mount("d:/data", dir);
  REQUIRE(rw.ok());
  CHECK(rw->host_path == dir + "/d");
  CHECK(rw->sandbox_path == "/data");
  CHECK_FALSE(rw->read_only);

  auto ro = parse_mount("./f:/etc/x.conf:ro", dir);
  REQUIRE(ro.ok());
  CHECK(ro->host_path == dir + "/f");
  CHECK(ro->read_only);
  CHECK(parse_mount(dir + "/d/:/a/../b/:rw", "/")->sandbox_path == "/b");
  CHECK(parse_mount(dir + "//d/.:/b", "/")->host_path == dir + "/d");

  CHECK(message(parse_mount("./x:/data", dir)) == "mount source './x' does not exist");
  CHECK(message(parse_mount("f/sub:/data", dir)) == "mount source 'f/sub' does not exist");
  CHECK(message(parse_mount("d:data", dir)) ==
        "--mount: expected an absolute sandbox path, got 'data'");
  CHECK(message(parse_mount("d:/", dir)) == "--mount: cannot mount over the sandbox's root '/'");
  CHECK(message(parse_mount("d:/x/..", dir)) ==
        "--mount: cannot mount over the sandbox's root '/'");
  CHECK(message(parse_mount("d:/x:rx", dir)) ==
        "--mount: expected the mode 'ro' or 'rw' in 'd:/x:rx', got 'rx'");
  CHECK(message(parse_mount("d", dir)) == "--mount: expected HOST:PATH[:ro|:rw], got 'd'");
  CHECK(message(parse_mount("a:b:c:d", dir)).find("expected HOST:PATH") != std::string::npos);
  CHECK(message(parse_mount(":/x", dir)) == "--mount: the host path is empty");
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("absolute paths and commands", "[cli]") {
  CHECK(check_absolute("--workdir", "/srv").ok());
  CHECK(check_absolute("--workdir", "").ok());
  CHECK(message(check_absolute("--workdir", "srv")) ==
        "--workdir: expected an absolute path, got 'srv'");
  CHECK(check_command({"ls"}).ok());
  CHECK(message(check_command({})) == "a command is required");
  CHECK(message(check_command({""})) == "the command's program name is empty");
}

TEST_CASE("seconds are whole numbers in range", "[cli]") {
  CHECK(parse_seconds("--timeout", "1", 1, 86400).value() == 1);
  CHECK(parse_seconds("--timeout", "86400", 1, 86400).value() == 86400);
  CHECK(parse_seconds("--idle-timeout", "0", 0, 86400).value() == 0);
  const std::string err = "--timeout: expected a whole number of seconds from 1 to 86400, got ";
  CHECK(message(parse_seconds("--timeout", "0", 1, 86400)) == err + "'0'");
  CHECK(message(parse_seconds("--timeout", "86401", 1, 86400)) == err + "'86401'");
  CHECK(message(parse_seconds("--timeout", "-5", 1, 86400)) == err + "'-5'");
  CHECK(message(parse_seconds("--timeout", "1.5", 1, 86400)) == err + "'1.5'");
  CHECK(message(parse_seconds("--timeout", "", 1, 86400)) == err + "''");
  CHECK(message(parse_seconds("--timeout", " 5", 1, 86400)) == err + "' 5'");
  CHECK(message(parse_seconds("--timeout", "99999999999999999999999", 1, 86400)) ==
        err + "'99999999999999999999999'");
}
