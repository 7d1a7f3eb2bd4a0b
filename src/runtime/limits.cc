// Choosing a sandbox's limits backend (cgroup v2, then cgroup v1, then rlimits) and the rlimit
// values every sandbox process gets. Host side; the cgroup details live in cgroup1.cc and
// cgroup2.cc.
#include "runtime/limits.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <thread>

#include "util/fd.h"

namespace sbx {

namespace {

// No cgroup: the rlimits in the plan are all there is.
class RlimitOnly : public LimitsBackend {
 public:
  LimitsKind kind() const override { return LimitsKind::kRlimit; }
};

bool wants_cgroup(const ResourceLimits& l) {
  return l.cpus > 0 || l.memory_bytes > 0 || l.pids > 0;
}

std::string group_name(const std::string& sandbox_id) { return "sbx-" + sandbox_id; }

}  // namespace

const char* limits_kind_name(LimitsKind k) {
  switch (k) {
    case LimitsKind::kCgroup2: return "cgroup2";
    case LimitsKind::kCgroup1: return "cgroup1";
    case LimitsKind::kRlimit: return "rlimit";
    default: return "";
  }
}

LimitsKind detect_limits(const ResourceLimits& l) {
  if (!wants_cgroup(l) && l.nofile == 0) return LimitsKind::kNone;
  if (cgroup2_usable()) return LimitsKind::kCgroup2;
  if (cgroup1_usable()) return LimitsKind::kCgroup1;
  return LimitsKind::kRlimit;
}

Result<std::unique_ptr<LimitsBackend>> make_limits(LimitsKind kind, const std::string& sandbox_id,
                                                   const ResourceLimits& limits) {
  switch (kind) {
    case LimitsKind::kCgroup2: return make_cgroup2(group_name(sandbox_id), limits);
    case LimitsKind::kCgroup1: return make_cgroup1(group_name(sandbox_id), limits);
    case LimitsKind::kRlimit: return std::unique_ptr<LimitsBackend>(new RlimitOnly());
    default: return std::unique_ptr<LimitsBackend>();
  }
}

std::vector<RlimitSetting> rlimits_for(LimitsKind kind, const ResourceLimits& l,
                                       int64_t timeout_s) {
  std::vector<RlimitSetting> out;
  auto add = [&](int resource, int64_t value) {
    if (value > 0) out.push_back({resource, static_cast<uint64_t>(value)});
  };
  add(RLIMIT_NOFILE, l.nofile);
  if (kind != LimitsKind::kRlimit) return out;
  add(RLIMIT_DATA, l.memory_bytes);
  add(RLIMIT_NPROC, l.pids);
  if (l.cpus > 0) add(RLIMIT_CPU, static_cast<int64_t>(std::ceil(l.cpus * double(timeout_s))));
  return out;
}

void remove_stale_limits(const std::string& sandbox_id) {
  remove_stale_cgroup2(group_name(sandbox_id));
  remove_stale_cgroup1(group_name(sandbox_id));
}

namespace cgroup {

std::string read_text(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

Status write_text(const std::string& path, const std::string& text) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return sys_error("write '" + text + "' to " + path);
  return {};
}

std::optional<int64_t> keyed_value(const std::string& text, const std::string& key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, key.size() + 1, key + " ") == 0)
      return std::strtoll(text.c_str() + at + key.size() + 1, nullptr, 10);
    at = end + 1;
  }
  return std::nullopt;
}

void remove_dir(const std::string& path) {
  for (int i = 0; i < 50; ++i) {
    if (rmdir(path.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace cgroup

}  // namespace sbx
