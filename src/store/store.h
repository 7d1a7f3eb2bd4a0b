// The state store: one SQLite database (WAL, busy timeout, versioned migrations) holding apps,
// sandboxes, tags, processes and secrets. Many CLI calls and supervisors use it at once; every
// write is one short transaction. A Store is one connection: not thread-safe, one per thread.
// sqlite3.h is confined to store.cc.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"

namespace sbx {

// A sandbox as the store keeps it. spec_json is opaque to the store (the engine's encoding of
// the SandboxSpec without secret values).
struct SandboxRow {
  std::string id;
  std::string app_id;
  std::string app_name;  // filled by reads
  std::string name;      // empty: none
  std::string state;     // "creating", "running", "ended"
  std::string spec_json;
  double created_at = 0;
  std::optional<double> ended_at;
  std::optional<int> returncode;
  std::string end_reason;  // "" while not ended
  int64_t supervisor_pid = 0;
  TagMap tags;  // filled by reads
  // Facts recorded while the sandbox runs: one JSON object, each key owned by one writer
  // ("tunnels", "limits_backend", "usage", ...). Written with set_runtime_value.
  std::string runtime_json = "{}";
};

struct ProcessRow {
  std::string id;
  std::string sandbox_id;
  std::string argv_json;
  std::string state;  // "running", "ended"
  double started_at = 0;
  std::optional<double> ended_at;
  std::optional<int> returncode;
  std::string end_reason;
  bool detached = false;
};

// An image as the store keeps it; its layers live on disk (src/image/layer_store.h).
struct ImageRow {
  std::string id;         // im-…
  std::string name;       // "" : none
  std::string base;       // "host", "debian-slim", or the rootfs path given
  std::string base_id;    // the id layer ids are derived from
  std::string base_dir;   // the ready rootfs directory; "" for the host base
  std::string top_layer;  // "" : the base alone
  std::string config_json = "{}";
  std::string spec_json = "{}";
  double created_at = 0;
};

struct SandboxFilter {
  std::optional<std::string> app_name;
  TagMap tags;                 // all must match
  bool include_ended = false;  // else only "creating" and "running"
};

class Store {
 public:
  // Opens or creates the database file (mode 0600) and applies pending migrations.
  static Result<std::unique_ptr<Store>> open(const std::string& path);
  // For a process that runs one command and exits: SQLite's memory then comes from one
  // transparent huge page (store/sqlite_memory.h), far fewer page faults. Call before the
  // first open().
  static void for_one_command();
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();

  // Apps. create_app fails with kAlreadyExists; ensure_app creates when missing.
  Result<AppInfo> create_app(const std::string& name);
  Result<AppInfo> ensure_app(const std::string& name);
  Result<AppInfo> get_app(const std::string& name);  // kNotFound
  Result<std::vector<AppInfo>> list_apps();          // with running counts
  // Fails with kFailedPrecondition while the app has creating/running sandboxes; removes the
  // app's ended sandboxes, their tags and processes with it.
  Status remove_app(const std::string& name);

  // Sandboxes. insert fails with kAlreadyExists when row.name is taken by a creating/running
  // sandbox of the same app (enforced by a partial unique index, so races cannot break it).
  // Tags in row.tags are inserted too, and runtime_values become runtime_json keys (as
  // set_runtime_value), all in one transaction.
  Status insert_sandbox(
      const SandboxRow& row,
      const std::vector<std::pair<std::string, std::string>>& runtime_values = {});
  // state=running with its supervisor's pid, and the given runtime_json keys (as
  // set_runtime_value), in one transaction; kFailedPrecondition if it has already ended.
  Status mark_running(const std::string& id, int64_t supervisor_pid,
                      const std::vector<std::pair<std::string, std::string>>& runtime_values = {});
  // Sets state=ended with the given outcome unless already ended; returns whether it changed.
  // A usage_json object becomes runtime_json's "usage", in the same transaction.
  Result<bool> mark_ended(const std::string& id, std::optional<int> returncode,
                          const std::string& reason, const std::string& usage_json = {});
  Result<SandboxRow> get_sandbox(const std::string& id);  // kNotFound
  // The creating/running sandbox with this name in the app, else the most recent ended one.
  Result<SandboxRow> find_sandbox(const std::string& app_name, const std::string& name);
  Result<std::vector<SandboxRow>> list_sandboxes(const SandboxFilter& filter);
  Status set_tags(const std::string& id, const TagMap& tags);  // replaces the whole set
  Status delete_sandbox(const std::string& id);

  // The journal (store/journal.h): a sandbox recorded without opening the database, for an
  // unnamed one-shot (tens of microseconds against milliseconds). Every Store folds the journal
  // in before it reads or writes apps, sandboxes or processes, so no reader sees a difference.
  // journal_sandbox takes the row as insert_sandbox does, with row.app_name naming its app
  // (created when missing); the row must have no name, as only the database can tell whether
  // a name is free. journal_ended is mark_ended, and folds the journal at once when it has
  // grown past a bound (so a machine that only ever runs one-shots keeps it small);
  // journal_forget is delete_sandbox.
  static Status journal_sandbox(
      const std::string& db_path, const SandboxRow& row,
      const std::vector<std::pair<std::string, std::string>>& runtime_values = {});
  static Status journal_ended(const std::string& db_path, const std::string& id,
                              std::optional<int> returncode, const std::string& reason,
                              const std::string& usage_json = {});
  static Status journal_forget(const std::string& db_path, const std::string& id);
  // Sets one top-level key of the sandbox's runtime_json to a JSON value (kNotFound).
  Status set_runtime_value(const std::string& id, const std::string& key,
                           const std::string& json_value);

  // Processes exec'd into sandboxes.
  Status insert_process(const ProcessRow& row);
  Result<bool> mark_process_ended(const std::string& id, std::optional<int> returncode,
                                  const std::string& reason);
  // Ends every running process of a sandbox with the given reason (used when a sandbox ends).
  Status end_processes_of(const std::string& sandbox_id, std::optional<int> returncode,
                          const std::string& reason);
  Result<ProcessRow> get_process(const std::string& id);
  Result<std::vector<ProcessRow>> list_processes(const std::string& sandbox_id);

  // Images. put_image inserts or replaces the row with this id; a name given moves to it from
  // whichever image had it. get_image takes an id or a name (kNotFound).
  Status put_image(const ImageRow& row);
  Result<ImageRow> get_image(const std::string& id_or_name);
  Result<std::vector<ImageRow>> list_images();
  Status delete_image(const std::string& id);  // kNotFound

  // Secrets: kAlreadyExists on a duplicate name, kNotFound on a missing one.
  Status create_secret(const std::string& name, const EnvList& env);
  Result<EnvList> get_secret(const std::string& name);
  Result<std::vector<std::string>> list_secrets();
  Status remove_secret(const std::string& name);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbx
