// The cgroup v1 backend: one group per controller (memory, cpu, cpuacct, pids), each nested
// under the group sbx itself runs in, as /proc/self/cgroup and /proc/self/mountinfo say.
// Usable where sbx may write those groups (in practice: as root). Host side only.
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "runtime/limits.h"
#include "util/fd.h"

namespace sbx {

namespace {

constexpr const char* kControllers[] = {"memory", "cpu", "cpuacct", "pids"};
constexpr int64_t kCfsPeriodUs = 100000;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

// controller -> the directory of the group sbx runs in, for every mounted v1 controller.
std::map<std::string, std::string> own_groups() {
  std::map<std::string, std::string> path_of;  // controller -> our path in its hierarchy
  for (const auto& line : split(cgroup::read_text("/proc/self/cgroup"), '\n')) {
    auto f = split(line, ':');
    if (f.size() < 3 || f[1].empty()) continue;
    std::string path = line.substr(line.find(':', line.find(':') + 1) + 1);
    for (const auto& c : split(f[1], ',')) path_of[c] = path;
  }
  std::map<std::string, std::string> dirs;
  for (const auto& line : split(cgroup::read_text("/proc/self/mountinfo"), '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto left = split(line.substr(0, dash), ' ');
    auto right = split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3 || right[0] != "cgroup") continue;
    const std::string& root = left[3];
    const std::string& mountpoint = left[4];
    for (const auto& c : split(right[2], ',')) {
      auto it = path_of.find(c);
      if (it == path_of.end()) continue;
      std::string rel = it->second;
      if (root != "/" && rel.compare(0, root.size(), root) == 0) rel = rel.substr(root.size());
      dirs[c] = mountpoint + (rel == "/" ? "" : rel);
    }
  }
  return dirs;
}

class Cgroup1 : public LimitsBackend {
 public:
  ~Cgroup1() override { remove(); }
  LimitsKind kind() const override { return LimitsKind::kCgroup1; }

  Status create(const std::string& name, const ResourceLimits& l);
  Status attach(pid_t pid) override;
  int oom_fd() const override { return oom_event_.get(); }
  int64_t oom_kills() const override;
  Usage usage() const override;
  void remove() override;

 private:
  std::string file(const char* controller, const std::string& name) const {
    return groups_.at(controller) + "/" + name;
  }
  Status write_limits(const ResourceLimits& l);
  void watch_oom();

  std::map<std::string, std::string> groups_;  // controller -> the sandbox's group
  std::vector<std::string> made_;              // distinct directories made, in order
  UniqueFd oom_event_;
};

Status Cgroup1::create(const std::string& name, const ResourceLimits& l) {
  auto own = own_groups();
  for (const char* c : kControllers) {
    auto it = own.find(c);
    if (it == own.end()) return Error(ErrorKind::kUnsupported, std::string("no cgroup v1 ") + c);
    std::string dir = it->second + "/" + name;
    groups_[c] = dir;
    if (std::find(made_.begin(), made_.end(), dir) != made_.end()) continue;  // co-mounted
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return sys_error("mkdir " + dir);
    made_.push_back(dir);
  }
  SBX_TRY(write_limits(l));
  watch_oom();
  return {};
}

Status Cgroup1::write_limits(const ResourceLimits& l) {
  if (l.memory_bytes > 0) {
    std::string bytes = std::to_string(l.memory_bytes);
    SBX_TRY(cgroup::write_text(file("memory", "memory.limit_in_bytes"), bytes));
    std::string memsw = file("memory", "memory.memsw.limit_in_bytes");
    if (access(memsw.c_str(), F_OK) == 0) SBX_TRY(cgroup::write_text(memsw, bytes));
  }
  if (l.cpus > 0) {
    auto quota = static_cast<int64_t>(std::llround(l.cpus * kCfsPeriodUs));
    SBX_TRY(cgroup::write_text(file("cpu", "cpu.cfs_period_us"), std::to_string(kCfsPeriodUs)));
    SBX_TRY(cgroup::write_text(file("cpu", "cpu.cfs_quota_us"), std::to_string(quota)));
  }
  if (l.pids > 0) SBX_TRY(cgroup::write_text(file("pids", "pids.max"), std::to_string(l.pids)));
  return {};
}

// An eventfd the kernel signals on OOM in the memory group (cgroup.event_control).
void Cgroup1::watch_oom() {
  UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  UniqueFd control(open(file("memory", "memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC));
  if (!efd || !control) return;
  std::string line = std::to_string(efd.get()) + " " + std::to_string(control.get());
  if (cgroup::write_text(file("memory", "cgroup.event_control"), line).ok())
    oom_event_ = std::move(efd);
}

Status Cgroup1::attach(pid_t pid) {
  for (const auto& dir : made_)
    SBX_TRY(cgroup::write_text(dir + "/cgroup.procs", std::to_string(pid)));
  return {};
}

int64_t Cgroup1::oom_kills() const {
  std::string text = cgroup::read_text(file("memory", "memory.oom_control"));
  if (auto n = cgroup::keyed_value(text, "oom_kill")) return *n;
  return cgroup::keyed_value(text, "under_oom").value_or(0);  // kernels before 4.13
}

Usage Cgroup1::usage() const {
  Usage u;
  std::string peak = cgroup::read_text(file("memory", "memory.max_usage_in_bytes"));
  if (!peak.empty()) u.peak_memory = std::strtoll(peak.c_str(), nullptr, 10);
  std::string ns = cgroup::read_text(file("cpuacct", "cpuacct.usage"));
  if (!ns.empty()) u.cpu_seconds = double(std::strtoll(ns.c_str(), nullptr, 10)) / 1e9;
  return u;
}

void Cgroup1::remove() {
  oom_event_.reset();
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
    for (const auto& pid : split(cgroup::read_text(*it + "/cgroup.procs"), '\n'))
      if (!pid.empty()) kill(std::stoi(pid), SIGKILL);
    cgroup::remove_dir(*it);
  }
  made_.clear();
}

}  // namespace

bool cgroup1_usable() {
  auto own = own_groups();
  for (const char* c : kControllers) {
    auto it = own.find(c);
    if (it == own.end() || access(it->second.c_str(), W_OK) != 0) return false;
  }
  return true;
}

Result<std::unique_ptr<LimitsBackend>> make_cgroup1(const std::string& name,
                                                    const ResourceLimits& limits) {
  auto cg = std::make_unique<Cgroup1>();
  if (Status s = cg->create(name, limits); !s.ok())
    return std::move(s).error().context("set up the sandbox's cgroups (v1)");
  return std::unique_ptr<LimitsBackend>(std::move(cg));
}

void remove_stale_cgroup1(const std::string& name) {
  for (const auto& [c, dir] : own_groups()) cgroup::remove_dir(dir + "/" + name);
}

}  // namespace sbx
