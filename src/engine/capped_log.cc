// A capped copy of a pipe into a log file (see capped_log.h).
#include "engine/capped_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "util/fd.h"

namespace sbx {

namespace {

struct CappedCopy {
  EventLoop& loop;
  int src, file, dev_null;
  int64_t left;
  EventLoop::DoneFn done;
  char buf[64 * 1024];

  // One readiness callback: false once the copy is over or handed to the discarding pump.
  bool on_readable() {
    for (;;) {
      ssize_t n = read(src, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      if (n <= 0) {
        done(n == 0 ? Status() : Status(sys_error("read output")));
        return false;
      }
      auto keep = static_cast<size_t>(std::min<int64_t>(n, left));
      if (keep > 0 && !write_all(file, buf, keep).ok()) left = 0;
      left -= static_cast<int64_t>(keep);
      if (left > 0) continue;
      std::string marker = "\n[sbx: output capped at " + std::to_string(kLogCapBytes >> 20) +
                           " MiB per stream; the rest was discarded]\n";
      (void)write_all(file, marker);
      loop.pump(src, dev_null, done);
      return false;
    }
  }
};

}  // namespace

void pump_capped(EventLoop& loop, int src, int file, int dev_null, int64_t cap,
                 EventLoop::DoneFn done) {
  fcntl(src, F_SETFL, fcntl(src, F_GETFL) | O_NONBLOCK);
  auto copy = std::shared_ptr<CappedCopy>(
      new CappedCopy{loop, src, file, dev_null, cap, std::move(done), {}});
  loop.watch(src, [copy](int) { return copy->on_readable(); });
}

}  // namespace sbx
