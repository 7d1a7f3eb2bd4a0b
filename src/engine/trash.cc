// The trash of ended one-shots' directories (trash.h).
#include "engine/trash.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "engine/layout.h"
#include "util/fd.h"
#include "util/fs.h"

namespace sbx {

Status move_to_trash(const std::string& home, const std::string& id) {
  std::string trash = trash_dir(home);
  if (mkdir(trash.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir " + trash);
  std::string from = sandbox_layout(home, id).dir;
  if (rename(from.c_str(), (trash + "/" + id).c_str()) != 0)
    return sys_error("move " + from + " to " + trash);
  return {};
}

bool empty_trash_some(const std::string& home, int budget) {
  std::string trash = trash_dir(home);
  UniqueFd dir(open(trash.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return false;                                      // none yet
  if (flock(dir.get(), LOCK_EX | LOCK_NB) != 0) return false;  // another process is at it
  Result<std::vector<std::string>> names = dir_names(dir.get());
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    if (name[0] == '.') continue;
    Result<bool> gone = remove_tree_some(trash + "/" + name, budget);
    if (!gone.ok()) return false;  // something there resists: no use trying again at once
    if (!*gone) return true;       // the budget is spent
  }
  return false;
}

}  // namespace sbx
