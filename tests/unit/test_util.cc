// Unit tests for src/util: ids, filesystem helpers and message framing over real sockets.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/msg.h"

using namespace sbx;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/sbx-unit-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}
}  // namespace

TEST_CASE("ids have Modal's shape and do not repeat", "[util]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_id("sb");
    REQUIRE(is_id(id, "sb"));
    REQUIRE_FALSE(is_id(id, "pr"));
    REQUIRE(id.size() == 27);
    seen.insert(id);
  }
  REQUIRE(seen.size() == 1000);
  REQUIRE_FALSE(is_id("sb-short", "sb"));
  REQUIRE_FALSE(is_id("sb-00000000000000000000000!", "sb"));
}

TEST_CASE("make_dirs sets exact modes and remove_tree removes what a sandbox locked", "[util]") {
  std::string base = temp_dir();
  std::string deep = base + "/a/b/c";
  REQUIRE(make_dirs(deep, 0700).ok());
  struct stat st;
  REQUIRE(stat((base + "/a/b").c_str(), &st) == 0);
  REQUIRE((st.st_mode & 07777) == 0700);
  REQUIRE(write_file_atomic(deep + "/f", "data", 0600).ok());
  REQUIRE(read_file(deep + "/f").value() == "data");
  REQUIRE(symlink("/etc", (deep + "/link").c_str()) == 0);
  REQUIRE(chmod(deep.c_str(), 0) == 0);  // as a sandbox might leave it
  REQUIRE(remove_tree(base + "/a").ok());
  REQUIRE_FALSE(path_exists(base + "/a"));
  REQUIRE(path_exists("/etc/passwd"));  // the symlink was not followed
  REQUIRE(remove_tree(base + "/missing").ok());
  // More entries than one directory read returns, files and directories mixed.
  std::string wide = base + "/wide";
  REQUIRE(make_dirs(wide, 0700).ok());
  for (int i = 0; i < 300; ++i) {
    std::string name = wide + "/entry-with-a-long-name-" + std::to_string(i);
    if (i % 3 == 0)
      REQUIRE(make_dirs(name + "/sub", 0700).ok());
    else
      REQUIRE(write_file_atomic(name, "x", 0600).ok());
  }
  REQUIRE(remove_tree(wide).ok());
  REQUIRE_FALSE(path_exists(wide));
  REQUIRE(remove_tree(base).ok());
}

TEST_CASE("remove_tree_some removes a tree in steps of at most its budget", "[util]") {
  std::string base = temp_dir();
  std::string tree = base + "/tree";
  // 40 files in 10 directories under tree: 51 removals in all.
  for (int d = 0; d < 10; ++d) {
    std::string dir = tree + "/d" + std::to_string(d);
    REQUIRE(make_dirs(dir, 0700).ok());
    for (int f = 0; f < 4; ++f)
      REQUIRE(write_file_atomic(dir + "/f" + std::to_string(f), "x", 0600).ok());
  }
  auto entries = [&] {
    int n = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(tree);
         it != std::filesystem::recursive_directory_iterator(); ++it)
      ++n;
    return n;
  };
  REQUIRE(entries() == 50);
  int steps = 0;
  for (;;) {
    int budget = 16;
    Result<bool> gone = remove_tree_some(tree, budget);
    REQUIRE(gone.ok());
    ++steps;
    if (*gone) break;
    REQUIRE(budget == 0);                   // a step stops only when spent
    REQUIRE(entries() == 50 - 16 * steps);  // and does exactly what it may
  }
  CHECK(steps == 4);  // 16 + 16 + 16 + 3 (two files, the last directory, tree itself)
  CHECK_FALSE(path_exists(tree));
  int budget = 5;
  Result<bool> missing = remove_tree_some(tree, budget);
  REQUIRE(missing.ok());
  CHECK(*missing);
  CHECK(budget == 5);
  REQUIRE(remove_tree(base).ok());
}

TEST_CASE("read_file reads whole files: empty, sized, and /proc's that say size 0", "[util]") {
  std::string dir = temp_dir();
  std::string big(10000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  REQUIRE(write_file_atomic(dir + "/empty", "", 0600).ok());
  REQUIRE(write_file_atomic(dir + "/big", big, 0600).ok());
  CHECK(read_file(dir + "/empty").value().empty());
  CHECK(read_file(dir + "/big").value() == big);
  // /proc/self/maps reports size 0, so the string grows from its first byte as it is read;
  // read to its end, it ends with a newline and names the stack.
  std::string maps = read_file("/proc/self/maps").value();
  CHECK(maps.size() > 0);
  CHECK(maps.back() == '\n');
  CHECK(maps.find("[stack]") != std::string::npos);
  // An integer sysctl answers only its first read (a read at a later offset finds the end):
  // all of it must come in that one. The reference: one read() into a roomy buffer.
  const char* sysctl = "/proc/sys/kernel/cap_last_cap";
  UniqueFd fd(open(sysctl, O_RDONLY | O_CLOEXEC));
  REQUIRE(fd.valid());
  char whole[64];
  ssize_t n = read(fd.get(), whole, sizeof whole);
  REQUIRE(n > 1);
  CHECK(read_file(sysctl).value() == std::string(whole, static_cast<size_t>(n)));
  CHECK_FALSE(read_file(dir + "/missing").ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("dir_names lists every name but . and .., over many batches", "[util]") {
  std::string dir = temp_dir();
  std::set<std::string> made;
  for (int i = 0; i < 300; ++i) {  // about 40 bytes a record: several 2 KiB batches
    std::string name = "entry-with-a-longish-name-" + std::to_string(i);
    REQUIRE(write_file_atomic(dir + "/" + name, "", 0600).ok());
    made.insert(name);
  }
  REQUIRE(make_dirs(dir + "/.hidden", 0700).ok());
  made.insert(".hidden");
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd.valid());
  std::vector<std::string> names = dir_names(fd.get()).value();
  CHECK(std::set<std::string>(names.begin(), names.end()) == made);
  CHECK(names.size() == made.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("make_dirs refuses a path through a file", "[util]") {
  std::string base = temp_dir();
  REQUIRE(write_file_atomic(base + "/file", "", 0600).ok());
  auto s = make_dirs(base + "/file/x", 0700);
  REQUIRE_FALSE(s.ok());
  REQUIRE(remove_tree(base).ok());
}

TEST_CASE("messages carry fields and descriptors intact", "[util]") {
  auto pair = make_seqpacket_pair();
  REQUIRE(pair.ok());
  auto pipe = make_pipe();
  REQUIRE(pipe.ok());
  std::string big(100000, 'x');
  std::vector<std::string> fields = {"exec", "", big, std::string("a\0b", 3)};
  REQUIRE(send_message(pair->first.get(), fields, {pipe->write.get()}).ok());
  auto m = recv_message(pair->second.get());
  REQUIRE(m.ok());
  REQUIRE(m.value().has_value());
  REQUIRE((*m)->fields == fields);
  REQUIRE((*m)->fds.size() == 1);
  REQUIRE(write_all((*m)->fds[0].get(), "hi").ok());
  char buf[2];
  REQUIRE(read_exact(pipe->read.get(), buf, 2).value());
  REQUIRE(std::string(buf, 2) == "hi");
  REQUIRE((*m)->at(99).empty());
  pair->first.reset();
  auto eof = recv_message(pair->second.get());
  REQUIRE(eof.ok());
  REQUIRE_FALSE(eof.value().has_value());
}

TEST_CASE("an oversized message is refused with a clear error", "[util]") {
  auto pair = make_seqpacket_pair();
  REQUIRE(pair.ok());
  auto s = send_message(pair->first.get(), {std::string(kMaxMessageBytes + 1, 'x')});
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.error().kind() == ErrorKind::kInvalidArgument);
  REQUIRE(s.error().message().find("too large") != std::string::npos);
}

TEST_CASE("sys_error maps errno to categories once", "[util]") {
  REQUIRE(sys_error("x", ENOENT).kind() == ErrorKind::kNotFound);
  REQUIRE(sys_error("x", EACCES).kind() == ErrorKind::kPermission);
  REQUIRE(sys_error("x", EEXIST).kind() == ErrorKind::kAlreadyExists);
  REQUIRE(sys_error("x", EIO).kind() == ErrorKind::kInternal);
  Error e = sys_error("open /nope", ENOENT);
  e.context("create sandbox");
  REQUIRE(e.to_string() == "create sandbox: open /nope: No such file or directory");
}
