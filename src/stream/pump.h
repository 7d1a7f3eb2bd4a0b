// The I/O-free state machine of one pump (src -> dst until EOF): it names the next request and
// digests its result, so both backends share the splice, buffer, EAGAIN and short-write logic.
// Not thread-safe; internal to src/stream.
#pragma once

#include <cstdint>
#include <memory>

#include "sbx/error.h"
#include "stream/backend.h"

namespace sbx::stream {

class PumpState {
 public:
  // dst_offset: where to write in a regular dst, or -1 to write at dst's own position.
  PumpState(int src, int dst, DstKind dst_kind, int64_t dst_offset);

  bool done() const { return step_ == Step::kDone; }
  // The request for the current step; only while !done().
  IoRequest request() const;
  // Digests the result of request().
  void advance(int result);
  // Ends the pump early with ECANCELED (unless it is already done).
  void abort_cancelled();
  // Leaves a regular dst positioned after the data and hands out the outcome; once, when done().
  Status finish();
  // Gives up the buffer without freeing it, for when the kernel may still write into it.
  void leak_buffer() { (void)buf_.release(); }

 private:
  enum class Step : uint8_t { kSplice, kRead, kWrite, kWaitIn, kWaitOut, kDone };

  void after_splice(int res);
  void after_read(int res);
  void after_write(int res);
  void after_wait(int res);
  void wait_then(Step wait, Step resume);
  void switch_to_buffer();
  void fail(const char* what, int err);

  int src_;
  int dst_;
  DstKind dst_kind_;
  int64_t offset_;
  Step step_ = Step::kSplice;
  Step resume_ = Step::kSplice;
  bool waited_in_ = false;  // the last splice EAGAIN was followed by a wait for input
  std::unique_ptr<char[]> buf_;
  size_t filled_ = 0;
  size_t written_ = 0;
  Status status_;
};

}  // namespace sbx::stream
