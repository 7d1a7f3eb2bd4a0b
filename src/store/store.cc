// The state store over one SQLite connection: apps, sandboxes and their tags, processes and
// secrets. Each write is one short BEGIN IMMEDIATE transaction, so CLI calls and supervisors in
// other processes serialize safely. Not thread-safe: one Store per thread.
#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <functional>
#include <utility>

#include "store/journal.h"
#include "store/sqlite_memory.h"
#include "store/sqlite_util.h"
#include "util/fd.h"
#include "util/ids.h"

namespace sbx {

using sql::Db;
using sql::Stmt;

namespace {

constexpr int kBusyTimeoutMs = 10'000;

constexpr const char kAppSelect[] =
    "SELECT a.id, a.name, a.created_at, (SELECT COUNT(*) FROM sandboxes s WHERE s.app_id = a.id"
    " AND s.state != 'ended') FROM apps a";
constexpr const char kSandboxSelect[] =
    "SELECT s.id, s.app_id, a.name, s.name, s.state, s.spec_json, s.created_at, s.ended_at,"
    " s.returncode, s.end_reason, s.supervisor_pid, s.runtime_json FROM sandboxes s"
    " JOIN apps a ON a.id = s.app_id";
constexpr const char kImageSelect[] =
    "SELECT id, name, base, base_id, base_dir, top_layer, config_json, spec_json, created_at"
    " FROM images";
constexpr const char kProcessSelect[] =
    "SELECT id, sandbox_id, argv_json, state, started_at, ended_at, returncode, end_reason,"
    " detached FROM processes";

AppInfo read_app(const Stmt& stmt) {
  AppInfo app;
  app.id = stmt.text(0);
  app.name = stmt.text(1);
  app.created_at = stmt.real(2);
  app.running = static_cast<int>(stmt.integer(3));
  return app;
}

SandboxRow read_sandbox(const Stmt& stmt) {
  SandboxRow row;
  row.id = stmt.text(0);
  row.app_id = stmt.text(1);
  row.app_name = stmt.text(2);
  row.name = stmt.text(3);
  row.state = stmt.text(4);
  row.spec_json = stmt.text(5);
  row.created_at = stmt.real(6);
  row.ended_at = stmt.opt_real(7);
  row.returncode = stmt.opt_int(8);
  row.end_reason = stmt.text(9);
  row.supervisor_pid = stmt.integer(10);
  row.runtime_json = stmt.text(11);
  return row;
}

ImageRow read_image(const Stmt& stmt) {
  ImageRow row;
  row.id = stmt.text(0);
  row.name = stmt.text(1);
  row.base = stmt.text(2);
  row.base_id = stmt.text(3);
  row.base_dir = stmt.text(4);
  row.top_layer = stmt.text(5);
  row.config_json = stmt.text(6);
  row.spec_json = stmt.text(7);
  row.created_at = stmt.real(8);
  return row;
}

ProcessRow read_process(const Stmt& stmt) {
  ProcessRow row;
  row.id = stmt.text(0);
  row.sandbox_id = stmt.text(1);
  row.argv_json = stmt.text(2);
  row.state = stmt.text(3);
  row.started_at = stmt.real(4);
  row.ended_at = stmt.opt_real(5);
  row.returncode = stmt.opt_int(6);
  row.end_reason = stmt.text(7);
  row.detached = stmt.integer(8) != 0;
  return row;
}

// Every row of stmt, converted by read.
template <typename T>
Result<std::vector<T>> collect(Stmt& stmt, T (*read)(const Stmt&)) {
  std::vector<T> rows;
  SBX_TRY(stmt.for_each([&](const Stmt& row) { rows.push_back(read(row)); }));
  return rows;
}

// Empty strings are stored as NULL (a sandbox without a name, an outcome not yet known).
std::optional<std::string> null_if_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

double or_now(double t) { return t != 0 ? t : now_seconds(); }

Error already_exists(std::string message) {
  return {ErrorKind::kAlreadyExists, std::move(message)};
}

Error precondition(std::string message) {
  return {ErrorKind::kFailedPrecondition, std::move(message)};
}

// Creates the database file readable by its owner only (it holds secrets) before SQLite opens
// it; SQLite gives its -wal and -shm files the same mode.
Status create_private_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return sys_error("cannot create state database '" + path + "'");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return sys_error("cannot stat '" + path + "'");
  if ((st.st_mode & 077) != 0 && ::fchmod(fd.get(), 0600) != 0)
    return sys_error("cannot make '" + path + "' private");
  return {};
}

Status configure(Db& db) {
  SBX_TRY(db.enable_wal());
  SBX_TRY(db.exec("PRAGMA synchronous = NORMAL"));
  return db.exec("PRAGMA foreign_keys = ON");
}

}  // namespace

struct Store::Impl {
  std::unique_ptr<Db> db;
  std::string journal;  // journal::path_for(the database)

  // Folds the journal in (journal.h). Called before each read or write of apps, sandboxes or
  // processes, never inside a transaction: a stat() when there is nothing to fold.
  Status catch_up() {
    Status s = journal::fold(journal, [this](const std::vector<journal::Entry>& entries) {
      return db->write_txn([&]() -> Status {
        for (const journal::Entry& e : entries) SBX_TRY(apply(e));
        return {};
      });
    });
    if (!s.ok()) return std::move(s).error().context("fold the state journal into the database");
    return {};
  }

  // The app with this name, made (at created_at) when missing, in the caller's transaction.
  Result<AppInfo> app_made(const std::string& name, double created_at) {
    SBX_TRY(
        db->run("INSERT INTO apps (id, name, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO NOTHING",
                new_id("ap"), name, created_at));
    return app_named(name);
  }

  // Ends the sandbox row unless it has already ended, and sets the given runtime_json keys with
  // it; returns whether it changed. In the caller's transaction.
  Result<bool> end_sandbox(const std::string& id, double ended_at, std::optional<int> returncode,
                           const std::string& reason,
                           const std::vector<std::pair<std::string, std::string>>& values) {
    SBX_TRY(
        db->run("UPDATE sandboxes SET state = 'ended', ended_at = ?, returncode = ?,"
                " end_reason = ? WHERE id = ? AND state != 'ended'",
                ended_at, returncode, null_if_empty(reason), id));
    if (db->changes() == 0) return false;
    for (const auto& [key, json] : values) SBX_TRY(put_runtime_value(id, key, json));
    return true;
  }

  // One journal entry, idempotently, inside the caller's transaction.
  Status apply(const journal::Entry& e) {
    const SandboxRow& r = e.row;
    switch (e.op) {
      case journal::Entry::Op::kSandbox: {
        SBX_ASSIGN_OR_RETURN(AppInfo app, app_made(r.app_name, r.created_at));
        SBX_ASSIGN_OR_RETURN(bool present, exists("SELECT 1 FROM sandboxes WHERE id = ?", r.id));
        if (present) return {};
        SBX_TRY(
            db->run("INSERT INTO sandboxes (id, app_id, name, state, spec_json, created_at,"
                    " supervisor_pid) VALUES (?, ?, NULL, ?, ?, ?, ?)",
                    r.id, app.id, r.state, r.spec_json, r.created_at, r.supervisor_pid));
        for (const auto& [key, json] : e.runtime_values)
          SBX_TRY(put_runtime_value(r.id, key, json));
        return insert_tags(r.id, r.tags);
      }
      case journal::Entry::Op::kEnded:
        SBX_TRY(end_sandbox(r.id, r.ended_at.value_or(now_seconds()), r.returncode, r.end_reason,
                            e.runtime_values));
        return {};
      case journal::Entry::Op::kForget: return db->run("DELETE FROM sandboxes WHERE id = ?", r.id);
    }
    return {};
  }

  // Runs stmt expecting at most one row; returns whether there was one.
  Result<bool> exists(const char* sql, const std::string& key) {
    SBX_ASSIGN_OR_RETURN(Stmt stmt, db->prepare(sql));
    return stmt.bind(key).step();
  }

  Status require_sandbox(const std::string& id) {
    SBX_ASSIGN_OR_RETURN(bool found, exists("SELECT 1 FROM sandboxes WHERE id = ?", id));
    if (!found) return not_found("no sandbox '" + id + "'");
    return {};
  }

  Result<AppInfo> app_where(const std::string& condition, const std::string& key,
                            const std::string& missing) {
    SBX_ASSIGN_OR_RETURN(Stmt stmt, db->prepare(std::string(kAppSelect) + " WHERE " + condition));
    SBX_ASSIGN_OR_RETURN(bool found, stmt.bind(key).step());
    if (!found) return not_found(missing);
    return read_app(stmt);
  }

  Result<AppInfo> app_named(const std::string& name) {
    return app_where("a.name = ?", name, "no app named '" + name + "'");
  }

  Result<AppInfo> app_with_id(const std::string& id) {
    return app_where("a.id = ?", id, "no app with id '" + id + "'");
  }

  Status load_tags(SandboxRow& row) {
    SBX_ASSIGN_OR_RETURN(Stmt stmt,
                         db->prepare("SELECT key, value FROM sandbox_tags WHERE sandbox_id = ?"));
    return stmt.bind(row.id).for_each(
        [&](const Stmt& tag) { row.tags[tag.text(0)] = tag.text(1); });
  }

  // Runs a sandbox query and fills in each row's tags.
  Result<std::vector<SandboxRow>> sandboxes(Stmt& stmt) {
    SBX_ASSIGN_OR_RETURN(std::vector<SandboxRow> rows, collect(stmt, read_sandbox));
    for (SandboxRow& row : rows) SBX_TRY(load_tags(row));
    return rows;
  }

  Status insert_tags(const std::string& id, const TagMap& tags) {
    for (const auto& [key, value] : tags)
      SBX_TRY(db->run("INSERT INTO sandbox_tags (sandbox_id, key, value) VALUES (?, ?, ?)", id, key,
                      value));
    return {};
  }

  // Runs an UPDATE that ends the row with this id unless it has already ended; reports whether
  // it did, or kNotFound (via require) when there is no such row.
  Result<bool> end_row(const char* sql, const std::string& id, std::optional<int> returncode,
                       const std::string& reason, const std::function<Status()>& require) {
    bool changed = false;
    SBX_TRY(db->write_txn([&]() -> Status {
      SBX_TRY(db->run(sql, now_seconds(), returncode, null_if_empty(reason), id));
      changed = db->changes() > 0;
      return changed ? Status() : require();
    }));
    return changed;
  }

  // Sets one key of a sandbox row's runtime_json (a JSON text), inside the caller's transaction.
  Status put_runtime_value(const std::string& id, const std::string& key, const std::string& json) {
    return db->run(
        "UPDATE sandboxes SET runtime_json = json_set(runtime_json, '$.' || ?, json(?))"
        " WHERE id = ?",
        key, json, id);
  }

  // Maps a UNIQUE or PRIMARY KEY violation by the statement just run to kAlreadyExists.
  Status unique_or(Status status, const std::string& message) {
    if (!status.ok() && db->last_failure_was_duplicate()) return already_exists(message);
    return status;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  SBX_TRY(create_private_file(path));
  SBX_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::open(path, kBusyTimeoutMs));
  Status status = configure(*db);
  if (status.ok()) status = db->migrate(sql::store_migrations());
  if (!status.ok()) return std::move(status).error().context("cannot open '" + path + "'");
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->journal = journal::path_for(path);
  SBX_TRY(impl->catch_up());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

void Store::for_one_command() { sql::use_huge_page_memory(); }

int Store::schema_version() {
  Result<int> version = impl_->db->user_version();
  return version.ok() ? *version : -1;
}

// ---- Apps ----

Result<AppInfo> Store::create_app(const std::string& name) {
  if (name.empty()) return invalid("an app name must not be empty");
  AppInfo app{new_id("ap"), name, now_seconds(), 0};
  Db& db = *impl_->db;
  SBX_TRY(db.write_txn([&]() -> Status {
    return impl_->unique_or(db.run("INSERT INTO apps (id, name, created_at) VALUES (?, ?, ?)",
                                   app.id, name, app.created_at),
                            "an app named '" + name + "' already exists");
  }));
  return app;
}

Result<AppInfo> Store::ensure_app(const std::string& name) {
  if (name.empty()) return invalid("an app name must not be empty");
  Result<AppInfo> existing = impl_->app_named(name);  // the common case takes no write lock
  if (existing.ok() || existing.error().kind() != ErrorKind::kNotFound) return existing;
  AppInfo app;
  Db& db = *impl_->db;
  SBX_TRY(db.write_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(app, impl_->app_made(name, now_seconds()));
    return {};
  }));
  return app;
}

Result<AppInfo> Store::get_app(const std::string& name) {
  SBX_TRY(impl_->catch_up());  // its count of running sandboxes
  return impl_->app_named(name);
}

Result<std::vector<AppInfo>> Store::list_apps() {
  SBX_TRY(impl_->catch_up());
  SBX_ASSIGN_OR_RETURN(Stmt stmt, impl_->db->prepare(std::string(kAppSelect) + " ORDER BY a.name"));
  return collect(stmt, read_app);
}

Status Store::remove_app(const std::string& name) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(AppInfo app, impl_->app_named(name));
    if (app.running > 0)
      return precondition("app '" + name + "' still has " + std::to_string(app.running) +
                          " creating or running sandbox(es); terminate them first");
    SBX_TRY(db.run("DELETE FROM sandboxes WHERE app_id = ?", app.id));
    return db.run("DELETE FROM apps WHERE id = ?", app.id);
  });
}

// ---- Sandboxes ----

Status Store::insert_sandbox(
    const SandboxRow& row, const std::vector<std::pair<std::string, std::string>>& runtime_values) {
  if (row.id.empty()) return invalid("a sandbox needs an id");
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(AppInfo app, impl_->app_with_id(row.app_id));
    SBX_ASSIGN_OR_RETURN(bool taken, impl_->exists("SELECT 1 FROM sandboxes WHERE id = ?", row.id));
    if (taken) return already_exists("a sandbox '" + row.id + "' already exists");
    Status status = db.run(
        "INSERT INTO sandboxes (id, app_id, name, state, spec_json, created_at, ended_at,"
        " returncode, end_reason, supervisor_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id, row.app_id, null_if_empty(row.name), row.state, row.spec_json,
        or_now(row.created_at), row.ended_at, row.returncode, null_if_empty(row.end_reason),
        row.supervisor_pid);
    SBX_TRY(impl_->unique_or(std::move(status), "a running sandbox named '" + row.name +
                                                    "' already exists in app '" + app.name + "'"));
    for (const auto& [key, json] : runtime_values)
      SBX_TRY(impl_->put_runtime_value(row.id, key, json));
    return impl_->insert_tags(row.id, row.tags);
  });
}

Status Store::mark_running(const std::string& id, int64_t supervisor_pid,
                           const std::vector<std::pair<std::string, std::string>>& runtime_values) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(
        db.run("UPDATE sandboxes SET state = 'running', supervisor_pid = ?"
               " WHERE id = ? AND state != 'ended'",
               supervisor_pid, id));
    if (db.changes() > 0) {
      for (const auto& [key, json] : runtime_values)
        SBX_TRY(impl_->put_runtime_value(id, key, json));
      return {};
    }
    SBX_TRY(impl_->require_sandbox(id));
    return precondition("sandbox '" + id + "' has already ended");
  });
}

Result<bool> Store::mark_ended(const std::string& id, std::optional<int> returncode,
                               const std::string& reason, const std::string& usage_json) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  bool changed = false;
  std::vector<std::pair<std::string, std::string>> usage;
  if (!usage_json.empty()) usage.emplace_back("usage", usage_json);
  SBX_TRY(db.write_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(changed, impl_->end_sandbox(id, now_seconds(), returncode, reason, usage));
    return changed ? Status() : impl_->require_sandbox(id);
  }));
  return changed;
}

Result<SandboxRow> Store::get_sandbox(const std::string& id) {
  SBX_TRY(impl_->catch_up());
  SandboxRow row;
  SBX_TRY(impl_->db->read_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(Stmt stmt,
                         impl_->db->prepare(std::string(kSandboxSelect) + " WHERE s.id = ?"));
    SBX_ASSIGN_OR_RETURN(std::vector<SandboxRow> rows, impl_->sandboxes(stmt.bind(id)));
    if (rows.empty()) return not_found("no sandbox '" + id + "'");
    row = std::move(rows.front());
    return {};
  }));
  return row;
}

Result<SandboxRow> Store::find_sandbox(const std::string& app_name, const std::string& name) {
  SBX_TRY(impl_->catch_up());
  SandboxRow row;
  SBX_TRY(impl_->db->read_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(AppInfo app, impl_->app_named(app_name));
    // Live first (at most one, by the unique index), then the most recently created.
    SBX_ASSIGN_OR_RETURN(
        Stmt stmt,
        impl_->db->prepare(std::string(kSandboxSelect) +
                           " WHERE s.app_id = ? AND s.name = ? ORDER BY"
                           " s.state = 'ended', s.created_at DESC, s.rowid DESC LIMIT 1"));
    SBX_ASSIGN_OR_RETURN(std::vector<SandboxRow> rows, impl_->sandboxes(stmt.bind(app.id, name)));
    if (rows.empty()) return not_found("no sandbox named '" + name + "' in app '" + app_name + "'");
    row = std::move(rows.front());
    return {};
  }));
  return row;
}

// An unknown app in the filter matches nothing (an empty list, not an error).
Result<std::vector<SandboxRow>> Store::list_sandboxes(const SandboxFilter& filter) {
  SBX_TRY(impl_->catch_up());
  std::string sql = std::string(kSandboxSelect) + " WHERE 1";
  if (filter.app_name) sql += " AND a.name = ?";
  if (!filter.include_ended) sql += " AND s.state != 'ended'";
  for (size_t i = 0; i < filter.tags.size(); ++i)
    sql +=
        " AND EXISTS (SELECT 1 FROM sandbox_tags t WHERE t.sandbox_id = s.id"
        " AND t.key = ? AND t.value = ?)";
  sql += " ORDER BY s.created_at, s.rowid";
  std::vector<SandboxRow> rows;
  SBX_TRY(impl_->db->read_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(Stmt stmt, impl_->db->prepare(sql));
    int index = 1;
    if (filter.app_name) stmt.bind_at(index++, *filter.app_name);
    for (const auto& [key, value] : filter.tags) {
      stmt.bind_at(index++, key);
      stmt.bind_at(index++, value);
    }
    SBX_ASSIGN_OR_RETURN(rows, impl_->sandboxes(stmt));
    return {};
  }));
  return rows;
}

Status Store::set_tags(const std::string& id, const TagMap& tags) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(impl_->require_sandbox(id));
    SBX_TRY(db.run("DELETE FROM sandbox_tags WHERE sandbox_id = ?", id));
    return impl_->insert_tags(id, tags);
  });
}

Status Store::set_runtime_value(const std::string& id, const std::string& key,
                                const std::string& json_value) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(impl_->put_runtime_value(id, key, json_value));
    if (db.changes() == 0) return not_found("no sandbox '" + id + "'");
    return {};
  });
}

Status Store::delete_sandbox(const std::string& id) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(db.run("DELETE FROM sandboxes WHERE id = ?", id));
    if (db.changes() == 0) return not_found("no sandbox '" + id + "'");
    return {};
  });
}

Status Store::journal_sandbox(
    const std::string& db_path, const SandboxRow& row,
    const std::vector<std::pair<std::string, std::string>>& runtime_values) {
  if (row.id.empty()) return invalid("a sandbox needs an id");
  if (!row.name.empty()) return invalid("a named sandbox cannot be journalled: '" + row.name + "'");
  if (row.app_name.empty()) return invalid("a journalled sandbox needs an app name");
  journal::Entry e{journal::Entry::Op::kSandbox, row, runtime_values};
  e.row.created_at = or_now(row.created_at);
  return journal::append(journal::path_for(db_path), journal::encode(e));
}

Status Store::journal_ended(const std::string& db_path, const std::string& id,
                            std::optional<int> returncode, const std::string& reason,
                            const std::string& usage_json) {
  // About 600 bytes a one-shot: a fold of this many costs one command a few milliseconds more.
  constexpr size_t kFoldAbove = size_t{256} << 10;
  journal::Entry e{journal::Entry::Op::kEnded, {}, {}};
  e.row.id = id;
  e.row.ended_at = now_seconds();
  e.row.returncode = returncode;
  e.row.end_reason = reason;
  if (!usage_json.empty()) e.runtime_values.emplace_back("usage", usage_json);
  size_t size = 0;
  SBX_TRY(journal::append(journal::path_for(db_path), journal::encode(e), &size));
  if (size > kFoldAbove) SBX_TRY(Store::open(db_path));  // opening folds
  return {};
}

Status Store::journal_forget(const std::string& db_path, const std::string& id) {
  journal::Entry e{journal::Entry::Op::kForget, {}, {}};
  e.row.id = id;
  return journal::append(journal::path_for(db_path), journal::encode(e));
}

// ---- Processes ----

Status Store::insert_process(const ProcessRow& row) {
  SBX_TRY(impl_->catch_up());
  if (row.id.empty()) return invalid("a process needs an id");
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(impl_->require_sandbox(row.sandbox_id));
    Status status = db.run(
        "INSERT INTO processes (id, sandbox_id, argv_json, state, started_at, ended_at,"
        " returncode, end_reason, detached) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id, row.sandbox_id, row.argv_json, row.state, or_now(row.started_at), row.ended_at,
        row.returncode, null_if_empty(row.end_reason), row.detached);
    return impl_->unique_or(std::move(status), "a process '" + row.id + "' already exists");
  });
}

Result<bool> Store::mark_process_ended(const std::string& id, std::optional<int> returncode,
                                       const std::string& reason) {
  return impl_->end_row(
      "UPDATE processes SET state = 'ended', ended_at = ?, returncode = ?, end_reason = ?"
      " WHERE id = ? AND state != 'ended'",
      id, returncode, reason, [&]() -> Status {
        SBX_ASSIGN_OR_RETURN(bool found, impl_->exists("SELECT 1 FROM processes WHERE id = ?", id));
        if (!found) return not_found("no process '" + id + "'");
        return {};
      });
}

Status Store::end_processes_of(const std::string& sandbox_id, std::optional<int> returncode,
                               const std::string& reason) {
  SBX_TRY(impl_->catch_up());
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(impl_->require_sandbox(sandbox_id));
    return db.run(
        "UPDATE processes SET state = 'ended', ended_at = ?, returncode = ?, end_reason = ?"
        " WHERE sandbox_id = ? AND state != 'ended'",
        now_seconds(), returncode, null_if_empty(reason), sandbox_id);
  });
}

Result<ProcessRow> Store::get_process(const std::string& id) {
  SBX_TRY(impl_->catch_up());
  SBX_ASSIGN_OR_RETURN(Stmt stmt,
                       impl_->db->prepare(std::string(kProcessSelect) + " WHERE id = ?"));
  SBX_ASSIGN_OR_RETURN(bool found, stmt.bind(id).step());
  if (!found) return not_found("no process '" + id + "'");
  return read_process(stmt);
}

Result<std::vector<ProcessRow>> Store::list_processes(const std::string& sandbox_id) {
  SBX_TRY(impl_->catch_up());
  std::vector<ProcessRow> rows;
  SBX_TRY(impl_->db->read_txn([&]() -> Status {
    SBX_TRY(impl_->require_sandbox(sandbox_id));
    SBX_ASSIGN_OR_RETURN(
        Stmt stmt, impl_->db->prepare(std::string(kProcessSelect) + " WHERE sandbox_id = ?"
                                                                    " ORDER BY started_at, rowid"));
    SBX_ASSIGN_OR_RETURN(rows, collect(stmt.bind(sandbox_id), read_process));
    return {};
  }));
  return rows;
}

// ---- Images ----

Status Store::put_image(const ImageRow& row) {
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    if (!row.name.empty())
      SBX_TRY(db.run("UPDATE images SET name = NULL WHERE name = ? AND id != ?", row.name, row.id));
    SBX_ASSIGN_OR_RETURN(bool found, impl_->exists("SELECT 1 FROM images WHERE id = ?", row.id));
    if (found) {
      if (!row.name.empty())
        SBX_TRY(db.run("UPDATE images SET name = ? WHERE id = ?", row.name, row.id));
      return db.run("UPDATE images SET base_dir = ? WHERE id = ?", row.base_dir, row.id);
    }
    return db.run(
        "INSERT INTO images (id, name, base, base_id, base_dir, top_layer, config_json, spec_json,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.id, null_if_empty(row.name), row.base, row.base_id, row.base_dir, row.top_layer,
        row.config_json, row.spec_json, or_now(row.created_at));
  });
}

Result<ImageRow> Store::get_image(const std::string& id_or_name) {
  SBX_ASSIGN_OR_RETURN(Stmt stmt,
                       impl_->db->prepare(std::string(kImageSelect) + " WHERE id = ?1 OR name = ?1"
                                                                      " ORDER BY id = ?1 DESC"));
  SBX_ASSIGN_OR_RETURN(bool found, stmt.bind(id_or_name).step());
  if (!found) return not_found("no image '" + id_or_name + "'");
  return read_image(stmt);
}

Result<std::vector<ImageRow>> Store::list_images() {
  SBX_ASSIGN_OR_RETURN(Stmt stmt,
                       impl_->db->prepare(std::string(kImageSelect) + " ORDER BY created_at, id"));
  return collect(stmt, read_image);
}

Status Store::delete_image(const std::string& id) {
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(db.run("DELETE FROM images WHERE id = ?", id));
    if (db.changes() == 0) return not_found("no image '" + id + "'");
    return {};
  });
}

// ---- Secrets ----

Status Store::create_secret(const std::string& name, const EnvList& env) {
  if (name.empty()) return invalid("a secret name must not be empty");
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(impl_->unique_or(
        db.run("INSERT INTO secrets (name, created_at) VALUES (?, ?)", name, now_seconds()),
        "a secret named '" + name + "' already exists"));
    int position = 0;
    for (const auto& [key, value] : env)
      SBX_TRY(
          db.run("INSERT INTO secret_entries (secret_name, position, key, value)"
                 " VALUES (?, ?, ?, ?)",
                 name, position++, key, value));
    return {};
  });
}

Result<EnvList> Store::get_secret(const std::string& name) {
  EnvList env;
  SBX_TRY(impl_->db->read_txn([&]() -> Status {
    SBX_ASSIGN_OR_RETURN(bool found, impl_->exists("SELECT 1 FROM secrets WHERE name = ?", name));
    if (!found) return not_found("no secret named '" + name + "'");
    SBX_ASSIGN_OR_RETURN(Stmt stmt, impl_->db->prepare("SELECT key, value FROM secret_entries"
                                                       " WHERE secret_name = ? ORDER BY position"));
    env.clear();  // a retried transaction starts over
    return stmt.bind(name).for_each(
        [&](const Stmt& pair) { env.emplace_back(pair.text(0), pair.text(1)); });
  }));
  return env;
}

Result<std::vector<std::string>> Store::list_secrets() {
  SBX_ASSIGN_OR_RETURN(Stmt stmt, impl_->db->prepare("SELECT name FROM secrets ORDER BY name"));
  std::vector<std::string> names;
  SBX_TRY(stmt.for_each([&](const Stmt& row) { names.push_back(row.text(0)); }));
  return names;
}

Status Store::remove_secret(const std::string& name) {
  Db& db = *impl_->db;
  return db.write_txn([&]() -> Status {
    SBX_TRY(db.run("DELETE FROM secrets WHERE name = ?", name));
    if (db.changes() == 0) return not_found("no secret named '" + name + "'");
    return {};
  });
}

}  // namespace sbx
