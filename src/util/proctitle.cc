// Rewrites the argv area in place; the kernel reads cmdline from there.
#include "util/proctitle.h"

#include <sys/prctl.h>

#include <cstring>

namespace sbx {

namespace {
char* g_args = nullptr;
size_t g_args_len = 0;
}  // namespace

void remember_process_args(int argc, char** argv) {
  if (argc <= 0) return;
  g_args = argv[0];
  char* end = argv[argc - 1] + std::strlen(argv[argc - 1]);
  g_args_len = static_cast<size_t>(end - g_args);  // without the last NUL
}

void set_process_title(const char* title) {
  prctl(PR_SET_NAME, title);  // the comm name (ps, top): its first 15 bytes
  if (g_args == nullptr || g_args_len == 0) return;
  std::memset(g_args, 0, g_args_len);
  std::strncpy(g_args, title, g_args_len - 1);
}

}  // namespace sbx
