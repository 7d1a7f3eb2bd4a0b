// The pump state machine: splice while both ends allow it, else read into a buffer and write it
// out (short writes resumed); EAGAIN turns into a poll on the side that must get ready.
// Not thread-safe.
#include "stream/pump.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sbx::stream {

namespace {
constexpr size_t kSpliceChunk = size_t{1} << 20;
constexpr size_t kBufSize = size_t{64} << 10;
}  // namespace

PumpState::PumpState(int src, int dst, DstKind dst_kind, int64_t dst_offset)
    : src_(src), dst_(dst), dst_kind_(dst_kind), offset_(dst_offset) {}

IoRequest PumpState::request() const {
  IoRequest r;
  r.dst_kind = dst_kind_;
  switch (step_) {
    case Step::kSplice:
      r.kind = IoRequest::Kind::kSplice;
      r.fd = src_;
      r.out_fd = dst_;
      r.len = kSpliceChunk;
      r.offset = offset_;
      break;
    case Step::kRead:
      r.kind = IoRequest::Kind::kRead;
      r.fd = src_;
      r.buf = buf_.get();
      r.len = kBufSize;
      break;
    case Step::kWrite:
      r.kind = IoRequest::Kind::kWrite;
      r.fd = dst_;
      r.buf = buf_.get() + written_;
      r.len = filled_ - written_;
      r.offset = offset_;
      break;
    case Step::kWaitIn:
    case Step::kWaitOut:
    case Step::kDone:
      r.kind = IoRequest::Kind::kPoll;
      r.fd = step_ == Step::kWaitOut ? dst_ : src_;
      r.events = step_ == Step::kWaitOut ? POLLOUT : POLLIN;
      break;
  }
  return r;
}

void PumpState::advance(int result) {
  switch (step_) {
    case Step::kSplice: return after_splice(result);
    case Step::kRead: return after_read(result);
    case Step::kWrite: return after_write(result);
    case Step::kWaitIn:
    case Step::kWaitOut: return after_wait(result);
    case Step::kDone: return;
  }
}

void PumpState::abort_cancelled() {
  if (done()) return;
  fail("cancelled", ECANCELED);
}

Status PumpState::finish() {
  if (offset_ >= 0) ::lseek(dst_, offset_, SEEK_SET);
  return std::move(status_);
}

void PumpState::after_splice(int res) {
  if (res > 0) {
    if (offset_ >= 0) offset_ += res;
    waited_in_ = false;
  } else if (res == 0) {
    step_ = Step::kDone;
  } else if (res == -EAGAIN) {
    // Either side may be the one not ready: wait for input first, then for room in dst.
    waited_in_ = !waited_in_;
    wait_then(waited_in_ ? Step::kWaitIn : Step::kWaitOut, Step::kSplice);
  } else if (res == -EINVAL) {
    switch_to_buffer();  // an end without splice support (tty, O_APPEND file, socket to file)
  } else if (res != -EINTR) {
    fail("splice", -res);
  }
}

void PumpState::after_read(int res) {
  if (res > 0) {
    filled_ = static_cast<size_t>(res);
    written_ = 0;
    step_ = Step::kWrite;
  } else if (res == 0) {
    step_ = Step::kDone;
  } else if (res == -EAGAIN) {
    wait_then(Step::kWaitIn, Step::kRead);
  } else if (res != -EINTR) {
    fail("read", -res);
  }
}

void PumpState::after_write(int res) {
  if (res > 0) {
    written_ += static_cast<size_t>(res);
    if (offset_ >= 0) offset_ += res;
    step_ = written_ == filled_ ? Step::kRead : Step::kWrite;
  } else if (res == 0) {
    fail("write", EIO);  // no progress on a non-empty write: give up rather than spin
  } else if (res == -EAGAIN) {
    wait_then(Step::kWaitOut, Step::kWrite);
  } else if (res != -EINTR) {
    fail("write", -res);
  }
}

void PumpState::after_wait(int res) {
  if (res >= 0) {
    step_ = resume_;  // hangup and error also resume: the retried call reports them
  } else if (res != -EINTR) {
    fail("poll", -res);
  }
}

void PumpState::wait_then(Step wait, Step resume) {
  step_ = wait;
  resume_ = resume;
}

void PumpState::switch_to_buffer() {
  if (!buf_) buf_ = std::make_unique_for_overwrite<char[]>(kBufSize);
  step_ = Step::kRead;
}

void PumpState::fail(const char* what, int err) {
  status_ = sys_error(
      "pump fd " + std::to_string(src_) + " to fd " + std::to_string(dst_) + ": " + what, err);
  step_ = Step::kDone;
}

}  // namespace sbx::stream
