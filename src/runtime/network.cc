// pasta and the socket maker (see network.h). Both children first give up every host
// privilege they could carry: supplementary groups, then the caller's user namespace, for the
// sandbox's own (uid 0 there is the sandbox's unprivileged uid on the host).
#include "runtime/network.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include "util/msg.h"

namespace sbx {

namespace {

constexpr int kPastaStartMs = 10000;
constexpr const char* kTunDevice = "/dev/net/tun";
constexpr const char* kPastaPaths[] = {"/usr/bin/pasta", "/usr/local/bin/pasta", "/bin/pasta"};

// In a fresh child: join the sandbox's user namespace (no capability on the host is left) and
// take its root's uid (an unprivileged uid on the host); die with the parent. Returns false if
// any step fails.
bool become_sandbox_helper(pid_t parent, int userns) {
  (void)setgroups(0, nullptr);  // as root: drop the host's groups (rootless: EPERM, none held)
  if (setns(userns, CLONE_NEWUSER) != 0) return false;
  if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) return false;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) return false;
  return true;
}

Result<HelperProcess> fork_helper(pid_t* child) {
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
  if (pid < 0) return sys_error("fork a network helper");
  *child = pid;
  if (pid == 0) return HelperProcess();
  return HelperProcess(pid, UniqueFd(pidfd));
}

std::string find_pasta() {
  for (const char* p : kPastaPaths)
    if (access(p, X_OK) == 0) return p;
  return {};
}

// pasta opens /dev/net/tun inside the namespace with the sandbox's uid. Where the host's node
// is not open to everyone (0600 root without udev's rule), a root sbx gives pasta a private
// mount namespace whose /dev/net holds a 0666 node of the same device, seen by pasta alone.
bool tun_open_to_all() {
  struct stat st;
  return stat(kTunDevice, &st) == 0 && (st.st_mode & 0006) == 0006;
}

// In the child, as root, before it leaves the host's user namespace.
bool private_tun_node() {
  if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return false;
  if (mount("tmpfs", "/dev/net", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=16k") != 0)
    return false;
  return mknod(kTunDevice, S_IFCHR | 0600, makedev(10, 200)) == 0 && chmod(kTunDevice, 0666) == 0;
}

std::string read_tail(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty() && line.find("syslog") == std::string::npos) last = line;
  return last;
}

// Runs in the child: exec pasta with the namespace at fd 3 and the pid FIFO at fd 4.
[[noreturn]] void exec_pasta(const std::string& pasta, pid_t parent, int userns, int netns, int log,
                             int fifo, bool own_tun) {
  if (own_tun && !private_tun_node()) _exit(126);
  if (!become_sandbox_helper(parent, userns)) _exit(126);
  if (dup2(netns, 3) != 3 || dup2(fifo, 4) != 4 || dup2(log, 1) != 1 || dup2(log, 2) != 2)
    _exit(126);
  close_range(5, ~0U, 0);
  const char* argv[] = {pasta.c_str(),
                        "--foreground",
                        "--quiet",
                        "--netns",
                        "/proc/self/fd/3",
                        "--config-net",
                        "--no-map-gw",
                        "-t",
                        "none",
                        "-u",
                        "none",
                        "-T",
                        "none",
                        "-U",
                        "none",
                        "--pid",
                        "/proc/self/fd/4",
                        nullptr};
  execv(pasta.c_str(), const_cast<char* const*>(argv));
  _exit(127);
}

// Waits until pasta writes its pid into the FIFO (it is then set up) or exits (it failed).
Status await_pasta(HelperProcess& proc, int fifo, const std::string& log_path) {
  pollfd fds[2] = {{fifo, POLLIN, 0}, {proc.pidfd(), POLLIN, 0}};
  int n;
  while ((n = poll(fds, 2, kPastaStartMs)) < 0 && errno == EINTR) {
  }
  if (n > 0 && (fds[0].revents & POLLIN) != 0 && (fds[1].revents & POLLIN) == 0) return {};
  proc.stop();
  std::string why = n == 0 ? "it did not finish its setup in time" : read_tail(log_path);
  return Error(ErrorKind::kUnsupported,
               "network nat: pasta failed" + (why.empty() ? "" : ": " + why));
}

}  // namespace

HelperProcess::HelperProcess(HelperProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)) {}

HelperProcess& HelperProcess::operator=(HelperProcess&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::move(o.pidfd_);
  }
  return *this;
}

void HelperProcess::stop() {
  if (pid_ <= 0) return;
  syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

std::string nat_unavailable_reason() {
  if (find_pasta().empty()) return "network nat needs pasta (Debian package passt)";
  if (geteuid() != 0 && access(kTunDevice, R_OK | W_OK) != 0)
    return std::string("network nat: ") + kTunDevice +
           " is not usable by this user, so pasta cannot give the sandbox an interface";
  return {};
}

Result<HelperProcess> start_pasta(int userns, int netns, const std::string& log_path) {
  if (std::string why = nat_unavailable_reason(); !why.empty())
    return Error(ErrorKind::kUnsupported, why);
  std::string pasta = find_pasta();
  // pasta reports readiness by writing its pid file: a FIFO, which it reopens through the
  // child's descriptor (so with the sandbox's uid; the state directory keeps others out).
  std::string pidfile = log_path + ".pid";
  unlink(pidfile.c_str());
  if (mkfifo(pidfile.c_str(), 0600) != 0) return sys_error("mkfifo " + pidfile);
  UniqueFd fifo(open(pidfile.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  UniqueFd fifo_w(open(pidfile.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  UniqueFd log(open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  unlink(pidfile.c_str());
  if (!fifo || !fifo_w || !log) return sys_error("open " + log_path);
  if (fchmod(fifo_w.get(), 0666) != 0) return sys_error("chmod " + pidfile);
  bool own_tun = geteuid() == 0 && !tun_open_to_all();
  pid_t parent = getpid(), child = -1;
  SBX_ASSIGN_OR_RETURN(HelperProcess proc, fork_helper(&child));
  if (child == 0) exec_pasta(pasta, parent, userns, netns, log.get(), fifo_w.get(), own_tun);
  fifo_w.reset();
  SBX_TRY(await_pasta(proc, fifo.get(), log_path));
  return proc;
}

// Runs in the child: answers each request on chan with one socket made in the namespace.
[[noreturn]] void serve_sockets(pid_t parent, int userns, int netns, int chan) {
  if (!become_sandbox_helper(parent, userns) || setns(netns, CLONE_NEWNET) != 0) _exit(126);
  if (dup2(chan, 3) != 3) _exit(126);
  close_range(4, ~0U, 0);
  for (;;) {
    auto req = recv_message(3);
    if (!req.ok() || !req.value()) _exit(0);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    Status sent = s >= 0 ? send_message(3, {"socket"}, {s})
                         : send_message(3, {"error", std::to_string(errno)});
    if (s >= 0) close(s);
    if (!sent.ok()) _exit(0);
  }
}

Result<NetnsSocketMaker> NetnsSocketMaker::start(int userns, int netns) {
  SBX_ASSIGN_OR_RETURN(auto pair, make_seqpacket_pair());
  pid_t parent = getpid(), child = -1;
  SBX_ASSIGN_OR_RETURN(HelperProcess proc, fork_helper(&child));
  if (child == 0) serve_sockets(parent, userns, netns, pair.second.get());
  NetnsSocketMaker maker;
  maker.proc_ = std::move(proc);
  maker.chan_ = std::move(pair.first);
  return maker;
}

Result<UniqueFd> NetnsSocketMaker::tcp_socket() {
  SBX_TRY(send_message(chan_.get(), {"socket"}));
  SBX_ASSIGN_OR_RETURN(auto reply, recv_message(chan_.get()));
  if (!reply) return internal("the sandbox's socket helper is gone");
  if (reply->fds.size() != 1)
    return sys_error("socket in the sandbox's network", std::atoi(reply->at(1).c_str()));
  return std::move(reply->fds[0]);
}

}  // namespace sbx
