// `sbx doctor [--json]`: what this host supports, one line per check (status, what was found,
// what sbx does without it). Exits 0 when sbx can run here, 1 when a required feature is missing.
#include <cstdio>

#include "cli/cli.h"
#include "cli/output.h"
#include "util/json.h"

namespace sbx::cli {

namespace {

struct DoctorFlags {
  bool json = false;
};

std::string to_json(const std::vector<HostCheck>& checks, bool usable) {
  JsonWriter w;
  w.begin_object().field("usable", usable).key("checks").begin_array();
  for (const auto& c : checks)
    w.begin_object()
        .field("name", c.name)
        .field("status", c.status)
        .field("required", c.required)
        .field("found", c.found)
        .field("without", c.without)
        .end_object();
  w.end_array().end_object();
  return w.take();
}

Result<int> doctor(Engine& engine, const DoctorFlags& f) {
  std::vector<HostCheck> checks = engine.doctor();
  bool usable = true;
  for (const auto& c : checks) usable = usable && !(c.required && c.status != "ok");
  if (f.json) {
    SBX_TRY(print_line(to_json(checks, usable)));
  } else {
    for (const auto& c : checks)
      SBX_TRY(print_line(cell(c.status) +
                         std::string(9 - std::min<size_t>(c.status.size(), 8), ' ') + cell(c.name) +
                         ": " + cell(c.found) + "; without it: " + cell(c.without)));
    SBX_TRY(print_line(usable ? "sbx can run sandboxes on this host"
                              : "sbx cannot run sandboxes on this host: a required check failed"));
  }
  return usable ? 0 : 1;
}

}  // namespace

void add_doctor_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(
      sbx, "doctor", "Show what this host supports and what sbx does without it", action, doctor);
  add_json_flag(cmd, f->json);
}

}  // namespace sbx::cli
