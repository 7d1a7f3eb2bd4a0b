// The seam between EventLoop and the kernel: a Backend carries out I/O requests (poll, read,
// write, splice) tagged with ids and reports their completions. Two exist: io_uring and poll(2).
// Not thread-safe; internal to src/stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sbx/error.h"

namespace sbx::stream {

// What a pump writes to; it decides which system calls may run in the loop's own thread.
enum class DstKind : uint8_t {
  kFile,   // regular file: writes and splices may block only briefly (page cache)
  kPipe,   // pipe or FIFO: a non-blocking splice or a write of PIPE_BUF after POLLOUT never blocks
  kOther,  // tty, socket, device: may block for as long as its reader wants
};

// One operation. It completes with a result: a poll mask or byte count (>= 0), or -errno.
struct IoRequest {
  enum class Kind : uint8_t { kPoll, kRead, kWrite, kSplice };
  Kind kind = Kind::kPoll;
  DstKind dst_kind = DstKind::kOther;  // kWrite, kSplice
  int fd = -1;                         // polled, read or written; the source of a splice
  int out_fd = -1;                     // kSplice: the destination
  short events = 0;                    // kPoll: POLLIN or POLLOUT
  char* buf = nullptr;                 // kRead, kWrite
  size_t len = 0;                      // kRead, kWrite, kSplice
  int64_t offset = -1;  // kWrite, kSplice: destination file offset; -1 to use the fd's own
};

struct Completion {
  uint64_t id;
  int result;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Queues req under id (ids are never 0). Exactly one completion for id follows, also after
  // cancel(). req.buf must stay valid until then.
  virtual Status submit(uint64_t id, const IoRequest& req) = 0;
  // Asks for an early end of id's request; its completion still arrives, maybe as -ECANCELED.
  virtual Status cancel(uint64_t id) = 0;
  // Sends what is queued, then waits until a completion arrives or timeout_ns passes (-1: no
  // limit; a signal also ends the wait). Appends completions to out.
  virtual Status wait(int64_t timeout_ns, std::vector<Completion>& out) = 0;
};

// Fails with the errno of io_uring_queue_init (ENOSYS or EPERM when io_uring is disabled).
Result<std::unique_ptr<Backend>> make_uring_backend(unsigned entries);
// Whether io_uring_queue_init's err says io_uring is refused here, so that poll(2) must do:
// ENOSYS, EPERM or EACCES (kernel.io_uring_disabled, seccomp), ENOMEM (old kernels' memlock
// accounting of the rings).
bool uring_refused(int err);
// The poll(2) backend. With ring_entries > 0 it waits with poll(2) only while it has nothing
// but polls to run: its first read, write or splice brings up an io_uring of that many entries
// (make_uring_backend), which takes over the polls still queued and runs everything from then
// on. Where io_uring is refused it stays on poll(2); any other failure to bring the ring up
// fails that submit. A loop that only watches (a one-shot whose streams go straight to its
// process) so never pays for a ring it would not use: about 0.2 ms of its run here, most of it
// in tearing the ring down at exit.
std::unique_ptr<Backend> make_poll_backend(unsigned ring_entries = 0);

}  // namespace sbx::stream
