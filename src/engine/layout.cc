// Resolving the state directory.
#include "engine/layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "util/fs.h"

namespace sbx {

Result<std::string> resolve_home() {
  std::string home;
  if (const char* h = std::getenv("SBX_HOME"); h != nullptr && *h != '\0') {
    home = h;
  } else if (geteuid() == 0) {
    home = "/var/lib/sbx";
  } else if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x == '/') {
    home = std::string(x) + "/sbx";
  } else if (const char* u = std::getenv("HOME"); u != nullptr && *u == '/') {
    home = std::string(u) + "/.local/share/sbx";
  } else {
    return invalid("cannot find a state directory: set SBX_HOME or HOME");
  }
  if (home[0] != '/') {
    auto abs = real_path(".");
    if (!abs.ok()) return std::move(abs).error();
    home = abs.value() + "/" + home;
  }
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  if (!is_directory(home)) SBX_TRY(make_dirs(home, 0700));
  if (chmod(home.c_str(), 0700) != 0) return sys_error("chmod " + home);
  for (const char* sub : {"/sandboxes", "/base"})
    if (!is_directory(home + sub)) SBX_TRY(make_dirs(home + sub, 0700));
  return home;
}

}  // namespace sbx
