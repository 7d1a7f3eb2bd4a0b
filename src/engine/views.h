// JSON encodings of what sbx knows (sandboxes, processes, apps), shared by the CLI and the HTTP
// API so both speak the same stable snake_case field names. They never carry a secret or an
// environment value: the infos do not hold any.
#pragma once

#include <string>
#include <vector>

#include "sbx/types.h"
#include "util/json.h"

namespace sbx {

// A timestamp (seconds since the epoch) as RFC 3339 UTC with milliseconds:
// "2024-05-01T12:00:00.123Z".
std::string rfc3339(double seconds);

// Each info as one JSON object, for callers composing bigger documents.
void write_json(JsonWriter& w, const SandboxInfo& sandbox);
void write_json(JsonWriter& w, const ProcessInfo& process);
void write_json(JsonWriter& w, const AppInfo& app);

std::string to_json(const SandboxInfo& sandbox, bool pretty);
std::string to_json(const ProcessInfo& process, bool pretty);
std::string to_json(const AppInfo& app, bool pretty);
std::string to_json(const std::vector<SandboxInfo>& sandboxes, bool pretty);
std::string to_json(const std::vector<ProcessInfo>& processes, bool pretty);
std::string to_json(const std::vector<AppInfo>& apps, bool pretty);
// A sandbox's tunnels: [{"container_port":8000,"host_address":"127.0.0.1","host_port":40123}].
std::string to_json(const std::vector<Tunnel>& tunnels);

// `sbx inspect`: the sandbox object with a "processes" array added.
std::string inspect_json(const SandboxInfo& sandbox, const std::vector<ProcessInfo>& processes,
                         bool pretty);

}  // namespace sbx
