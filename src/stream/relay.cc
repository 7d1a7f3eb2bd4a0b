// relay(): the CLI's terminal <-> sandbox process plumbing, as pumps on an EventLoop.
// Not thread-safe (it changes the process's SIGPIPE disposition while it runs).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "stream/event_loop.h"
#include "util/fd.h"

namespace sbx {

namespace {

// The state of one relay() call; the pumps' callbacks share it, so it outlives an early return.
struct RelayRun {
  RelayRun(EventLoop& l, std::vector<RelayPair> p) : loop(l), pairs(std::move(p)) {}
  void start(const std::shared_ptr<RelayRun>& self);
  void end_pair(size_t i, Status status);

  EventLoop& loop;
  std::vector<RelayPair> pairs;
  std::vector<uint64_t> handles;
  std::vector<bool> awaited_pair;
  size_t running = 0;  // pairs whose pump has not finished
  size_t awaited = 0;  // of those, the ones relay() waits for
  std::optional<Error> first_error;
};

// When no pair is marked wait_for_eof, every pair is waited for.
void RelayRun::start(const std::shared_ptr<RelayRun>& self) {
  for (const RelayPair& p : pairs) awaited_pair.push_back(p.wait_for_eof);
  awaited = std::count(awaited_pair.begin(), awaited_pair.end(), true);
  if (awaited == 0) {
    awaited_pair.assign(pairs.size(), true);
    awaited = pairs.size();
  }
  running = pairs.size();
  for (size_t i = 0; i < pairs.size(); ++i) {
    handles.push_back(loop.pump(pairs[i].src, pairs[i].dst, [self, i](Status status) {
      self->end_pair(i, std::move(status));
    }));
  }
}

// Closes dst if asked, keeps the first real failure, and cancels the pairs not waited for once
// the last awaited pair has ended; stops the loop when every pump is done.
void RelayRun::end_pair(size_t i, Status status) {
  if (pairs[i].close_dst_at_eof) ::close(pairs[i].dst);
  int err = status.ok() ? 0 : status.error().sys_errno();
  if (!status.ok() && err != EPIPE && err != ECANCELED && !first_error) {
    first_error = std::move(status).error();
  }
  if (awaited_pair[i] && --awaited == 0) {
    for (uint64_t h : handles) loop.cancel(h);
  }
  if (--running == 0) loop.stop();
}

}  // namespace

Status relay(EventLoop& loop, const std::vector<RelayPair>& pairs) {
  if (pairs.empty()) return {};
  SigpipeIgnored sigpipe_ignored;
  auto run = std::make_shared<RelayRun>(loop, pairs);
  run->start(run);
  SBX_TRY(loop.run());
  if (run->first_error) return *run->first_error;
  return {};
}

Status relay(const std::vector<RelayPair>& pairs) {
  auto loop = EventLoop::create();
  return relay(*loop, pairs);
}

}  // namespace sbx
