// STAND-IN for branch `images-base`, which owns this file: debian-slim is reported unavailable,
// and import_rootfs copies a directory (or unpacks a tarball) with cp/tar, then makes every
// entry owned by the identity's root. Replaced at merge.
#include "image/debian_base.h"

#include <ftw.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/layer_store.h"
#include "util/fs.h"

extern char** environ;

namespace sbx {

namespace {

Status run_tool(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  if (int err = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ))
    return sys_error("run " + argv[0], err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sys_error("wait " + argv[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return internal(argv[0] + " failed");
  return {};
}

uid_t g_uid;
gid_t g_gid;

int chown_entry(const char* path, const struct stat*, int, struct FTW*) {
  return lchown(path, g_uid, g_gid) == 0 ? 0 : -1;
}

}  // namespace

Result<std::string> ensure_debian_slim(const std::string&, const Identity&, const BaseLog&) {
  return Error(ErrorKind::kUnsupported, "debian-slim base not available in this build");
}

Result<std::string> import_rootfs(const std::string& home, const Identity& identity,
                                  const std::string& source, const BaseLog& log) {
  bool dir = is_directory(source);
  SBX_ASSIGN_OR_RETURN(std::string fp, dir ? tree_fingerprint(source) : file_digest(source));
  std::string bases = home + "/images/bases";
  std::string ready = bases + "/rootfs-" + fp.substr(0, 32) + "-" +
                      std::to_string(identity.uid.outside);
  if (is_directory(ready)) return ready;
  log("importing rootfs " + source);
  SBX_TRY(make_dirs(bases, 0700));
  std::string tmp = ready + ".tmp." + std::to_string(getpid());
  SBX_TRY(remove_tree(tmp));
  if (dir) {
    SBX_TRY(run_tool({"cp", "-a", "--", source, tmp}));
  } else {
    SBX_TRY(make_dirs(tmp, 0755));
    SBX_TRY(run_tool({"tar", "-xf", source, "-C", tmp, "--no-same-owner"}));
  }
  g_uid = identity.uid.outside;
  g_gid = identity.gid.outside;
  if (nftw(tmp.c_str(), chown_entry, 64, FTW_PHYS) != 0) return sys_error("chown " + tmp);
  if (rename(tmp.c_str(), ready.c_str()) != 0) {
    int err = errno;
    (void)remove_tree(tmp);
    if (is_directory(ready)) return ready;
    return sys_error("rename " + tmp, err);
  }
  return ready;
}

}  // namespace sbx
