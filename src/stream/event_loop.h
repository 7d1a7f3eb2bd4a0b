// The streaming core of sbx: a callback-driven event loop that watches fds, runs timers and pumps
// bytes from fd to fd, over io_uring from its first pump on (until then, and where io_uring is
// disabled, over poll(2)).
// Not thread-safe: create, run and destroy an EventLoop in one thread; never use it across fork().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sbx/error.h"

namespace sbx {

class EventLoop {
 public:
  using WatchFn = std::function<bool(int revents)>;
  using DoneFn = std::function<void(Status)>;
  using TimerFn = std::function<void()>;

  // The loop: it waits with poll(2) while it only watches fds and runs timers, and brings up an
  // io_uring of `entries` for its first pump, which runs there with everything after it
  // (stream/backend.h). Where io_uring is refused (ENOSYS, EPERM or EACCES:
  // kernel.io_uring_disabled, seccomp; ENOMEM: old kernels' RLIMIT_MEMLOCK accounting) it stays
  // on poll(2); any other failure to bring the ring up ends run() with that error.
  static std::unique_ptr<EventLoop> create(unsigned entries = 64);
  // The poll(2) loop, whatever the kernel offers (for tests and for forcing the fallback).
  static std::unique_ptr<EventLoop> create_poll_fallback();

  // Cancels what is in flight and waits (briefly) for the kernel to let go of the buffers; calls
  // no callbacks.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // "io_uring" or "poll": what runs the loop's requests now.
  const char* backend_name() const;

  // cb(revents) runs while fd is readable or hung up (POLLIN, POLLHUP, POLLERR; level-triggered,
  // like poll(2)); it returns true to keep watching. An invalid fd gets one POLLNVAL call.
  uint64_t watch(int fd, WatchFn cb);
  // Stops a watch at once; safe inside any callback, including the watch's own.
  void unwatch(uint64_t handle) { cancel(handle); }

  // Copies src to dst until EOF on src, then calls on_done(Status) once: an error if a read or
  // write fails (EPIPE when dst's reader is gone). Uses splice(2) where both ends allow it, else
  // a 64 KiB buffer. A regular dst is written from its current offset (O_APPEND: at its end) and
  // left positioned after the data. Blocking and non-blocking fds both work. The loop never
  // closes src or dst; close them after on_done. Like write(2), a dst pipe without reader raises
  // SIGPIPE: a process that pumps into pipes should ignore it (relay() does).
  uint64_t pump(int src, int dst, DoneFn on_done);

  // A one-shot timer: cb runs after ms milliseconds unless cancelled; equal deadlines run in the
  // order they were set.
  uint64_t after(int64_t ms, TimerFn cb);

  // Cancels any handle. A timer or watch then never calls back. A pump stops, and its on_done
  // runs later with an ECANCELED error once the kernel no longer uses its fds (closing them is
  // safe from then on). Unknown or finished handles are ignored.
  void cancel(uint64_t handle);

  // Runs callbacks until stop() or until no watch, pump or timer is left. Returns an error only
  // when the ring (or poll) itself fails. Not re-entrant: do not call run() from a callback.
  Status run();
  // Makes run() return once the callbacks of the current batch have run.
  void stop();

 private:
  struct Impl;
  explicit EventLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One stream for relay(): src is copied to dst until EOF on src.
struct RelayPair {
  int src;
  int dst;
  // Close dst when the pair ends (so the process reading a stdin pipe sees EOF).
  bool close_dst_at_eof = false;
  // False for a source that may never end (a terminal's stdin): relay() does not wait for it,
  // and cancels it once every waited-for pair has ended. When no pair is waited for, all are.
  bool wait_for_eof = true;
};

// Relays every pair concurrently until each waited-for src reaches EOF. A pair whose dst fails
// with EPIPE stops quietly; other failures are returned (the first one) after every pair ended.
// SIGPIPE is ignored while it runs. Uses its own loop (io_uring, else poll).
Status relay(const std::vector<RelayPair>& pairs);
// The same on a given loop; relay() stops that loop when the pairs are done.
Status relay(EventLoop& loop, const std::vector<RelayPair>& pairs);

}  // namespace sbx
