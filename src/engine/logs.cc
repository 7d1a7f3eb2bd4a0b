// `logs`: copies the entrypoint's (or a detached process's) captured output to the caller, and
// with follow keeps copying as the supervisor appends, until the sandbox or process has ended.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "engine/internal.h"
#include "sbx/engine.h"
#include "util/fd.h"
#include "util/ids.h"

namespace sbx {

namespace {

// One captured stream being copied from its current offset.
struct Tail {
  std::string path;
  int out;
  UniqueFd fd;

  // Copies what is there now; opens the file when it appears.
  Status drain() {
    if (!fd) fd.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    char buf[65536];
    for (;;) {
      ssize_t n = read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("read " + path);
      if (n == 0) return {};
      SBX_TRY(write_all(out, buf, static_cast<size_t>(n)));
    }
  }
};

}  // namespace

Status Engine::logs(const Ref& target, bool follow, int out_fd, int err_fd) {
  std::string sandbox_id, out_path, err_path;
  SandboxLayout layout;
  std::function<Result<bool>()> ended;
  if (is_id(target.ref, "pr")) {
    SBX_ASSIGN_OR_RETURN(ProcessRow proc, store_->get_process(target.ref));
    if (!proc.detached)
      return invalid("process " + proc.id + " was not detached: its output went to its caller");
    layout = sandbox_layout(home_, proc.sandbox_id);
    out_path = layout.proc_out(proc.id);
    err_path = layout.proc_err(proc.id);
    std::string id = proc.id;
    ended = [this, id, layout]() -> Result<bool> {
      if (!supervisor_alive(layout)) return true;
      SBX_ASSIGN_OR_RETURN(ProcessRow p, store_->get_process(id));
      return p.state == "ended";
    };
  } else {
    SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, target));
    layout = sandbox_layout(home_, row.id);
    out_path = layout.stdout_log();
    err_path = layout.stderr_log();
    ended = [layout]() -> Result<bool> { return !supervisor_alive(layout); };
  }
  Tail tails[2] = {{out_path, out_fd, {}}, {err_path, err_fd, {}}};
  UniqueFd watch;
  if (follow) {
    watch.reset(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    std::string dir = out_path.substr(0, out_path.rfind('/'));
    if (watch) inotify_add_watch(watch.get(), dir.c_str(), IN_MODIFY | IN_CREATE);
  }
  for (;;) {
    // Check for the end before draining, so that nothing written before the end is missed.
    bool done = true;
    if (follow) {
      SBX_ASSIGN_OR_RETURN(done, ended());
    }
    for (auto& t : tails) SBX_TRY(t.drain());
    if (done) return {};
    pollfd p{watch.get(), POLLIN, 0};
    ::poll(&p, watch ? 1 : 0, 200);
    char buf[4096];
    while (watch && read(watch.get(), buf, sizeof buf) > 0) {
    }
  }
}

}  // namespace sbx
