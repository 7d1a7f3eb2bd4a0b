// Unit tests of the trash (src/engine/trash.h) on real directories: what an ended one-shot leaves
// is kept for reuse only when nothing of the sandbox could be carried over, it is checked again
// when taken, and everything else is removed.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "engine/layout.h"
#include "engine/trash.h"
#include "util/fd.h"
#include "util/fs.h"

namespace sbx {
namespace {

struct Home {
  Home() {
    char tmpl[] = "/tmp/sbx-trash-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    REQUIRE(make_dirs(trash_dir(dir), 0700).ok());
  }
  ~Home() { std::filesystem::remove_all(dir); }
  std::string dir;
};

// A directory as an ended one-shot of `true` leaves it in the trash: upper/ (0755, empty but
// for overlayfs's uuid xattr where the filesystem takes user xattrs), work/ (0700) holding
// overlayfs's work/work/incompat/volatile/dirty.
std::string trashed(const Home& h, const std::string& id) {
  std::string d = trash_dir(h.dir) + "/" + id;
  REQUIRE(make_dirs(d, 0700).ok());
  REQUIRE(make_dirs(d + "/upper", 0755).ok());
  REQUIRE(make_dirs(d + "/work/work/incompat/volatile", 0700).ok());
  REQUIRE(write_file_atomic(d + "/work/work/incompat/volatile/dirty", "", 0).ok());
  (void)setxattr((d + "/upper").c_str(), "user.overlay.uuid", "0123456789abcdef", 16, 0);
  return d;
}

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.insert(e.path().filename().string());
  return out;
}

TrashOwner me() { return {getuid(), getgid()}; }

// Empties the trash in steps until nothing is left to do.
void empty_all(const Home& h) {
  for (int i = 0; i < 100 && empty_trash_some(h.dir, 16, me()); ++i) {
  }
}

}  // namespace

TEST_CASE("a clean trashed directory is kept, emptied of work/work, and taken once", "[trash]") {
  Home h;
  trashed(h, "sb-a");
  empty_all(h);
  REQUIRE(names_in(trash_dir(h.dir)) == std::set<std::string>{".clean-sb-a"});
  CHECK(names_in(trash_dir(h.dir) + "/.clean-sb-a/work").empty());

  std::string dest = h.dir + "/sandboxes/sb-b";
  REQUIRE(reuse_trashed_dir(h.dir, dest, me()));
  CHECK(names_in(dest) == std::set<std::string>{"upper", "work"});
  CHECK(names_in(dest + "/upper").empty());
  CHECK(names_in(dest + "/work").empty());
  CHECK(names_in(trash_dir(h.dir)).empty());
  CHECK_FALSE(reuse_trashed_dir(h.dir, h.dir + "/sandboxes/sb-c", me()));
}

TEST_CASE("another owner's directory is neither kept nor taken", "[trash]") {
  Home h;
  trashed(h, "sb-a");
  TrashOwner other{getuid() + 1, getgid()};
  empty_all(h);  // kept: ours
  CHECK_FALSE(reuse_trashed_dir(h.dir, h.dir + "/sandboxes/sb-b", other));
  CHECK(names_in(trash_dir(h.dir)) == std::set<std::string>{"sb-a"});  // back to the emptier
  for (int i = 0; i < 100 && empty_trash_some(h.dir, 16, other); ++i) {
  }
  CHECK(names_in(trash_dir(h.dir)).empty());  // removed: not the emptier's owner's
}

TEST_CASE("a trashed directory that carries anything of its sandbox is removed", "[trash]") {
  Home h;
  std::string d = trashed(h, "sb-file");
  REQUIRE(write_file_atomic(d + "/upper/left", "x", 0600).ok());  // a file the sandbox wrote
  d = trashed(h, "sb-dir");
  REQUIRE(make_dirs(d + "/upper/tmp", 0755).ok());
  d = trashed(h, "sb-mode");
  REQUIRE(chmod((d + "/upper").c_str(), 0700) == 0);  // chmod 700 / inside
  d = trashed(h, "sb-logs");
  REQUIRE(make_dirs(d + "/logs", 0700).ok());  // output kept: never trashed, but if it were
  {                                            // chattr +A / inside
    d = trashed(h, "sb-flags");
    UniqueFd up(open((d + "/upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    int flags = 0;
    if (ioctl(up.get(), FS_IOC_GETFLAGS, &flags) == 0) {
      flags |= FS_NOATIME_FL;
      REQUIRE(ioctl(up.get(), FS_IOC_SETFLAGS, &flags) == 0);
    } else {
      WARN("no inode flags on this filesystem: the chattr case is not checked");
    }
  }
  bool xattrs = setxattr((trashed(h, "sb-xattr") + "/upper").c_str(), "user.mine", "1", 1, 0) == 0;
  if (!xattrs) WARN("no user xattrs on this filesystem: the xattr case is not checked");
  empty_all(h);
  CHECK(names_in(trash_dir(h.dir)).empty());
}

TEST_CASE("a clean directory changed while kept is not taken", "[trash]") {
  Home h;
  trashed(h, "sb-a");
  empty_all(h);
  std::string kept = trash_dir(h.dir) + "/.clean-sb-a";
  REQUIRE(path_exists(kept));
  REQUIRE(write_file_atomic(kept + "/upper/late", "x", 0600).ok());
  CHECK_FALSE(reuse_trashed_dir(h.dir, h.dir + "/sandboxes/sb-b", me()));
  CHECK_FALSE(path_exists(h.dir + "/sandboxes/sb-b"));
  CHECK(names_in(trash_dir(h.dir)) == std::set<std::string>{"sb-a"});  // back to the emptier
  empty_all(h);
  CHECK(names_in(trash_dir(h.dir)).empty());
}

TEST_CASE("only a few clean directories are kept", "[trash]") {
  Home h;
  for (int i = 0; i < 7; ++i) trashed(h, "sb-" + std::to_string(i));
  empty_all(h);
  std::set<std::string> left = names_in(trash_dir(h.dir));
  CHECK(left.size() == 4);
  for (const std::string& n : left) CHECK(n.rfind(".clean-", 0) == 0);
}

TEST_CASE("a trash being emptied is not taken from", "[trash]") {
  Home h;
  trashed(h, "sb-a");
  empty_all(h);
  int busy = open(trash_dir(h.dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(busy >= 0);
  REQUIRE(flock(busy, LOCK_EX) == 0);
  CHECK_FALSE(reuse_trashed_dir(h.dir, h.dir + "/sandboxes/sb-b", me()));
  close(busy);
  CHECK(reuse_trashed_dir(h.dir, h.dir + "/sandboxes/sb-b", me()));
}

}  // namespace sbx
