// The JSON views of sandboxes, processes and apps: one function per object, fields in a fixed
// order, absent values as null.
#include "engine/views.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>

namespace sbx {

std::string rfc3339(double seconds) {
  auto total_ms = static_cast<int64_t>(std::llround(seconds * 1000));
  int64_t ms = total_ms % 1000;
  if (ms < 0) ms += 1000;
  auto whole = static_cast<time_t>((total_ms - ms) / 1000);
  struct tm tm {};
  gmtime_r(&whole, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

namespace {

// Unset values are null: a timestamp of 0, an empty name, an end reason of kNone, ...
std::optional<std::string> time_or_null(std::optional<double> t) {
  if (!t || *t == 0) return std::nullopt;
  return rfc3339(*t);
}

std::optional<std::string> text_or_null(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<std::string> reason_or_null(EndReason r) { return text_or_null(end_reason_name(r)); }

void write_mounts(JsonWriter& w, const std::vector<MountSpec>& mounts) {
  w.begin_array();
  for (const MountSpec& m : mounts) {
    w.begin_object();
    w.field("host_path", m.host_path).field("sandbox_path", m.sandbox_path);
    w.field("read_only", m.read_only);
    w.end_object();
  }
  w.end_array();
}

void write_tags(JsonWriter& w, const TagMap& tags) {
  w.begin_object();
  for (const auto& [k, v] : tags) w.field(k, v);
  w.end_object();
}

// Only the limits asked for; an empty object when none.
void write_limits(JsonWriter& w, const ResourceLimits& l) {
  w.begin_object();
  if (l.cpus > 0) w.field("cpus", l.cpus);
  if (l.memory_bytes > 0) w.field("memory", l.memory_bytes);
  if (l.pids > 0) w.field("pids", l.pids);
  if (l.disk_bytes > 0) w.field("disk", l.disk_bytes);
  if (l.nofile > 0) w.field("nofile", l.nofile);
  w.end_object();
}

void write_tunnels(JsonWriter& w, const std::vector<Tunnel>& tunnels) {
  w.begin_array();
  for (const Tunnel& t : tunnels) {
    w.begin_object().field("container_port", t.container_port);
    w.field("host_address", t.host_address).field("host_port", t.host_port).end_object();
  }
  w.end_array();
}

// The fields of a sandbox object, without the braces, so inspect can add its own.
void write_sandbox_fields(JsonWriter& w, const SandboxInfo& s) {
  w.field("id", s.id).field("app", s.app).field("name", text_or_null(s.name));
  w.field("state", s.state).field("command", s.command);
  w.field("workdir", s.workdir.empty() ? std::string("/") : s.workdir);
  write_mounts(w.key("mounts"), s.mounts);
  w.field("env_keys", s.env_keys).field("secrets", s.secrets);
  w.field("timeout", s.timeout_s);
  w.field("idle_timeout", s.idle_timeout_s > 0 ? std::optional(s.idle_timeout_s) : std::nullopt);
  w.field("policy", s.policy);
  w.field("image", text_or_null(s.image));
  write_limits(w.key("limits"), s.limits);
  w.field("limits_backend", text_or_null(s.limits_backend));
  w.field("network", s.network.empty() ? std::string("none") : s.network);
  write_tunnels(w.key("tunnels"), s.tunnels);
  w.key("usage").begin_object();
  w.field("peak_memory", s.peak_memory_bytes).field("cpu_seconds", s.cpu_seconds);
  w.end_object();
  write_tags(w.key("tags"), s.tags);
  w.field("created_at", time_or_null(s.created_at)).field("ended_at", time_or_null(s.ended_at));
  w.field("returncode", s.returncode).field("end_reason", reason_or_null(s.end_reason));
  w.field("supervisor_pid", s.supervisor_pid);
}

template <typename T>
std::string list_json(const std::vector<T>& items, bool pretty) {
  JsonWriter w(pretty);
  w.begin_array();
  for (const T& item : items) write_json(w, item);
  w.end_array();
  return w.take();
}

template <typename T>
std::string object_json(const T& item, bool pretty) {
  JsonWriter w(pretty);
  write_json(w, item);
  return w.take();
}

}  // namespace

void write_json(JsonWriter& w, const SandboxInfo& sandbox) {
  w.begin_object();
  write_sandbox_fields(w, sandbox);
  w.end_object();
}

void write_json(JsonWriter& w, const ProcessInfo& p) {
  w.begin_object();
  w.field("id", p.id).field("sandbox_id", p.sandbox_id).field("argv", p.argv);
  w.field("state", p.state);
  w.field("started_at", time_or_null(p.started_at)).field("ended_at", time_or_null(p.ended_at));
  w.field("returncode", p.returncode).field("end_reason", reason_or_null(p.end_reason));
  w.field("detached", p.detached);
  w.end_object();
}

void write_json(JsonWriter& w, const AppInfo& app) {
  w.begin_object();
  w.field("id", app.id).field("name", app.name).field("created_at", time_or_null(app.created_at));
  w.field("running", app.running);
  w.end_object();
}

std::string to_json(const SandboxInfo& sandbox, bool pretty) {
  return object_json(sandbox, pretty);
}
std::string to_json(const ProcessInfo& process, bool pretty) {
  return object_json(process, pretty);
}
std::string to_json(const AppInfo& app, bool pretty) { return object_json(app, pretty); }

std::string to_json(const std::vector<SandboxInfo>& sandboxes, bool pretty) {
  return list_json(sandboxes, pretty);
}
std::string to_json(const std::vector<ProcessInfo>& processes, bool pretty) {
  return list_json(processes, pretty);
}
std::string to_json(const std::vector<AppInfo>& apps, bool pretty) {
  return list_json(apps, pretty);
}

std::string inspect_json(const SandboxInfo& sandbox, const std::vector<ProcessInfo>& processes,
                         bool pretty) {
  JsonWriter w(pretty);
  w.begin_object();
  write_sandbox_fields(w, sandbox);
  w.key("processes").begin_array();
  for (const ProcessInfo& p : processes) write_json(w, p);
  w.end_array();
  w.end_object();
  return w.take();
}

std::string to_json(const std::vector<Tunnel>& tunnels) {
  JsonWriter w;
  write_tunnels(w, tunnels);
  return w.take();
}

}  // namespace sbx
