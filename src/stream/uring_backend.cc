// The io_uring backend: each request becomes one SQE whose user_data is the request id; the only
// file that includes liburing.h. Not thread-safe; the ring fd is close-on-exec (kernel default).
#include <liburing.h>

#include <cerrno>

#include "stream/backend.h"

namespace sbx::stream {

namespace {

constexpr uint64_t kIgnoredId = 0;  // user_data of cancel SQEs, whose CQEs nobody awaits

// Kernel-internal restart codes (ERESTARTSYS..ERESTART_RESTARTBLOCK) can leak into CQEs of
// requests interrupted in io-wq; to user space they mean EINTR.
int normalized(int res) { return res <= -512 && res >= -516 ? -EINTR : res; }

bool transient(int err) { return err == EINTR || err == ETIME || err == EAGAIN || err == EBUSY; }

class UringBackend final : public Backend {
 public:
  UringBackend() = default;
  ~UringBackend() override {
    if (ready_) io_uring_queue_exit(&ring_);
  }
  UringBackend(const UringBackend&) = delete;
  UringBackend& operator=(const UringBackend&) = delete;

  int init(unsigned entries);
  const char* name() const override { return "io_uring"; }
  Status submit(uint64_t id, const IoRequest& req) override;
  Status cancel(uint64_t id) override;
  Status wait(int64_t timeout_ns, std::vector<Completion>& out) override;

 private:
  Result<io_uring_sqe*> get_sqe();
  int enter(int64_t timeout_ns);
  void reap(std::vector<Completion>& out);

  io_uring ring_{};
  bool ready_ = false;
};

// Task work is signalled (the default), not deferred to our own waits (DEFER_TASKRUN) nor left
// for our next system call (COOP_TASKRUN). Splices run in io-wq, and the worker may drop its
// hold on a request after we have already reaped the request's completion; the request's
// files (a child's stdin write end, say) are then released by task work. Deferred, that work
// would wait for the loop's next wait, which may never come once relay() has returned, and the
// reader would never see EOF. Signalled, it runs at once. Throughput is the same (make bench).
int UringBackend::init(unsigned entries) {
  const unsigned flag_sets[] = {IORING_SETUP_SINGLE_ISSUER, 0};
  int ret = -EINVAL;
  for (unsigned flags : flag_sets) {
    io_uring_params params{};
    params.flags = flags;
    ret = io_uring_queue_init_params(entries, &ring_, &params);
    ready_ = ret == 0;
    if (ret != -EINVAL) return ret;
  }
  return ret;
}

Result<io_uring_sqe*> UringBackend::get_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe != nullptr) return sqe;
  int ret = io_uring_submit(&ring_);  // the SQ is full: hand it to the kernel and retry
  if (ret < 0 && !transient(-ret)) return sys_error("io_uring_submit", -ret);
  sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) return sys_error("io_uring_get_sqe", EBUSY);
  return sqe;
}

Status UringBackend::submit(uint64_t id, const IoRequest& req) {
  SBX_ASSIGN_OR_RETURN(io_uring_sqe * sqe, get_sqe());
  switch (req.kind) {
    case IoRequest::Kind::kPoll:
      io_uring_prep_poll_add(sqe, req.fd, static_cast<unsigned>(req.events));
      break;
    case IoRequest::Kind::kRead:
      io_uring_prep_read(sqe, req.fd, req.buf, static_cast<unsigned>(req.len), -1);
      break;
    case IoRequest::Kind::kWrite:
      io_uring_prep_write(sqe, req.fd, req.buf, static_cast<unsigned>(req.len),
                          static_cast<uint64_t>(req.offset));
      break;
    case IoRequest::Kind::kSplice:  // runs (and blocks until data comes) in an io-wq worker
      io_uring_prep_splice(sqe, req.fd, -1, req.out_fd, req.offset, static_cast<unsigned>(req.len),
                           0);
      break;
  }
  io_uring_sqe_set_data64(sqe, id);
  return {};
}

Status UringBackend::cancel(uint64_t id) {
  SBX_ASSIGN_OR_RETURN(io_uring_sqe * sqe, get_sqe());
  io_uring_prep_cancel64(sqe, id, 0);
  io_uring_sqe_set_data64(sqe, kIgnoredId);
  return {};
}

// Submits and waits in one io_uring_enter when there is no deadline; with one, submits first so
// that a timed-out wait is not repeated by liburing after a successful submission.
int UringBackend::enter(int64_t timeout_ns) {
  if (timeout_ns < 0) return io_uring_submit_and_wait(&ring_, 1);
  int ret = io_uring_submit(&ring_);
  if (ret < 0) return ret;
  __kernel_timespec ts{};
  ts.tv_sec = timeout_ns / 1000000000;
  ts.tv_nsec = timeout_ns % 1000000000;
  io_uring_cqe* cqe = nullptr;
  return io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
}

void UringBackend::reap(std::vector<Completion>& out) {
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    uint64_t id = io_uring_cqe_get_data64(cqe);
    if (id != kIgnoredId && id != LIBURING_UDATA_TIMEOUT) out.push_back({id, normalized(cqe->res)});
  }
  io_uring_cq_advance(&ring_, seen);
}

Status UringBackend::wait(int64_t timeout_ns, std::vector<Completion>& out) {
  int ret = enter(timeout_ns);
  if (ret < 0 && !transient(-ret)) return sys_error("io_uring_enter", -ret);
  reap(out);
  return {};
}

}  // namespace

Result<std::unique_ptr<Backend>> make_uring_backend(unsigned entries) {
  auto backend = std::make_unique<UringBackend>();
  int ret = backend->init(entries);
  if (ret < 0) return sys_error("io_uring_queue_init", -ret);
  return std::unique_ptr<Backend>(std::move(backend));
}

}  // namespace sbx::stream
