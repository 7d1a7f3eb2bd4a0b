// Spec validation and encoding. Every error is one line naming the bad value.
#include "engine/spec.h"

#include "util/json.h"
#include "util/names.h"

namespace sbx {

namespace {

bool has_dotdot(const std::string& path) {
  return path.find("/../") != std::string::npos || path.ends_with("/..") ||
         path.find("/./") != std::string::npos || path.ends_with("/.");
}

Status validate_sandbox_path(const std::string& what, const std::string& path) {
  if (path.empty() || path[0] != '/')
    return invalid(what + " must be an absolute path: '" + path + "'");
  if (has_dotdot(path)) return invalid(what + " must not contain '.' or '..': '" + path + "'");
  if (path.find('\0') != std::string::npos || path.find(',') != std::string::npos ||
      path.find(':') != std::string::npos)
    return invalid(what + " has a character sbx does not accept: '" + path + "'");
  return {};
}

Status validate_timeout(const std::string& what, int64_t s, int64_t min) {
  if (s < min || s > kMaxTimeoutSeconds)
    return invalid(what + " must be between " + std::to_string(min) + " and " +
                   std::to_string(kMaxTimeoutSeconds) + " seconds, not " + std::to_string(s));
  return {};
}

// The ranges of --cpu, --memory, --pids, --disk and --nofile (0: no limit).
Status validate_limits(const ResourceLimits& l) {
  constexpr int64_t kMiB = 1 << 20;
  if (l.cpus != 0 && !(l.cpus >= 0.01 && l.cpus <= 1024))
    return invalid("cpu limit " + std::to_string(l.cpus) + " is not between 0.01 and 1024 CPUs");
  if (l.memory_bytes != 0 && l.memory_bytes < 4 * kMiB)
    return invalid("memory limit of " + std::to_string(l.memory_bytes) +
                   " bytes is below the minimum of 4 MiB");
  if (l.pids != 0 && (l.pids < 4 || l.pids > 4194304))
    return invalid("pids limit " + std::to_string(l.pids) +
                   " is not between 4 and 4194304 (sbx's pid 1 and one keeper per process count)");
  if (l.disk_bytes != 0 && l.disk_bytes < kMiB)
    return invalid("disk limit of " + std::to_string(l.disk_bytes) +
                   " bytes is below the minimum of 1 MiB");
  if (l.nofile != 0 && (l.nofile < 16 || l.nofile > 1048576))
    return invalid("open files limit " + std::to_string(l.nofile) +
                   " is not between 16 and 1048576");
  return {};
}

}  // namespace

Status validate_name(const std::string& what, const std::string& name) {
  if (!is_plain_name(name))
    return invalid(what + " '" + name +
                   "' is not valid: use 1-63 letters, digits, '.', '_' or '-', starting with a "
                   "letter or digit");
  if (name.size() > 3 && (name.compare(0, 3, "sb-") == 0 || name.compare(0, 3, "pr-") == 0 ||
                          name.compare(0, 3, "ap-") == 0 || name.compare(0, 3, "im-") == 0))
    return invalid(what + " '" + name + "' must not start with an id prefix (sb-, pr-, ap-, im-)");
  return {};
}

Status validate_env(const EnvList& env) {
  for (const auto& [k, v] : env) {
    if (!is_env_key(k))
      return invalid("environment variable name '" + k +
                     "' is not valid: use [A-Za-z_][A-Za-z0-9_]*");
    if (v.find('\0') != std::string::npos)
      return invalid("environment value of " + k + " has a NUL byte");
  }
  return {};
}

namespace {

// Container ports to forward: each in 1..65535, none twice.
Status validate_ports(const std::vector<int>& ports) {
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i] < 1 || ports[i] > 65535)
      return invalid("port " + std::to_string(ports[i]) + " is not in 1-65535");
    for (size_t j = 0; j < i; ++j)
      if (ports[j] == ports[i])
        return invalid("port " + std::to_string(ports[i]) + " is given twice");
  }
  return {};
}

}  // namespace

Status validate_sandbox_spec(const SandboxSpec& spec, bool command_required) {
  SBX_TRY(validate_name("app name", spec.app));
  if (!spec.name.empty()) SBX_TRY(validate_name("sandbox name", spec.name));
  if (command_required && spec.command.empty()) return invalid("a command is required");
  if (!spec.command.empty() && spec.command[0].empty()) return invalid("the command is empty");
  if (!spec.workdir.empty()) SBX_TRY(validate_sandbox_path("workdir", spec.workdir));
  SBX_TRY(validate_env(spec.env));
  SBX_TRY(validate_timeout("timeout", spec.timeout_s, 1));
  if (spec.idle_timeout_s != 0) SBX_TRY(validate_timeout("idle timeout", spec.idle_timeout_s, 1));
  for (const auto& m : spec.mounts) {
    if (m.host_path.empty() || m.host_path[0] != '/')
      return invalid("mount source must be an absolute path: '" + m.host_path + "'");
    SBX_TRY(validate_sandbox_path("mount target", m.sandbox_path));
    if (m.sandbox_path == "/") return invalid("mount target must not be /");
  }
  for (const auto& [k, v] : spec.tags)
    if (k.empty() || k.find('=') != std::string::npos)
      return invalid("tag key '" + k + "' is not valid");
  for (const auto& s : spec.secrets) SBX_TRY(validate_name("secret name", s));
  if (spec.policy.empty()) return invalid("the seccomp policy name is empty");
  if (spec.network != "none" && spec.network != "nat" && spec.network != "host")
    return invalid("network mode '" + spec.network + "' is not one of none, nat, host");
  SBX_TRY(validate_ports(spec.ports));
  SBX_TRY(validate_limits(spec.limits));
  return {};
}

Status validate_exec_spec(const ExecSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return invalid("a command is required");
  if (!spec.workdir.empty()) SBX_TRY(validate_sandbox_path("workdir", spec.workdir));
  SBX_TRY(validate_env(spec.env));
  if (spec.timeout_s != 0) SBX_TRY(validate_timeout("timeout", spec.timeout_s, 1));
  for (const auto& s : spec.secrets) SBX_TRY(validate_name("secret name", s));
  return {};
}

EnvList base_environment() {
  return {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
          {"HOME", "/root"},
          {"USER", "root"},
          {"LOGNAME", "root"},
          {"SHELL", "/bin/sh"},
          {"LANG", "C.UTF-8"},
          // Output is streamed live (logs -f, exec): Python must not hold it in a buffer.
          {"PYTHONUNBUFFERED", "1"}};
}

EnvList merge_env(EnvList a, const EnvList& b) {
  for (const auto& kv : b) {
    bool replaced = false;
    for (auto& old : a)
      if (old.first == kv.first) {
        old.second = kv.second;
        replaced = true;
      }
    if (!replaced) a.push_back(kv);
  }
  return a;
}

std::vector<std::string> env_strings(const EnvList& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string encode_strings(const std::vector<std::string>& items) {
  JsonWriter w;
  w.value(items);
  return w.take();
}

namespace {

// The strings of a JSON array (anything else, or a missing value, gives none).
std::vector<std::string> strings_of(const JsonValue* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->is_array())
    for (const auto& e : v->elements())
      if (e.is_string()) out.push_back(e.as_string());
  return out;
}

}  // namespace

std::vector<std::string> decode_strings(const std::string& json) {
  auto v = parse_json(json);
  return v.ok() ? strings_of(&v.value()) : std::vector<std::string>{};
}

std::string encode_spec(const SandboxSpec& spec) {
  JsonWriter w;
  w.begin_object();
  w.field("command", spec.command);
  w.field("workdir", spec.workdir.empty() ? std::string("/") : spec.workdir);
  w.key("mounts").begin_array();
  for (const auto& m : spec.mounts) {
    w.begin_object().field("host_path", m.host_path).field("sandbox_path", m.sandbox_path);
    w.field("read_only", m.read_only).end_object();
  }
  w.end_array();
  std::vector<std::string> keys;
  for (const auto& kv : spec.env) keys.push_back(kv.first);
  w.field("env_keys", keys).field("secrets", spec.secrets);
  w.field("timeout", spec.timeout_s).field("idle_timeout", spec.idle_timeout_s);
  w.field("policy", spec.policy);
  const ResourceLimits& l = spec.limits;
  w.key("limits").begin_object().field("cpus", l.cpus).field("memory", l.memory_bytes);
  w.field("pids", l.pids).field("disk", l.disk_bytes).field("nofile", l.nofile).end_object();
  w.field("network", spec.network);
  w.key("ports").begin_array();
  for (int p : spec.ports) w.value(p);
  w.end_array();
  w.field("image", spec.image);
  w.end_object();
  return w.take();
}

namespace {

// The supervisor's facts: tunnels, limits backend, usage. Unknown keys are ignored.
void read_runtime(const std::string& json, SandboxInfo* info) {
  auto rt = parse_json(json);
  if (!rt.ok() || !rt->is_object()) return;
  if (const auto* t = rt->get("tunnels"); t && t->is_array())
    for (const auto& e : t->elements()) {
      Tunnel tun;
      if (const auto* v = e.get("container_port"); v && v->is_int())
        tun.container_port = static_cast<int>(v->as_int());
      if (const auto* v = e.get("host_address"); v && v->is_string())
        tun.host_address = v->as_string();
      if (const auto* v = e.get("host_port"); v && v->is_int())
        tun.host_port = static_cast<int>(v->as_int());
      info->tunnels.push_back(tun);
    }
  if (const auto* b = rt->get("limits_backend"); b && b->is_string())
    info->limits_backend = b->as_string();
  if (const auto* u = rt->get("usage"); u && u->is_object()) {
    if (const auto* v = u->get("peak_memory"); v && v->is_int())
      info->peak_memory_bytes = v->as_int();
    if (const auto* v = u->get("cpu_seconds"); v && v->is_number())
      info->cpu_seconds = v->as_double();
  }
}

}  // namespace

SandboxInfo sandbox_info(const SandboxRow& row) {
  SandboxInfo info;
  info.id = row.id;
  info.app = row.app_name;
  info.name = row.name;
  info.state = row.state;
  info.tags = row.tags;
  info.created_at = row.created_at;
  info.ended_at = row.ended_at;
  info.returncode = row.returncode;
  info.end_reason = end_reason_from_name(row.end_reason);
  info.supervisor_pid = row.supervisor_pid;
  auto spec = parse_json(row.spec_json);
  if (!spec.ok() || !spec->is_object()) return info;
  info.command = strings_of(spec->get("command"));
  if (const auto* w = spec->get("workdir"); w != nullptr && w->is_string())
    info.workdir = w->as_string();
  if (const auto* m = spec->get("mounts"); m != nullptr && m->is_array())
    for (const auto& e : m->elements()) {
      MountSpec ms;
      if (const auto* h = e.get("host_path"); h && h->is_string()) ms.host_path = h->as_string();
      if (const auto* s = e.get("sandbox_path"); s && s->is_string())
        ms.sandbox_path = s->as_string();
      if (const auto* r = e.get("read_only"); r && r->is_bool()) ms.read_only = r->as_bool();
      info.mounts.push_back(ms);
    }
  info.env_keys = strings_of(spec->get("env_keys"));
  info.secrets = strings_of(spec->get("secrets"));
  if (const auto* t = spec->get("timeout"); t && t->is_int()) info.timeout_s = t->as_int();
  if (const auto* t = spec->get("idle_timeout"); t && t->is_int())
    info.idle_timeout_s = t->as_int();
  if (const auto* p = spec->get("policy"); p && p->is_string()) info.policy = p->as_string();
  if (const auto* l = spec->get("limits"); l && l->is_object()) {
    auto num = [&](const char* k) -> const JsonValue* {
      const auto* v = l->get(k);
      return v && v->is_number() ? v : nullptr;
    };
    if (const auto* v = num("cpus")) info.limits.cpus = v->as_double();
    if (const auto* v = num("memory")) info.limits.memory_bytes = v->as_int();
    if (const auto* v = num("pids")) info.limits.pids = v->as_int();
    if (const auto* v = num("disk")) info.limits.disk_bytes = v->as_int();
    if (const auto* v = num("nofile")) info.limits.nofile = v->as_int();
  }
  if (const auto* n = spec->get("network"); n && n->is_string()) info.network = n->as_string();
  if (const auto* p = spec->get("ports"); p && p->is_array())
    for (const auto& e : p->elements())
      if (e.is_int()) info.ports.push_back(static_cast<int>(e.as_int()));
  if (const auto* i = spec->get("image"); i && i->is_string()) info.image = i->as_string();
  read_runtime(row.runtime_json, &info);
  return info;
}

ProcessInfo process_info(const ProcessRow& row) {
  ProcessInfo info;
  info.id = row.id;
  info.sandbox_id = row.sandbox_id;
  info.argv = decode_strings(row.argv_json);
  info.state = row.state;
  info.started_at = row.started_at;
  info.ended_at = row.ended_at;
  info.returncode = row.returncode;
  info.end_reason = end_reason_from_name(row.end_reason);
  info.detached = row.detached;
  return info;
}

}  // namespace sbx
