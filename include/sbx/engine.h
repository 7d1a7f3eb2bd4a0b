// The engine: every sbx use case (create, exec, run, terminate, wait, logs, ...) lives here once,
// so the CLI and the HTTP API are thin shells over it and can never disagree. An Engine owns one
// connection to the state store; it is not thread-safe (use one per thread).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbx/error.h"
#include "sbx/image.h"
#include "sbx/types.h"

namespace sbx {

class Store;

// Seccomp policies (OCI / Docker JSON). Every problem found in a profile file, one line each
// ("file: path.to.field: what is wrong"; warnings start with "warning:"); an error only when
// the file cannot be read.
Result<std::vector<std::string>> check_policy_file(const std::string& path);
// What a profile (a shipped name or a file) allows and denies, for people.
Result<std::string> describe_policy(const std::string& name_or_path);

// Image spec files (sbx-image(5)): the spec in FILE, relative paths taken from FILE's directory;
// errors name the file and the bad field.
Result<ImageSpec> read_image_spec_file(const std::string& path);
// The limits backend a sandbox with these limits would get on this host: "cgroup2", "cgroup1",
// "rlimit" (per-process rlimits only), or "" when none of cpu, memory, pids, nofile is asked.
std::string limits_backend_for(const ResourceLimits& limits);

// How a caller names a sandbox: an id (sb-…), or a name within an app. A process id (pr-…) is
// accepted where the verb says so (wait, poll, logs).
struct Ref {
  std::string ref;
  std::string app = "default";
};

// The caller's standard streams for a process sbx starts. Pipes and files are handed straight to
// the process; a terminal is relayed so that nothing in the sandbox holds the caller's tty.
struct Stdio {
  int in = 0;
  int out = 1;
  int err = 2;
};

struct ExecOutcome {
  std::string process_id;
  std::optional<int> returncode;  // empty when detached
};

// One path a sandbox changed in its root, as `docker diff` shows it: 'A' added, 'C' changed
// (or a directory holding a change), 'D' deleted.
struct FileChange {
  char kind = 'C';
  std::string path;
};

class Engine {
 public:
  // Opens (creating if needed) the state directory and store: $SBX_HOME, else
  // $XDG_DATA_HOME/sbx or ~/.local/share/sbx when rootless, /var/lib/sbx as root. With
  // store_when_needed the store is opened later, by the first call that needs it; then the
  // first call must be create(), run() or image_build(). create and run open it while their
  // sandbox sets up, so that opening it overlaps the setup.
  static Result<std::unique_ptr<Engine>> open(bool store_when_needed = false);
  // Says that this process runs one command and exits (the CLI does): the store's memory then
  // costs far fewer page faults. Call before open().
  static void for_one_command();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::string& home() const { return home_; }

  // Apps: named groups of sandboxes.
  Result<AppInfo> app_create(const std::string& name);
  Result<std::vector<AppInfo>> app_list();
  Status app_remove(const std::string& name);

  // Secrets: named environment sets. Values never leave the store except into a sandbox.
  Status secret_create(const std::string& name, const EnvList& env);
  Result<std::vector<std::string>> secret_list();
  Status secret_remove(const std::string& name);

  // Starts a sandbox and returns its id once it runs. on_ready is called with the id while the
  // sandbox is held for this caller; if on_ready fails, or the caller dies before it returns, the
  // sandbox is torn down, so a killed CLI never leaves a sandbox shown as running.
  Result<std::string> create(const SandboxSpec& spec,
                             const std::function<Status(const std::string&)>& on_ready);

  // One-shot: a sandbox whose entrypoint is spec.command, run in the foreground with the caller's
  // streams; returns the return code. Nothing of the sandbox stays running or mounted.
  Result<int> run(const SandboxSpec& spec, const Stdio& stdio);

  // Runs argv in a live sandbox with the same isolation as its entrypoint. Waits for the return
  // code unless spec.detach.
  Result<ExecOutcome> exec(const Ref& sandbox, const ExecSpec& spec, const Stdio& stdio);
  // exec by sandbox id, straight to its supervisor's socket without opening the store: the
  // common case of a caller exec'ing into its sandbox again and again. nullopt when it cannot
  // be done that way (a name, secrets to resolve, no supervisor listening): then open the
  // engine and call exec(), which also gives the precise error.
  static std::optional<Result<ExecOutcome>> exec_direct(const Ref& sandbox, const ExecSpec& spec,
                                                        const Stdio& stdio);

  Status terminate(const Ref& sandbox);
  // terminate by sandbox id, straight to its supervisor (as exec_direct); nullopt when that
  // cannot be done: then open the engine and call terminate().
  static std::optional<Status> terminate_direct(const Ref& sandbox);
  // The return code of a sandbox's entrypoint (or of the sandbox's end) or of a process (pr-…).
  Result<int> wait(const Ref& target);
  Result<std::optional<int>> poll(const Ref& target);
  // Copies the entrypoint's (or a detached process's) stdout/stderr to out_fd/err_fd; with
  // follow, keeps copying until it ends.
  Status logs(const Ref& target, bool follow, int out_fd, int err_fd);

  Result<std::vector<SandboxInfo>> list(const std::optional<std::string>& app, const TagMap& tags,
                                        bool include_ended);
  Result<SandboxInfo> inspect(const Ref& sandbox);
  Result<std::vector<ProcessInfo>> processes(const Ref& sandbox);
  Status set_tags(const Ref& sandbox, const TagMap& tags);

  // `sbx doctor`: what this host supports, each feature tried for real (overlayfs on the state
  // directory's filesystem), in a fixed order.
  std::vector<HostCheck> doctor() const;
  // Images (sbx-image(5)): builds the spec's layers, each step in a sandbox, or finds them in
  // the cache, records the image and returns it; the live build log goes to options.log_fd.
  // A spec already built returns at once with the same id.
  Result<ImageInfo> image_build(const ImageSpec& spec, const ImageBuildOptions& options);
  Result<std::vector<ImageInfo>> image_list();
  Result<ImageInfo> image_inspect(const std::string& image);  // an im-… id or a name
  // Forgets an image (its layers go at the next prune); refused while a live sandbox uses it.
  Status image_remove(const std::string& image);
  // Removes every layer no image uses, and what killed builds left behind.
  Result<ImagePruneReport> image_prune();
  // What a running sandbox changed in its root relative to its image (or the host base), read
  // from its writable layer; sorted by path, each directory before its contents.
  Result<std::vector<FileChange>> diff(const Ref& sandbox);
  // Modal's snapshot_filesystem: a new image named `name`, made of the sandbox's image plus a
  // point-in-time copy of its writable layer (the sandbox keeps running). Returns its id.
  Result<std::string> snapshot(const Ref& sandbox, const std::string& name);

  // Makes a root filesystem base ready for this caller's sandboxes and returns its directory:
  // "debian-slim" (built once with mmdebstrap, minutes) or a local rootfs directory or tarball.
  // Progress lines go to log.
  Result<std::string> prepare_base(const std::string& base,
                                   const std::function<void(std::string_view)>& log);

 private:
  Engine(std::string home, std::unique_ptr<Store> store);
  Status open_store();  // if not open yet
  std::function<Result<Store*>()> store_on_demand();
  std::string home_;
  std::unique_ptr<Store> store_;
};

}  // namespace sbx
