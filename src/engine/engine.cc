// The engine's bookkeeping verbs: opening the state, apps, secrets, listing, inspecting and
// tagging sandboxes, and the liveness check that turns an orphaned row into an ended one.
#include "sbx/engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/internal.h"
#include "engine/spec.h"
#include "runtime/limits.h"
#include "util/fs.h"
#include "util/ids.h"

namespace sbx {

bool supervisor_alive(const SandboxLayout& layout) {
  int fd = open(layout.lock().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool alive = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return alive;
}

Result<SandboxRow> refresh_sandbox(Store& store, const std::string& home, SandboxRow row) {
  if (row.state == "ended") return row;
  SandboxLayout layout = sandbox_layout(home, row.id);
  if (supervisor_alive(layout)) return row;
  SBX_ASSIGN_OR_RETURN(bool changed, store.mark_ended(row.id, kReturnCodeTerminated, "lost"));
  if (changed) {
    (void)store.end_processes_of(row.id, kReturnCodeTerminated, "lost");
    (void)remove_tree(layout.upper());
    (void)remove_tree(layout.work());
    unlink(layout.socket().c_str());
    remove_stale_limits(row.id);  // the groups a killed supervisor left behind
  }
  return store.get_sandbox(row.id);
}

Result<SandboxRow> resolve_sandbox(Store& store, const std::string& home, const Ref& ref) {
  if (ref.ref.empty()) return invalid("a sandbox id or name is required");
  if (is_id(ref.ref, "sb")) {
    SBX_ASSIGN_OR_RETURN(SandboxRow row, store.get_sandbox(ref.ref));
    return refresh_sandbox(store, home, std::move(row));
  }
  if (ref.ref.compare(0, 3, "sb-") == 0) return not_found("no sandbox '" + ref.ref + "'");
  SBX_TRY(validate_name("sandbox name", ref.ref));
  SBX_TRY(validate_name("app name", ref.app));
  auto row = store.find_sandbox(ref.app, ref.ref);
  if (!row.ok() && row.error().kind() == ErrorKind::kNotFound)
    return not_found("no sandbox named '" + ref.ref + "' in app '" + ref.app + "'");
  if (!row.ok()) return std::move(row).error();
  return refresh_sandbox(store, home, std::move(row).value());
}

Result<EnvList> resolve_secrets(Store& store, const std::vector<std::string>& names) {
  EnvList env;
  for (const auto& name : names) {
    SBX_TRY(validate_name("secret name", name));
    SBX_ASSIGN_OR_RETURN(EnvList pairs, store.get_secret(name));
    env = merge_env(std::move(env), pairs);
  }
  return env;
}

Engine::Engine(std::string home, std::unique_ptr<Store> store)
    : home_(std::move(home)), store_(std::move(store)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(bool store_when_needed) {
  SBX_ASSIGN_OR_RETURN(std::string home, resolve_home());
  std::unique_ptr<Engine> engine(new Engine(std::move(home), nullptr));
  if (!store_when_needed) SBX_TRY(engine->open_store());
  return engine;
}

void Engine::for_one_command() { Store::for_one_command(); }

Status Engine::open_store() {
  if (store_) return {};
  SBX_ASSIGN_OR_RETURN(store_, Store::open(store_path(home_)));
  return {};
}

std::function<Result<Store*>()> Engine::store_on_demand() {
  return [this]() -> Result<Store*> {
    SBX_TRY(open_store());
    return store_.get();
  };
}

Result<AppInfo> Engine::app_create(const std::string& name) {
  SBX_TRY(validate_name("app name", name));
  return store_->create_app(name);
}

Result<std::vector<AppInfo>> Engine::app_list() {
  // Counts of running sandboxes are only right once orphans are recognised.
  SBX_TRY(list(std::nullopt, {}, false));
  return store_->list_apps();
}

Status Engine::app_remove(const std::string& name) {
  SBX_TRY(validate_name("app name", name));
  SBX_TRY(list(name, {}, false));
  return store_->remove_app(name);
}

Status Engine::secret_create(const std::string& name, const EnvList& env) {
  SBX_TRY(validate_name("secret name", name));
  if (env.empty()) return invalid("a secret needs at least one KEY=VALUE");
  SBX_TRY(validate_env(env));
  return store_->create_secret(name, env);
}

Result<std::vector<std::string>> Engine::secret_list() { return store_->list_secrets(); }

Status Engine::secret_remove(const std::string& name) {
  SBX_TRY(validate_name("secret name", name));
  return store_->remove_secret(name);
}

Result<std::vector<SandboxInfo>> Engine::list(const std::optional<std::string>& app,
                                              const TagMap& tags, bool include_ended) {
  if (app) SBX_TRY(validate_name("app name", *app));
  SandboxFilter filter{app, tags, include_ended};
  SBX_ASSIGN_OR_RETURN(auto rows, store_->list_sandboxes(filter));
  std::vector<SandboxInfo> out;
  for (auto& row : rows) {
    SBX_ASSIGN_OR_RETURN(SandboxRow now, refresh_sandbox(*store_, home_, std::move(row)));
    if (include_ended || now.state != "ended") out.push_back(sandbox_info(now));
  }
  return out;
}

Result<SandboxInfo> Engine::inspect(const Ref& sandbox) {
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, sandbox));
  return sandbox_info(row);
}

Result<std::vector<ProcessInfo>> Engine::processes(const Ref& sandbox) {
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, sandbox));
  SBX_ASSIGN_OR_RETURN(auto rows, store_->list_processes(row.id));
  std::vector<ProcessInfo> out;
  for (const auto& r : rows) out.push_back(process_info(r));
  return out;
}

Status Engine::set_tags(const Ref& sandbox, const TagMap& tags) {
  for (const auto& [k, v] : tags)
    if (k.empty() || k.find('=') != std::string::npos)
      return invalid("tag key '" + k + "' is not valid");
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(*store_, home_, sandbox));
  return store_->set_tags(row.id, tags);
}

}  // namespace sbx
