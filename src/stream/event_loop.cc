// EventLoop: the bookkeeping of watches, pumps and timers over a Backend. Completions are matched
// to their owner by id, never by pointer, so late completions of cancelled work are harmless.
// Not thread-safe.
#include "stream/event_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "stream/backend.h"
#include "stream/pump.h"

namespace sbx {

using stream::Backend;
using stream::Completion;
using stream::IoRequest;
using stream::PumpState;

namespace {

constexpr int64_t kDrainTimeoutNs = 1'000'000'000;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What dst is, and the offset a pump writes a regular, non-append dst at (else -1).
std::pair<stream::DstKind, int64_t> describe_dst(int dst) {
  struct stat st {};
  if (::fstat(dst, &st) != 0) return {stream::DstKind::kOther, -1};
  if (S_ISFIFO(st.st_mode)) return {stream::DstKind::kPipe, -1};
  if (!S_ISREG(st.st_mode)) return {stream::DstKind::kOther, -1};
  int flags = ::fcntl(dst, F_GETFL);
  if (flags < 0 || (flags & O_APPEND) != 0) return {stream::DstKind::kFile, -1};
  return {stream::DstKind::kFile, ::lseek(dst, 0, SEEK_CUR)};
}

struct Watch {
  int fd;
  EventLoop::WatchFn cb;
  bool in_flight = false;
  bool cancelled = false;
};

struct Pump {
  PumpState state;
  EventLoop::DoneFn on_done;
  bool in_flight = false;
  bool cancelled = false;
};

}  // namespace

struct EventLoop::Impl {
  explicit Impl(std::unique_ptr<Backend> b) : backend(std::move(b)) {}
  ~Impl() { drain(); }

  uint64_t watch(int fd, WatchFn cb);
  uint64_t pump(int src, int dst, DoneFn on_done);
  uint64_t after(int64_t ms, TimerFn cb);
  void cancel(uint64_t id);
  Status run();

  void submit(uint64_t id, const IoRequest& req, bool& in_flight_flag);
  void arm_watch(uint64_t id, Watch& w);
  void dispatch(const Completion& c);
  void on_watch(std::unordered_map<uint64_t, Watch>::iterator it, int result);
  void on_pump(std::unordered_map<uint64_t, Pump>::iterator it, int result);
  void finish_pump(uint64_t id);
  void fire_due_timers();
  int64_t next_timeout_ns() const;
  bool has_work() const { return active > 0 || !timers.empty(); }
  void drain();

  std::unique_ptr<Backend> backend;
  std::unordered_map<uint64_t, Watch> watches;
  std::unordered_map<uint64_t, Pump> pumps;
  std::map<std::pair<int64_t, uint64_t>, TimerFn> timers;  // (deadline, id) -> callback
  std::unordered_map<uint64_t, int64_t> timer_deadlines;
  std::vector<Completion> completions;
  size_t active = 0;     // watches not unwatched, pumps whose on_done has not run
  size_t in_flight = 0;  // requests whose completion has not arrived
  uint64_t next_id = 1;
  bool stop_requested = false;
  std::optional<Error> ring_error;
};

void EventLoop::Impl::submit(uint64_t id, const IoRequest& req, bool& in_flight_flag) {
  Status st = backend->submit(id, req);
  if (!st.ok()) {
    if (!ring_error) ring_error = std::move(st).error();
    return;
  }
  in_flight_flag = true;
  ++in_flight;
}

void EventLoop::Impl::arm_watch(uint64_t id, Watch& w) {
  IoRequest req;
  req.fd = w.fd;
  req.events = POLLIN;
  submit(id, req, w.in_flight);
}

uint64_t EventLoop::Impl::watch(int fd, WatchFn cb) {
  uint64_t id = next_id++;
  Watch& w = watches.emplace(id, Watch{fd, std::move(cb)}).first->second;
  ++active;
  arm_watch(id, w);
  return id;
}

uint64_t EventLoop::Impl::pump(int src, int dst, DoneFn on_done) {
  uint64_t id = next_id++;
  auto [kind, offset] = describe_dst(dst);
  Pump& p =
      pumps.emplace(id, Pump{PumpState(src, dst, kind, offset), std::move(on_done)}).first->second;
  ++active;
  submit(id, p.state.request(), p.in_flight);
  return id;
}

uint64_t EventLoop::Impl::after(int64_t ms, TimerFn cb) {
  uint64_t id = next_id++;
  int64_t deadline = now_ns() + std::max<int64_t>(ms, 0) * 1'000'000;
  timers.emplace(std::make_pair(deadline, id), std::move(cb));
  timer_deadlines.emplace(id, deadline);
  return id;
}

void EventLoop::Impl::cancel(uint64_t id) {
  if (auto t = timer_deadlines.find(id); t != timer_deadlines.end()) {
    timers.erase({t->second, id});
    timer_deadlines.erase(t);
  } else if (auto w = watches.find(id); w != watches.end() && !w->second.cancelled) {
    w->second.cancelled = true;
    --active;
    if (!w->second.in_flight) {
      watches.erase(w);
    } else if (Status st = backend->cancel(id); !st.ok() && !ring_error) {
      ring_error = std::move(st).error();
    }
  } else if (auto p = pumps.find(id); p != pumps.end() && !p->second.cancelled) {
    p->second.cancelled = true;  // on_done follows with the request's completion
    if (Status st = backend->cancel(id); !st.ok() && !ring_error)
      ring_error = std::move(st).error();
  }
}

void EventLoop::Impl::dispatch(const Completion& c) {
  if (auto p = pumps.find(c.id); p != pumps.end()) return on_pump(p, c.result);
  if (auto w = watches.find(c.id); w != watches.end()) return on_watch(w, c.result);
  // Otherwise the owner is gone: nothing to do.
}

// Runs the callback outside the map (it may unwatch itself or add watches), then re-arms.
void EventLoop::Impl::on_watch(std::unordered_map<uint64_t, Watch>::iterator it, int result) {
  uint64_t id = it->first;
  it->second.in_flight = false;
  --in_flight;
  if (it->second.cancelled) {
    watches.erase(it);
    return;
  }
  int revents = result >= 0 ? result : (result == -EBADF ? POLLNVAL : POLLERR);
  WatchFn cb = std::move(it->second.cb);
  bool keep = cb(revents) && (revents & POLLNVAL) == 0;
  it = watches.find(id);
  if (it == watches.end() || it->second.cancelled) return;
  if (!keep) {
    watches.erase(it);
    --active;
    return;
  }
  it->second.cb = std::move(cb);
  arm_watch(id, it->second);
}

void EventLoop::Impl::on_pump(std::unordered_map<uint64_t, Pump>::iterator it, int result) {
  uint64_t id = it->first;
  Pump& p = it->second;
  p.in_flight = false;
  --in_flight;
  if (!p.cancelled) {
    p.state.advance(result);
  } else {
    if (result > 0) p.state.advance(result);  // count what moved; a failure is the cancel's doing
    p.state.abort_cancelled();
  }
  if (p.state.done()) return finish_pump(id);
  submit(id, p.state.request(), p.in_flight);
}

// Removes the pump before calling on_done, so that on_done may start or cancel anything.
void EventLoop::Impl::finish_pump(uint64_t id) {
  auto it = pumps.find(id);
  Status status = it->second.state.finish();
  DoneFn on_done = std::move(it->second.on_done);
  pumps.erase(it);
  --active;
  if (on_done) on_done(std::move(status));
}

void EventLoop::Impl::fire_due_timers() {
  int64_t now = now_ns();
  while (!timers.empty() && !stop_requested) {
    auto first = timers.begin();
    if (first->first.first > now) return;
    TimerFn cb = std::move(first->second);
    timer_deadlines.erase(first->first.second);
    timers.erase(first);
    cb();
  }
}

int64_t EventLoop::Impl::next_timeout_ns() const {
  if (timers.empty()) return -1;
  return std::max<int64_t>(timers.begin()->first.first - now_ns(), 0);
}

Status EventLoop::Impl::run() {
  while (!stop_requested && !ring_error && has_work()) {
    completions.clear();
    SBX_TRY(backend->wait(next_timeout_ns(), completions));
    for (const Completion& c : completions) dispatch(c);
    fire_due_timers();
  }
  stop_requested = false;
  if (ring_error) return *ring_error;
  return {};
}

// Cancels every request in flight and collects the completions, so the kernel no longer writes
// into pump buffers once they are freed. Buffers of requests that outlive the wait are leaked.
void EventLoop::Impl::drain() {
  for (auto& [id, w] : watches) {
    if (w.in_flight) (void)backend->cancel(id);
  }
  for (auto& [id, p] : pumps) {
    if (p.in_flight) (void)backend->cancel(id);
  }
  int64_t deadline = now_ns() + kDrainTimeoutNs;
  while (in_flight > 0 && now_ns() < deadline) {
    completions.clear();
    if (!backend->wait(deadline - now_ns(), completions).ok()) break;
    for (const Completion& c : completions) {
      bool known = watches.erase(c.id) + pumps.erase(c.id) > 0;
      if (known) --in_flight;
    }
  }
  for (auto& [id, p] : pumps) {
    if (p.in_flight) p.state.leak_buffer();
  }
}

EventLoop::EventLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventLoop::~EventLoop() = default;

std::unique_ptr<EventLoop> EventLoop::create(unsigned entries) {
  auto impl = std::make_unique<Impl>(stream::make_poll_backend(entries));
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(impl)));
}

std::unique_ptr<EventLoop> EventLoop::create_poll_fallback() {
  auto impl = std::make_unique<Impl>(stream::make_poll_backend());
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(impl)));
}

const char* EventLoop::backend_name() const { return impl_->backend->name(); }
uint64_t EventLoop::watch(int fd, WatchFn cb) { return impl_->watch(fd, std::move(cb)); }
uint64_t EventLoop::pump(int src, int dst, DoneFn on_done) {
  return impl_->pump(src, dst, std::move(on_done));
}
uint64_t EventLoop::after(int64_t ms, TimerFn cb) { return impl_->after(ms, std::move(cb)); }
void EventLoop::cancel(uint64_t handle) { impl_->cancel(handle); }
Status EventLoop::run() { return impl_->run(); }
void EventLoop::stop() { impl_->stop_requested = true; }

}  // namespace sbx
