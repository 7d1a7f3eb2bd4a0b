// The cgroup v2 backend: the sandbox's group is a child of the group sbx runs in, which must be
// writable with the memory, pids and cpu controllers enabled for its children (the root as
// real root, or a subtree delegated to the user, e.g. by systemd's Delegate=yes). The child
// starts inside it (clone3's CLONE_INTO_CGROUP). Host side only.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmath>

#include "runtime/limits.h"
#include "util/fd.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace sbx {

namespace {

constexpr const char* kMount = "/sys/fs/cgroup";
constexpr const char* kNeeded[] = {"memory", "pids", "cpu"};
constexpr int64_t kCpuPeriodUs = 100000;

// The directory of sbx's own group, when /sys/fs/cgroup is a v2 (unified) mount.
std::string own_group() {
  struct statfs fs;
  if (statfs(kMount, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) return {};
  std::string text = cgroup::read_text("/proc/self/cgroup");
  size_t at = text.find("0::");
  if (at == std::string::npos || (at != 0 && text[at - 1] != '\n')) return {};
  size_t end = text.find('\n', at);
  std::string path = text.substr(at + 3, end == std::string::npos ? end : end - at - 3);
  return std::string(kMount) + (path == "/" ? "" : path);
}

bool has_word(const std::string& text, const std::string& word) {
  size_t at = 0;
  while ((at = text.find(word, at)) != std::string::npos) {
    bool starts = at == 0 || text[at - 1] == ' ' || text[at - 1] == '+';
    size_t after = at + word.size();
    if (starts && (after == text.size() || text[after] == ' ' || text[after] == '\n')) return true;
    at = after;
  }
  return false;
}

// The controllers are enabled for our group's children (trying once to enable them).
bool controllers_enabled(const std::string& dir) {
  auto all = [&] {
    std::string on = cgroup::read_text(dir + "/cgroup.subtree_control");
    for (const char* c : kNeeded)
      if (!has_word(on, c)) return false;
    return true;
  };
  if (all()) return true;
  (void)cgroup::write_text(dir + "/cgroup.subtree_control", "+memory +pids +cpu");
  return all();  // refused (EBUSY) while our own group holds processes: not usable
}

class Cgroup2 : public LimitsBackend {
 public:
  ~Cgroup2() override { remove(); }
  LimitsKind kind() const override { return LimitsKind::kCgroup2; }

  Status create(const std::string& parent, const std::string& name, const ResourceLimits& l);
  int clone_into_fd() const override { return dirfd_.get(); }
  int oom_fd() const override { return events_watch_.get(); }
  int64_t oom_kills() const override {
    return cgroup::keyed_value(cgroup::read_text(dir_ + "/memory.events"), "oom_kill").value_or(0);
  }
  Usage usage() const override;
  void remove() override;

 private:
  Status write_limits(const ResourceLimits& l);

  std::string dir_;
  UniqueFd dirfd_;
  UniqueFd events_watch_;  // inotify on memory.events: the kernel touches it on OOM
};

Status Cgroup2::create(const std::string& parent, const std::string& name,
                       const ResourceLimits& l) {
  std::string dir = parent + "/" + name;
  if (mkdir(dir.c_str(), 0755) != 0) return sys_error("mkdir " + dir);
  dir_ = dir;
  SBX_TRY(write_limits(l));
  dirfd_.reset(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd_) return sys_error("open " + dir_);
  events_watch_.reset(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (events_watch_ &&
      inotify_add_watch(events_watch_.get(), (dir_ + "/memory.events").c_str(), IN_MODIFY) < 0)
    events_watch_.reset();
  return {};
}

Status Cgroup2::write_limits(const ResourceLimits& l) {
  if (l.memory_bytes > 0) {
    SBX_TRY(cgroup::write_text(dir_ + "/memory.max", std::to_string(l.memory_bytes)));
    std::string swap = dir_ + "/memory.swap.max";
    if (access(swap.c_str(), F_OK) == 0) SBX_TRY(cgroup::write_text(swap, "0"));
  }
  if (l.cpus > 0) {
    auto quota = static_cast<int64_t>(std::llround(l.cpus * kCpuPeriodUs));
    SBX_TRY(cgroup::write_text(dir_ + "/cpu.max",
                               std::to_string(quota) + " " + std::to_string(kCpuPeriodUs)));
  }
  if (l.pids > 0) SBX_TRY(cgroup::write_text(dir_ + "/pids.max", std::to_string(l.pids)));
  return {};
}

Usage Cgroup2::usage() const {
  Usage u;
  std::string peak = cgroup::read_text(dir_ + "/memory.peak");  // Linux 5.19+
  if (!peak.empty()) u.peak_memory = std::strtoll(peak.c_str(), nullptr, 10);
  if (auto us = cgroup::keyed_value(cgroup::read_text(dir_ + "/cpu.stat"), "usage_usec"))
    u.cpu_seconds = double(*us) / 1e6;
  return u;
}

void Cgroup2::remove() {
  if (dir_.empty()) return;
  events_watch_.reset();
  dirfd_.reset();
  (void)cgroup::write_text(dir_ + "/cgroup.kill", "1");  // Linux 5.14+
  cgroup::remove_dir(dir_);
  dir_.clear();
}

}  // namespace

bool cgroup2_usable() {
  std::string own = own_group();
  return !own.empty() && access(own.c_str(), W_OK) == 0 && controllers_enabled(own);
}

Result<std::unique_ptr<LimitsBackend>> make_cgroup2(const std::string& name,
                                                    const ResourceLimits& limits) {
  auto cg = std::make_unique<Cgroup2>();
  if (Status s = cg->create(own_group(), name, limits); !s.ok())
    return std::move(s).error().context("set up the sandbox's cgroup (v2)");
  return std::unique_ptr<LimitsBackend>(std::move(cg));
}

void remove_stale_cgroup2(const std::string& name) {
  std::string own = own_group();
  if (own.empty()) return;
  (void)cgroup::write_text(own + "/" + name + "/cgroup.kill", "1");
  cgroup::remove_dir(own + "/" + name);
}

}  // namespace sbx
