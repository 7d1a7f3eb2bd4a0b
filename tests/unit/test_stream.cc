// Unit tests of the streaming core (EventLoop, relay) on real pipes, files, socketpairs and a
// pseudo-terminal; every test runs on the io_uring loop (its ring brought up by a first pump)
// and on the poll(2) fallback.
// The tests start writer and reader threads; the loop itself stays on the test thread.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "stream/event_loop.h"
#include "util/fd.h"

namespace sbx {
namespace {

constexpr size_t k64MiB = size_t{64} << 20;

// How many io_uring instances this process holds.
int count_rings() {
  int rings = 0;
  for (int fd = 0; fd < 1024; ++fd) {
    char target[64] = {};
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
    if (std::string(target) == "anon_inode:[io_uring]") ++rings;
  }
  return rings;
}

// Moves one byte through a fresh loop: its first pump, which brings its io_uring up.
void bring_up_ring(EventLoop& loop);

// The poll(2) fallback, or a loop from create() whose ring is up (unless io_uring is refused
// here), so that watches and timers are tested on the ring too.
std::unique_ptr<EventLoop> make_loop(bool use_poll) {
  if (use_poll) return EventLoop::create_poll_fallback();
  auto loop = EventLoop::create();
  bring_up_ring(*loop);
  return loop;
}

// A deterministic byte stream: xorshift64*, eight bytes at a time.
class Pattern {
 public:
  explicit Pattern(uint64_t seed) : state_(seed | 1) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  void fill(char* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = next();
      std::memcpy(p + i, &v, std::min<size_t>(8, n - i));
    }
  }

 private:
  uint64_t state_;
};

// FNV-1a over a stream, fed in pieces.
struct Checksum {
  uint64_t value = 0xcbf29ce484222325ULL;
  size_t bytes = 0;
  void add(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i)
      value = (value ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
    bytes += n;
  }
  bool operator==(const Checksum& o) const { return value == o.value && bytes == o.bytes; }
};

// Writes `total` pattern bytes to fd in chunks of varying size, then closes fd.
std::thread start_writer(UniqueFd fd, size_t total, uint64_t seed, Checksum* sum) {
  return std::thread([fd = std::move(fd), total, seed, sum]() mutable {
    Pattern pattern(seed);
    std::vector<char> buf(256 << 10);
    size_t left = total;
    while (left > 0) {
      size_t n = std::min<size_t>(left, 1 + pattern.next() % buf.size());
      pattern.fill(buf.data(), n);
      if (!write_all(fd.get(), buf.data(), n).ok()) break;
      sum->add(buf.data(), n);
      left -= n;
    }
    fd.reset();
  });
}

// Reads fd until EOF (or until `limit` bytes), checksumming what arrives.
std::thread start_reader(int fd, Checksum* sum, size_t limit = SIZE_MAX) {
  return std::thread([fd, sum, limit] {
    std::vector<char> buf(64 << 10);
    while (sum->bytes < limit) {
      ssize_t n = ::read(fd, buf.data(), std::min(buf.size(), limit - sum->bytes));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sum->add(buf.data(), static_cast<size_t>(n));
    }
  });
}

Checksum checksum_file(int fd, off_t from) {
  Checksum sum;
  std::vector<char> buf(1 << 20);
  ssize_t n;
  while ((n = ::pread(fd, buf.data(), buf.size(), from)) > 0) {
    sum.add(buf.data(), static_cast<size_t>(n));
    from += n;
  }
  return sum;
}

// A temporary file, removed at the end of the test.
struct TempFile {
  explicit TempFile(int extra_flags = 0) {
    char tmpl[] = "/tmp/sbx-stream-test-XXXXXX";
    fd.reset(::mkostemp(tmpl, O_CLOEXEC | extra_flags));
    REQUIRE(fd.valid());
    path = tmpl;
  }
  ~TempFile() { ::unlink(path.c_str()); }
  off_t size() const {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }
  UniqueFd fd;
  std::string path;
};

Pipe pipe_or_die(int flags = 0) {
  auto p = make_pipe(flags);
  REQUIRE(p.ok());
  return std::move(p).value();
}

void set_nonblocking(int fd) {
  REQUIRE(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

// Runs a pump to completion; returns its status and how often on_done ran.
Status run_pump(EventLoop& loop, int src, int dst, int* done_calls) {
  Status result = internal("on_done never ran");
  loop.pump(src, dst, [&](Status st) {
    ++*done_calls;
    result = std::move(st);
  });
  Status ran = loop.run();
  REQUIRE(ran.ok());
  return result;
}

void bring_up_ring(EventLoop& loop) {
  Pipe in = pipe_or_die(), out = pipe_or_die();
  REQUIRE(write_all(in.write.get(), "x").ok());
  in.write.reset();
  int done_calls = 0;
  REQUIRE(run_pump(loop, in.read.get(), out.write.get(), &done_calls).ok());
  REQUIRE(done_calls == 1);
}

}  // namespace

TEST_CASE("pump copies 64 MiB from a pipe into a file at its offset, byte-exactly") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  TempFile file;
  const std::string header = "header written before the pump\n";
  REQUIRE(write_all(file.fd.get(), header).ok());
  Pipe pipe = pipe_or_die();
  Checksum sent;
  std::thread writer = start_writer(std::move(pipe.write), k64MiB, 1, &sent);

  int done_calls = 0;
  Status st = run_pump(*loop, pipe.read.get(), file.fd.get(), &done_calls);
  writer.join();

  REQUIRE(st.ok());
  CHECK(done_calls == 1);
  CHECK(file.size() == static_cast<off_t>(header.size() + k64MiB));
  CHECK(::lseek(file.fd.get(), 0, SEEK_CUR) == file.size());
  CHECK(checksum_file(file.fd.get(), static_cast<off_t>(header.size())) == sent);
}

TEST_CASE("pump falls back to read/write where splice is refused") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Checksum sent;
  int done_calls = 0;

  SECTION("into an O_APPEND file") {
    TempFile file(O_APPEND);
    Pipe pipe = pipe_or_die();
    std::thread writer = start_writer(std::move(pipe.write), 8 << 20, 2, &sent);
    Status st = run_pump(*loop, pipe.read.get(), file.fd.get(), &done_calls);
    writer.join();
    REQUIRE(st.ok());
    CHECK(checksum_file(file.fd.get(), 0) == sent);
  }
  SECTION("from a socket into a file") {
    TempFile file;
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    UniqueFd reader(sv[0]);
    std::thread writer = start_writer(UniqueFd(sv[1]), 8 << 20, 3, &sent);
    Status st = run_pump(*loop, reader.get(), file.fd.get(), &done_calls);
    writer.join();
    REQUIRE(st.ok());
    CHECK(checksum_file(file.fd.get(), 0) == sent);
  }
  CHECK(done_calls == 1);
}

TEST_CASE("pump between non-blocking pipes waits out EAGAIN on both sides") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Pipe in = pipe_or_die();
  Pipe out = pipe_or_die();
  set_nonblocking(in.read.get());
  set_nonblocking(out.write.get());
  Checksum sent, received;
  std::thread writer = start_writer(std::move(in.write), 16 << 20, 4, &sent);
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let dst fill up first
    start_reader(out.read.get(), &received).join();
  });

  int done_calls = 0;
  Status st = run_pump(*loop, in.read.get(), out.write.get(), &done_calls);
  out.write.reset();
  writer.join();
  reader.join();
  REQUIRE(st.ok());
  CHECK(done_calls == 1);
  CHECK(received == sent);
}

TEST_CASE("pump into a pseudo-terminal") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
    WARN("no pseudo-terminal available; skipped");
    return;
  }
  UniqueFd slave(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
  REQUIRE(slave.valid());
  termios raw{};
  REQUIRE(::tcgetattr(slave.get(), &raw) == 0);
  ::cfmakeraw(&raw);
  REQUIRE(::tcsetattr(slave.get(), TCSANOW, &raw) == 0);
  constexpr size_t kBytes = 1 << 20;
  Pipe pipe = pipe_or_die();
  Checksum sent, received;
  std::thread writer = start_writer(std::move(pipe.write), kBytes, 5, &sent);
  std::thread reader = start_reader(master.get(), &received, kBytes);

  int done_calls = 0;
  Status st = run_pump(*loop, pipe.read.get(), slave.get(), &done_calls);
  writer.join();
  reader.join();
  REQUIRE(st.ok());
  CHECK(received == sent);
}

TEST_CASE("pump into a pipe whose reader is gone reports EPIPE") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  ::signal(SIGPIPE, SIG_IGN);
  Pipe in = pipe_or_die();
  Pipe out = pipe_or_die();
  REQUIRE(write_all(in.write.get(), "some data\n").ok());
  in.write.reset();
  out.read.reset();

  int done_calls = 0;
  Status st = run_pump(*loop, in.read.get(), out.write.get(), &done_calls);
  CHECK(done_calls == 1);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().sys_errno() == EPIPE);
}

TEST_CASE("live: each burst reaches the file before the next one is written") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  TempFile file;
  Pipe pipe = pipe_or_die();
  const std::string first = "first line\n", second = "second line\n";
  std::atomic<bool> first_seen{false}, writes_ok{false};
  // Catch2 assertions are for the test thread only: the writer reports through atomics.
  std::thread writer([&, fd = std::move(pipe.write)]() mutable {
    if (!write_all(fd.get(), first).ok()) return;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!first_seen && std::chrono::steady_clock::now() < deadline) {
      first_seen = file.size() >= static_cast<off_t>(first.size());
      if (!first_seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    writes_ok = write_all(fd.get(), second).ok();
  });

  int done_calls = 0;
  Status st = run_pump(*loop, pipe.read.get(), file.fd.get(), &done_calls);
  writer.join();
  REQUIRE(st.ok());
  CHECK(writes_ok);
  CHECK(first_seen);
  std::string content(first.size() + second.size(), '\0');
  CHECK(::pread(file.fd.get(), content.data(), content.size(), 0) ==
        static_cast<ssize_t>(content.size()));
  CHECK(content == first + second);
}

TEST_CASE("watch fires for data and for hangup; unwatch inside the callback stops it") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Pipe pipe = pipe_or_die();
  REQUIRE(write_all(pipe.write.get(), "x").ok());
  std::vector<int> seen;
  uint64_t handle = 0;
  handle = loop->watch(pipe.read.get(), [&](int revents) {
    seen.push_back(revents);
    if (seen.size() == 1) {
      char c;
      CHECK(::read(pipe.read.get(), &c, 1) == 1);
      pipe.write.reset();  // the next event is the hangup
    } else {
      loop->unwatch(handle);
    }
    return true;  // keep watching, yet unwatch() above wins
  });
  REQUIRE(loop->run().ok());  // returns because the only work was unwatched
  REQUIRE(seen.size() == 2);
  CHECK((seen[0] & POLLIN) != 0);
  CHECK((seen[1] & POLLHUP) != 0);
}

TEST_CASE("watch is level-triggered and ends when the callback returns false") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Pipe pipe = pipe_or_die();
  REQUIRE(write_all(pipe.write.get(), "unread").ok());
  int calls = 0;
  loop->watch(pipe.read.get(), [&](int revents) {
    CHECK((revents & POLLIN) != 0);
    return ++calls < 3;
  });
  REQUIRE(loop->run().ok());
  CHECK(calls == 3);
}

TEST_CASE("watch on a closed fd reports POLLNVAL once") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  int closed_fd;
  {
    Pipe pipe = pipe_or_die();
    closed_fd = pipe.read.get();
  }
  std::vector<int> seen;
  loop->watch(closed_fd, [&](int revents) {
    seen.push_back(revents);
    return true;
  });
  REQUIRE(loop->run().ok());
  REQUIRE(seen.size() == 1);
  CHECK((seen[0] & POLLNVAL) != 0);
}

TEST_CASE("after() fires in deadline order and cancel() prevents firing") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  std::vector<int> order;
  loop->after(30, [&] { order.push_back(4); });
  loop->after(10, [&] { order.push_back(1); });
  loop->after(20, [&] { order.push_back(3); });
  loop->after(10, [&] { order.push_back(2); });  // same deadline: after the first one
  uint64_t cancelled = loop->after(15, [&] { order.push_back(-1); });
  loop->cancel(cancelled);
  uint64_t cancelled_later = loop->after(25, [&] { order.push_back(-2); });
  loop->after(5, [&] { loop->cancel(cancelled_later); });

  auto start = std::chrono::steady_clock::now();
  REQUIRE(loop->run().ok());
  CHECK(order == std::vector<int>{1, 2, 3, 4});
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(30));
}

TEST_CASE("run() returns when no work is left, and stop() ends it early") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  REQUIRE(loop->run().ok());  // nothing at all

  Pipe pipe = pipe_or_die();
  int calls = 0;
  uint64_t w = loop->watch(pipe.read.get(), [&](int) { return ++calls > 0; });
  loop->after(10, [&] { loop->stop(); });
  REQUIRE(loop->run().ok());  // the idle watch alone would keep it running
  CHECK(calls == 0);
  loop->unwatch(w);
  REQUIRE(loop->run().ok());
}

TEST_CASE("callbacks add and cancel work while the loop runs") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  TempFile file;
  Pipe data = pipe_or_die();
  Pipe idle = pipe_or_die();  // its writer stays open: a pump from it never ends by itself
  REQUIRE(write_all(data.write.get(), "payload").ok());
  data.write.reset();

  std::vector<std::string> events;
  uint64_t idle_pump = loop->pump(idle.read.get(), file.fd.get(), [&](const Status& st) {
    events.push_back(st.ok() ? "idle ok"
                             : "idle " + std::string(std::strerror(st.error().sys_errno())));
  });
  uint64_t w = 0;
  w = loop->watch(data.read.get(), [&](int) {
    loop->unwatch(w);
    loop->cancel(idle_pump);
    loop->pump(data.read.get(), file.fd.get(), [&](const Status& st) {
      events.push_back(st.ok() ? "data ok" : "data failed");
      loop->after(0, [&] { events.push_back("timer"); });
    });
    return true;
  });
  REQUIRE(loop->run().ok());
  REQUIRE(events.size() == 3);
  CHECK(events[0] == "idle " + std::string(std::strerror(ECANCELED)));
  CHECK(events[1] == "data ok");
  CHECK(events[2] == "timer");
  CHECK(file.size() == 7);
}

TEST_CASE("a loop destroyed with requests in flight neither hangs nor crashes") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  TempFile file;
  Pipe idle = pipe_or_die();
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd a(sv[0]), b(sv[1]);
  bool done = false;
  loop->pump(idle.read.get(), file.fd.get(),
             [&](const Status&) { done = true; });                          // splice pending
  loop->pump(a.get(), file.fd.get(), [&](const Status&) { done = true; });  // buffered read pending
  loop->watch(idle.read.get(), [](int) { return true; });
  loop->after(20, [&] { loop->stop(); });
  REQUIRE(loop->run().ok());
  auto start = std::chrono::steady_clock::now();
  loop.reset();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK_FALSE(done);
}

TEST_CASE("relay copies streams concurrently and closes dst when asked") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Pipe in1 = pipe_or_die(), in2 = pipe_or_die(), out1 = pipe_or_die();
  TempFile file;
  Checksum sent1, sent2, received1;
  std::thread w1 = start_writer(std::move(in1.write), 8 << 20, 6, &sent1);
  std::thread w2 = start_writer(std::move(in2.write), 8 << 20, 7, &sent2);
  std::thread r1 = start_reader(out1.read.get(), &received1);  // ends only if dst is closed

  Status st = relay(*loop, {{in1.read.get(), out1.write.release(), true},
                            {in2.read.get(), file.fd.get(), false}});
  w1.join();
  w2.join();
  r1.join();
  REQUIRE(st.ok());
  CHECK(received1 == sent1);
  CHECK(checksum_file(file.fd.get(), 0) == sent2);
  CHECK(::fcntl(file.fd.get(), F_GETFD) >= 0);  // not closed: close_dst_at_eof was false
}

TEST_CASE("relay stops an EPIPE pair quietly and cancels pairs it does not wait for") {
  bool use_poll = GENERATE(false, true);
  auto loop = make_loop(use_poll);
  CAPTURE(loop->backend_name());
  Pipe broken_in = pipe_or_die(), broken_out = pipe_or_die();
  REQUIRE(write_all(broken_in.write.get(), "lost").ok());
  broken_in.write.reset();
  broken_out.read.reset();
  Pipe stdin_like = pipe_or_die(), child_stdin = pipe_or_die();  // never written, never closed
  Pipe output = pipe_or_die();
  REQUIRE(write_all(output.write.get(), "output").ok());
  output.write.reset();
  TempFile file;

  Status st = relay(*loop, {{broken_in.read.get(), broken_out.write.get(), false},
                            {stdin_like.read.get(), child_stdin.write.release(), true, false},
                            {output.read.get(), file.fd.get(), false}});
  REQUIRE(st.ok());
  CHECK(file.size() == 6);
  // EOF: relay closed the write end. Bounded, so that a regression fails instead of hanging
  // (once, under load, the cancelled pair's dst stayed referenced after relay() returned).
  pollfd pfd{child_stdin.read.get(), POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 10000) == 1);
  char c;
  CHECK(::read(child_stdin.read.get(), &c, 1) == 0);
}

TEST_CASE("relay() on its own loop") {
  Pipe in = pipe_or_die(), out = pipe_or_die();
  REQUIRE(write_all(in.write.get(), "hello").ok());
  in.write.reset();
  REQUIRE(relay({{in.read.get(), out.write.release(), true}}).ok());
  char buf[16];
  CHECK(::read(out.read.get(), buf, sizeof buf) == 5);
  CHECK(::read(out.read.get(), buf, sizeof buf) == 0);
}

namespace {

// In a child whose seccomp filter refuses io_uring_setup with err: create() must still give a
// working loop. Exit status 0 on success.
[[noreturn]] void check_fallback_in_child(int err) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | static_cast<unsigned>(err)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(10);
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) ::_exit(11);
  auto loop = EventLoop::create();
  auto in = make_pipe(), out = make_pipe();
  if (!in.ok() || !out.ok() || !write_all(in->write.get(), "ok").ok()) ::_exit(13);
  in->write.reset();
  if (!relay(*loop, {{in->read.get(), out->write.release(), true}}).ok()) ::_exit(14);
  if (std::string(loop->backend_name()) != "poll") ::_exit(12);  // the pump tried the ring
  char buf[4];
  ::_exit(::read(out->read.get(), buf, sizeof buf) == 2 ? 0 : 15);
}

}  // namespace

TEST_CASE("create() falls back to poll(2) when io_uring is refused") {
  int err = GENERATE(ENOSYS, EPERM);
  CAPTURE(err);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) check_fallback_in_child(err);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the io_uring ring fd is close-on-exec") {
  auto loop = make_loop(false);
  if (std::string(loop->backend_name()) != "io_uring") {
    WARN("io_uring unavailable; the poll fallback is in use");
    return;
  }
  int rings = 0;
  for (int fd = 0; fd < 1024; ++fd) {
    char target[64] = {};
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
    if (std::string(target) != "anon_inode:[io_uring]") continue;
    ++rings;
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }
  CHECK(rings >= 1);
}

TEST_CASE("a loop holds no io_uring until its first pump, which takes over its watches") {
  int rings_before = count_rings();
  auto loop = EventLoop::create();
  Pipe watched = pipe_or_die(), dropped = pipe_or_die();
  std::vector<int> seen;
  uint64_t guard = loop->after(10'000, [&] { loop->stop(); });  // a lost watch fails, not hangs
  loop->watch(watched.read.get(), [&](int revents) {
    seen.push_back(revents);
    loop->cancel(guard);
    return false;
  });
  bool dropped_fired = false;
  uint64_t gone = loop->watch(dropped.read.get(), [&](int) { return dropped_fired = true; });
  loop->unwatch(gone);  // cancelled while queued on poll(2): must not come back on the ring
  bool timer_fired = false;
  loop->after(0, [&] { timer_fired = true; });
  CHECK(std::string(loop->backend_name()) == "poll");
  CHECK(count_rings() == rings_before);

  Pipe in = pipe_or_die(), out = pipe_or_die();
  REQUIRE(write_all(in.write.get(), "pumped").ok());
  in.write.reset();
  int done_calls = 0;
  Status pumped = internal("on_done never ran");
  loop->pump(in.read.get(), out.write.get(), [&](Status st) {
    ++done_calls;
    pumped = std::move(st);
    REQUIRE(write_all(watched.write.get(), "w").ok());  // the watch fires on the ring
  });
  REQUIRE(write_all(dropped.write.get(), "d").ok());
  if (std::string(loop->backend_name()) != "io_uring") {
    WARN("io_uring unavailable; the poll fallback is in use");
  } else {
    CHECK(count_rings() == rings_before + 1);
  }
  REQUIRE(loop->run().ok());
  CHECK(done_calls == 1);
  CHECK(pumped.ok());
  REQUIRE(seen.size() == 1);
  CHECK((seen[0] & POLLIN) != 0);
  CHECK_FALSE(dropped_fired);
  CHECK(timer_fired);
  char buf[16];
  CHECK(::read(out.read.get(), buf, sizeof buf) == 6);
}

}  // namespace sbx
