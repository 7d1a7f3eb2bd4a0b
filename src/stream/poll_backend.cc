// The poll(2) backend: each request waits for its fd to get ready, then runs as one
// non-blocking-safe system call. It is the fallback where io_uring is disabled (sysctl or
// seccomp), and the start of every event loop: it hands its queue to an io_uring backend at the
// loop's first read, write or splice (backend.h). Not thread-safe.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "stream/backend.h"

namespace sbx::stream {

namespace {

struct Pending {
  uint64_t id;
  IoRequest req;
};

short ready_events(const IoRequest& req) {
  switch (req.kind) {
    case IoRequest::Kind::kPoll: return req.events;
    case IoRequest::Kind::kWrite: return POLLOUT;
    case IoRequest::Kind::kRead:
    case IoRequest::Kind::kSplice: return POLLIN;
  }
  return POLLIN;
}

int result_of(ssize_t n) { return n < 0 ? -errno : static_cast<int>(n); }

// A write after POLLOUT to a blocking pipe or tty cannot block if it is at most PIPE_BUF long.
int do_write(const IoRequest& req) {
  if (req.offset >= 0) return result_of(::pwrite(req.fd, req.buf, req.len, req.offset));
  size_t len = req.dst_kind == DstKind::kFile ? req.len : std::min<size_t>(req.len, PIPE_BUF);
  return result_of(::write(req.fd, req.buf, len));
}

// SPLICE_F_NONBLOCK covers the pipe ends only; a tty or socket dst gets EINVAL, which makes the
// pump use its buffer (and PIPE_BUF-sized writes) instead.
int do_splice(const IoRequest& req) {
  if (req.dst_kind == DstKind::kOther) return -EINVAL;
  loff_t off = req.offset;
  loff_t* off_out = req.offset >= 0 ? &off : nullptr;
  return result_of(::splice(req.fd, nullptr, req.out_fd, off_out, req.len, SPLICE_F_NONBLOCK));
}

// Runs req once its fd reported revents.
int perform(const IoRequest& req, short revents) {
  switch (req.kind) {
    case IoRequest::Kind::kPoll: return revents;
    case IoRequest::Kind::kRead: return result_of(::read(req.fd, req.buf, req.len));
    case IoRequest::Kind::kWrite: return do_write(req);
    case IoRequest::Kind::kSplice: return do_splice(req);
  }
  return -EINVAL;
}

class PollBackend final : public Backend {
 public:
  explicit PollBackend(unsigned ring_entries) : ring_entries_(ring_entries) {}
  const char* name() const override { return ring_ ? ring_->name() : "poll"; }
  Status submit(uint64_t id, const IoRequest& req) override;
  Status cancel(uint64_t id) override;
  Status wait(int64_t timeout_ns, std::vector<Completion>& out) override;

 private:
  void run_ready(std::vector<Completion>& out);
  Status bring_up_ring();

  std::vector<Pending> pending_;
  std::vector<pollfd> fds_;
  std::vector<Completion> finished_;  // completed without waiting (cancelled, bad fd)
  unsigned ring_entries_;             // > 0: an io_uring for the first request that moves bytes
  std::unique_ptr<Backend> ring_;     // once up, every request goes there
};

// The ring takes over the requests still queued under their ids; what already finished here
// is handed out by the next wait(), as before.
Status PollBackend::bring_up_ring() {
  unsigned entries = ring_entries_;
  ring_entries_ = 0;  // one attempt
  auto ring = make_uring_backend(entries);
  if (!ring.ok()) {
    if (uring_refused(ring.error().sys_errno())) return {};
    return std::move(ring).error();
  }
  for (const Pending& p : pending_) SBX_TRY((*ring)->submit(p.id, p.req));
  pending_.clear();
  ring_ = std::move(ring).value();
  return {};
}

Status PollBackend::submit(uint64_t id, const IoRequest& req) {
  if (!ring_ && ring_entries_ > 0 && req.kind != IoRequest::Kind::kPoll) SBX_TRY(bring_up_ring());
  if (ring_) return ring_->submit(id, req);
  if (req.fd < 0) {
    finished_.push_back({id, -EBADF});  // poll(2) would skip it silently
  } else {
    pending_.push_back({id, req});
  }
  return {};
}

Status PollBackend::cancel(uint64_t id) {
  if (ring_) return ring_->cancel(id);  // one still in finished_ has its completion already
  auto it =
      std::find_if(pending_.begin(), pending_.end(), [id](const Pending& p) { return p.id == id; });
  if (it == pending_.end()) return {};
  pending_.erase(it);
  finished_.push_back({id, -ECANCELED});
  return {};
}

Status PollBackend::wait(int64_t timeout_ns, std::vector<Completion>& out) {
  if (!finished_.empty()) timeout_ns = 0;
  out.insert(out.end(), finished_.begin(), finished_.end());
  finished_.clear();
  if (ring_) return ring_->wait(timeout_ns, out);
  fds_.clear();
  for (const Pending& p : pending_) fds_.push_back({p.req.fd, ready_events(p.req), 0});
  timespec ts{};
  ts.tv_sec = timeout_ns / 1000000000;
  ts.tv_nsec = timeout_ns % 1000000000;
  int n = ::ppoll(fds_.data(), fds_.size(), timeout_ns < 0 ? nullptr : &ts, nullptr);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? Status() : sys_error("ppoll");
  if (n > 0) run_ready(out);
  return {};
}

void PollBackend::run_ready(std::vector<Completion>& out) {
  size_t kept = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (fds_[i].revents != 0) {
      out.push_back({pending_[i].id, perform(pending_[i].req, fds_[i].revents)});
    } else {
      pending_[kept++] = pending_[i];
    }
  }
  pending_.resize(kept);
}

}  // namespace

std::unique_ptr<Backend> make_poll_backend(unsigned ring_entries) {
  return std::make_unique<PollBackend>(ring_entries);
}

bool uring_refused(int err) {
  return err == ENOSYS || err == EPERM || err == EACCES || err == ENOMEM;
}

}  // namespace sbx::stream
