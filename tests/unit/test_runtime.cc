// Unit tests for the runtime against the real kernel: a plan on the host base, and a sandbox
// started from it (new namespaces, overlay root, pid 1) that runs processes and reports ends.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "runtime/host_base.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "util/fs.h"

using namespace sbx;

namespace {

struct Scratch {
  std::string dir;
  Identity id;
  Scratch() {
    char tmpl[] = "/tmp/sbx-rt-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    id = choose_identity().value();
    REQUIRE(ensure_skeleton(dir + "/skel", id).ok());
    for (const char* d : {"/upper", "/work"}) {
      REQUIRE(make_dirs(dir + d, 0700).ok());
      REQUIRE(chown((dir + d).c_str(), id.uid.outside, id.gid.outside) == 0);
    }
  }
  ~Scratch() { (void)remove_tree(dir); }
  RootfsRequest request() {
    return {id, "unit", {dir + "/skel"}, dir + "/upper", dir + "/work", {}, "/"};
  }
};

// Runs argv in the sandbox with stdout into a pipe; returns {returncode, stdout}.
std::pair<int, std::string> run_in(SandboxProcess& sp, uint64_t seq,
                                   std::vector<std::string> argv) {
  auto out = make_pipe().value();
  ProcessSpec spec{std::move(argv), {"PATH=/usr/bin:/bin"}, "/"};
  REQUIRE(spawn_in_sandbox(sp.control.get(), seq, true, spec, 0, out.write.get(), 2).ok());
  out.write.reset();
  int rc = -1;
  for (;;) {
    auto ev = receive_init_event(sp.control.get());
    REQUIRE(ev.ok());
    REQUIRE(ev.value().has_value());
    if ((*ev)->kind == InitEvent::Kind::kExited && (*ev)->seq == seq) {
      rc = returncode_of((*ev)->wait_status);
      break;
    }
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out.read.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  return {rc, text};
}

}  // namespace

TEST_CASE("identity: rootless maps the caller, root an unprivileged range", "[runtime]") {
  Identity id = choose_identity().value();
  if (geteuid() == 0) {
    REQUIRE(id.rootful);
    REQUIRE(id.uid.outside != 0);
    REQUIRE(id.uid.count == kRootfulRangeSize);
  } else {
    REQUIRE(id.uid.outside == geteuid());
    REQUIRE(id.uid.count == 1);
  }
}

TEST_CASE("a plan masks host secrets and refuses mounts over the host base", "[runtime]") {
  Scratch s;
  auto plan = build_plan(s.request());
  REQUIRE(plan.ok());
  bool shadow = false;
  for (const auto& m : plan->masks) shadow |= m.target == "/etc/shadow";
  REQUIRE(shadow == path_exists("/etc/shadow"));
  RootfsRequest bad = s.request();
  bad.mounts = {{"/tmp", "/usr", false}};
  auto r = build_plan(bad);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().message().find("would hide the host base") != std::string::npos);
  bad.mounts = {{"/nonexistent-source", "/data", false}};
  REQUIRE_FALSE(build_plan(bad).ok());
}

TEST_CASE("a sandbox runs processes in its own namespaces and reports their ends", "[runtime]") {
  Scratch s;
  auto plan = build_plan(s.request());
  REQUIRE(plan.ok());
  plan->seccomp = load_policy("default", "").value();
  auto sp = start_sandbox(plan.value());
  REQUIRE(sp.ok());
  auto [rc, host] = run_in(*sp, 1, {"cat", "/proc/sys/kernel/hostname"});
  REQUIRE(rc == 0);
  REQUIRE(host == "unit\n");
  auto [rc2, uid] = run_in(*sp, 2, {"sh", "-c", "id -u; exit 3"});
  REQUIRE(rc2 == 3);
  REQUIRE(uid == "0\n");
  auto [rc3, none] = run_in(*sp, 3, {"no-such-command-here"});
  REQUIRE(rc3 == 127);
  auto [rc4, sig] = run_in(*sp, 4, {"sh", "-c", "kill -9 $$"});
  REQUIRE(rc4 == 128 + 9);
  // pid 1 is retitled (within the length of the runner's own argv): the caller's command
  // line is not shown inside.
  auto [rc5, pid1] = run_in(*sp, 5, {"cat", "/proc/1/cmdline"});
  REQUIRE(rc5 == 0);
  REQUIRE(pid1.rfind("sbx", 0) == 0);
  REQUIRE(pid1.find("unit") == std::string::npos);
  auto [rc6, denied] = run_in(*sp, 6, {"unshare", "-U", "true"});
  REQUIRE(rc6 == 1);  // the default seccomp profile holds for every process
  kill(sp->pid, SIGKILL);
  waitpid(sp->pid, nullptr, 0);
}

TEST_CASE("a process is never started without its seccomp filter", "[runtime]") {
  Scratch s;
  auto plan = build_plan(s.request());
  REQUIRE(plan.ok());  // no seccomp program loaded: the child must refuse to exec (fail closed)
  auto sp = start_sandbox(plan.value());
  REQUIRE(sp.ok());
  auto [rc, out] = run_in(*sp, 1, {"true"});
  REQUIRE(rc == 126);
  kill(sp->pid, SIGKILL);
  waitpid(sp->pid, nullptr, 0);
}

TEST_CASE("subordinate id ranges: the first big enough for the user; bad lines skipped") {
  char tmpl[] = "/tmp/sbx-subid-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string file = std::string(tmpl) + "/subuid";
  REQUIRE(write_file_atomic(file,
                            "alice:100000:65536\n"
                            "sbx:abc:65536\n"          // not a number: skipped, no exception
                            "sbx:200000\n"             // no count
                            "sbx:0:65536\n"            // never from 0
                            "sbx:300000:1000\n"        // too small
                            "sbx:99999999999:65536\n"  // out of range
                            "sbx:400000:65536x\n"      // trailing junk
                            "sbx:500000:70000\n"
                            "sbx:600000:65536",  // no final newline
                            0600)
              .ok());
  CHECK(subid_start(file.c_str(), "sbx", 65536) == 500000u);
  CHECK(subid_start(file.c_str(), "alice", 65536) == 100000u);
  CHECK(subid_start(file.c_str(), "alice", 65537) == std::nullopt);
  CHECK(subid_start(file.c_str(), "sb", 1) == std::nullopt);
  CHECK(subid_start(file.c_str(), "bob", 1) == std::nullopt);
  REQUIRE(write_file_atomic(file, "sbx:600000:65536", 0600).ok());
  CHECK(subid_start(file.c_str(), "sbx", 65536) == 600000u);
  CHECK(subid_start((file + ".missing").c_str(), "sbx", 1) == std::nullopt);
  REQUIRE(remove_tree(tmpl).ok());
}
