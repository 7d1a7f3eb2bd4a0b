// Unit tests for reading and copying overlay writable layers: hand-made layers (0/0 whiteouts,
// opaque directories, several lower layers), and a real upper written by a real sandbox whose
// copy then serves as a lower layer of a second sandbox (what snapshot -> create does).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "image/layer_diff.h"
#include "runtime/host_base.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "util/fs.h"

using namespace sbx;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/sbx-layer-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
    chmod(path.c_str(), 0755);
  }
  ~TempDir() { (void)remove_tree(path); }
};

void write(const std::string& path, const std::string& text) {
  REQUIRE(make_dirs(path.substr(0, path.rfind('/')), 0755).ok());
  std::ofstream(path) << text;
}

void whiteout(const std::string& path) {
  REQUIRE(mknod(path.c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0);
}

void opaque(const std::string& dir) {
  REQUIRE(setxattr(dir.c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
}

std::string listing(const std::vector<LayerChange>& changes) {
  std::string out;
  for (const auto& c : changes) out += std::string(1, c.kind) + " " + c.path + "\n";
  return out;
}

// Two lower layers and an upper with every kind of change.
struct Layers {
  TempDir t;
  std::string low1 = t.path + "/low1", low2 = t.path + "/low2", upper = t.path + "/upper";
  Layers() {
    write(low2 + "/a/x", "x");
    write(low2 + "/a/y", "y");
    write(low2 + "/d/old", "old");
    write(low2 + "/d/keep", "keep");
    write(low2 + "/gone/f", "f");
    write(low2 + "/a-b", "sorts after a/");
    REQUIRE(make_dirs(low1, 0755).ok());
    whiteout(low1 + "/gone");  // the upper layer of low2 deleted /gone
    write(low1 + "/d/keep", "keep, newer");
    write(upper + "/a/x", "x changed");
    whiteout(upper + "/a/y");
    REQUIRE(make_dirs(upper + "/d", 0755).ok());
    opaque(upper + "/d");  // rm -rf /d; mkdir /d; ...
    write(upper + "/d/n", "n");
    write(upper + "/d/keep", "replaced");
    write(upper + "/gone", "a file where a deleted directory was");
    write(upper + "/newdir/f", "f");
    REQUIRE(symlink("a/x", (upper + "/link").c_str()) == 0);
  }
};

}  // namespace

TEST_CASE("diff of a hand-made layer: whiteouts, opaque dirs, layers hiding layers", "[layer]") {
  Layers l;
  auto changes = diff_layer(l.upper, {l.low1, l.low2});
  REQUIRE(changes.ok());
  CHECK(listing(*changes) ==
        "C /a\n"
        "C /a/x\n"
        "D /a/y\n"
        "C /d\n"
        "C /d/keep\n"
        "A /d/n\n"
        "D /d/old\n"
        "A /gone\n"
        "A /link\n"
        "A /newdir\n"
        "A /newdir/f\n");
  // Without lower layers everything is new, and whiteouts of nothing are not deletions.
  auto alone = diff_layer(l.upper, {});
  REQUIRE(alone.ok());
  for (const auto& c : *alone) CHECK(c.kind == 'A');
  REQUIRE_FALSE(diff_layer(l.t.path + "/missing", {}).ok());
}

TEST_CASE("copy_layer keeps whiteouts, opaque dirs, links, modes and times", "[layer]") {
  Layers l;
  REQUIRE(link((l.upper + "/d/n").c_str(), (l.upper + "/newdir/hard").c_str()) == 0);
  REQUIRE(chmod((l.upper + "/newdir/f").c_str(), 04750) == 0);
  REQUIRE(mkfifo((l.upper + "/fifo").c_str(), 0640) == 0);
  REQUIRE(setxattr((l.upper + "/a/x").c_str(), "user.note", "kept", 4, 0) == 0);
  REQUIRE(setxattr((l.upper + "/a/x").c_str(), "user.overlay.origin", "stale", 5, 0) == 0);
  timespec old[2] = {{1000000, 0}, {1000000, 0}};
  REQUIRE(utimensat(AT_FDCWD, (l.upper + "/a/x").c_str(), old, 0) == 0);
  std::string copy = l.t.path + "/copy";
  REQUIRE(copy_layer(l.upper, copy).ok());

  struct stat st;
  REQUIRE(lstat((copy + "/a/y").c_str(), &st) == 0);
  CHECK((S_ISCHR(st.st_mode) && st.st_rdev == 0));
  char v[8] = {};
  CHECK(getxattr((copy + "/d").c_str(), "user.overlay.opaque", v, sizeof v) == 1);
  CHECK(v[0] == 'y');
  CHECK(getxattr((copy + "/a/x").c_str(), "user.note", v, sizeof v) == 4);
  CHECK(getxattr((copy + "/a/x").c_str(), "user.overlay.origin", v, sizeof v) < 0);
  REQUIRE(lstat((copy + "/a/x").c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1000000);
  CHECK(read_file(copy + "/a/x").value() == "x changed");
  REQUIRE(lstat((copy + "/newdir/f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04750);
  struct stat a, b;
  REQUIRE(lstat((copy + "/d/n").c_str(), &a) == 0);
  REQUIRE(lstat((copy + "/newdir/hard").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  REQUIRE(lstat((copy + "/fifo").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  char target[16] = {};
  CHECK(readlink((copy + "/link").c_str(), target, sizeof target) == 3);
  CHECK(std::string(target) == "a/x");
  // The copy reads the same as the original.
  CHECK(listing(diff_layer(copy, {l.low1, l.low2}).value()) ==
        listing(diff_layer(l.upper, {l.low1, l.low2}).value()));
  REQUIRE_FALSE(copy_layer(l.upper, copy).ok());  // never over an existing directory
}

namespace {

// A real sandbox over `lowers` (top first, the skeleton appended) and a fresh upper.
struct Box {
  TempDir t;
  Identity id = choose_identity().value();
  std::string upper = t.path + "/upper", work = t.path + "/work";
  SandboxProcess sp;
  explicit Box(std::vector<std::string> lowers) {
    std::string skel = t.path + "/skel";
    REQUIRE(ensure_skeleton(skel, id).ok());
    for (const auto& d : {upper, work}) {
      REQUIRE(make_dirs(d, 0700).ok());
      REQUIRE(chown(d.c_str(), id.uid.outside, id.gid.outside) == 0);
    }
    lowers.push_back(skel);
    auto plan = build_plan({id, "unit", lowers, upper, work, {}, "/"});
    REQUIRE(plan.ok());
    plan->seccomp = load_policy("default", "").value();
    auto started = start_sandbox(*plan);
    REQUIRE(started.ok());
    sp = std::move(started).value();
  }
  ~Box() {
    kill(sp.pid, SIGKILL);
    waitpid(sp.pid, nullptr, 0);
  }
  int sh(const std::string& script) {
    static uint64_t seq = 0;
    ProcessSpec spec{{"/bin/sh", "-c", script}, {"PATH=/usr/bin:/bin"}, "/"};
    REQUIRE(spawn_in_sandbox(sp.control.get(), ++seq, true, spec, 0, 1, 2).ok());
    for (;;) {
      auto ev = receive_init_event(sp.control.get());
      REQUIRE(ev.ok());
      REQUIRE(ev->has_value());
      if ((*ev)->kind == InitEvent::Kind::kExited && (*ev)->seq == seq)
        return returncode_of((*ev)->wait_status);
    }
  }
};

// A lower layer owned by the sandbox identity's root, as image layers are.
void own_tree(const std::string& dir, const Identity& id) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string owner = std::to_string(id.uid.outside) + ":" + std::to_string(id.gid.outside);
    execlp("chown", "chown", "-R", owner.c_str(), dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(status == 0);
}

}  // namespace

TEST_CASE("a real overlay upper: diff, then its copy under a second sandbox", "[layer]") {
  TempDir t;
  std::string base = t.path + "/base";
  write(base + "/opt/lowfile", "low");
  write(base + "/opt/keep", "keep\n");
  write(base + "/srv/dir/a", "a");
  write(base + "/srv/dir/b", "b");
  own_tree(base, choose_identity().value());
  std::string copy = t.path + "/snap";
  {
    Box box({base});
    REQUIRE(box.sh("rm /opt/lowfile && echo new > /opt/new && echo more >> /opt/keep && "
                   "rm -rf /srv/dir && mkdir /srv/dir && echo n > /srv/dir/n && "
                   "mkdir -p /root/made && echo x > /root/made/f") == 0);
    auto changes = diff_layer(box.upper, {base, box.t.path + "/skel"});
    REQUIRE(changes.ok());
    CHECK(listing(*changes) ==
          "C /opt\n"
          "C /opt/keep\n"
          "D /opt/lowfile\n"
          "A /opt/new\n"
          "C /root\n"
          "A /root/made\n"
          "A /root/made/f\n"
          "C /srv\n"
          "C /srv/dir\n"
          "D /srv/dir/a\n"
          "D /srv/dir/b\n"
          "A /srv/dir/n\n");
    REQUIRE(copy_layer(box.upper, copy).ok());  // while the sandbox runs
  }
  Box again({copy, base});
  CHECK(again.sh("test ! -e /opt/lowfile && test \"$(cat /opt/new)\" = new && "
                 "test \"$(cat /opt/keep)\" = \"$(printf 'keep\\nmore')\" && "
                 "test \"$(ls /srv/dir)\" = n && test -f /root/made/f") == 0);
  auto none = diff_layer(again.upper, {copy, base});
  REQUIRE(none.ok());
  CHECK(none->empty());
}
