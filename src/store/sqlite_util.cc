// The SQLite wrappers behind the store: the per-connection statement cache, statement binding
// and reading, transactions with SQLITE_BUSY retries, and user_version migrations. Not
// thread-safe (one Db per thread).
#include "store/sqlite_util.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

// sbx is linked statically and loads no shared object. SQLite's extension loader (never enabled
// here: sqlite3_enable_load_extension is not called) is the one caller of dlopen; the link
// passes --wrap=dlopen (Makefile), which sends that call here instead of to glibc's dlopen.
extern "C" void* __wrap_dlopen(const char* /*file*/, int /*mode*/) { return nullptr; }

namespace sbx::sql {

namespace {

// Whole-transaction attempts when SQLITE_BUSY outlasts the busy timeout.
constexpr int kTxnAttempts = 4;
constexpr auto kRetryBackoff = std::chrono::milliseconds(50);
constexpr auto kWalRetryInterval = std::chrono::milliseconds(5);
// Statements kept prepared per connection. The store has a few dozen distinct ones; the bound
// only matters for SQL built with a variable number of parameters (tag filters).
constexpr size_t kMaxCachedStatements = 64;

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

// The first line of a statement, shortened: enough to recognise it in an error message.
std::string sql_excerpt(std::string_view sql) {
  std::string s(sql);
  size_t start = s.find_first_not_of(" \n");
  if (start == std::string::npos) return "";
  s = s.substr(start, s.find('\n', start) - start);
  constexpr size_t kMax = 48;
  return s.size() > kMax ? s.substr(0, kMax) + "..." : s;
}

// Each sbx command is a short-lived connection, and usually the only one. By default the last
// connection to close checkpoints the WAL into the database and deletes it, and the next one
// creates it again: four fdatasync() calls per command. Instead the WAL stays. With
// synchronous=NORMAL this keeps the same guarantee: the database is never corrupt, and only the
// last commits may roll back after a power loss. But a connection that finds no other open
// rebuilds the WAL's index by reading every frame in it, which at SQLite's default
// auto-checkpoint (1000 pages, 4 MB) costs a command milliseconds. So the WAL is checkpointed
// every kWalCheckpointPages instead: two fdatasync() calls (about 0.3 ms each here) every few
// commands, against reading at most that many pages on open.
constexpr int kWalCheckpointPages = 64;

void keep_wal_across_connections(sqlite3* db) {
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_wal_autocheckpoint(db, kWalCheckpointPages);
}

}  // namespace

// ---- Stmt ----

Stmt::Stmt(Db* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {
  if (in_use_ != nullptr) *in_use_ = true;
}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), in_use_(other.in_use_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

Stmt::~Stmt() {
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);  // a no-op for null
    return;
  }
  sqlite3_reset(stmt_);  // releases its read snapshot, as finalize did
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

void Stmt::check_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind_one(int index, const std::string& value) {
  check_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
void Stmt::bind_one(int index, const char* value) { bind_one(index, std::string(value)); }
void Stmt::bind_one(int index, double value) {
  check_bind(sqlite3_bind_double(stmt_, index, value));
}
void Stmt::bind_one(int index, int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value));
}
void Stmt::bind_one(int index, int value) { bind_one(index, static_cast<int64_t>(value)); }
void Stmt::bind_one(int index, bool value) { bind_one(index, static_cast<int64_t>(value)); }
void Stmt::bind_one(int index, std::nullptr_t) { check_bind(sqlite3_bind_null(stmt_, index)); }
void Stmt::bind_one(int index, const std::optional<std::string>& value) {
  value ? bind_one(index, *value) : bind_one(index, nullptr);
}
void Stmt::bind_one(int index, const std::optional<double>& value) {
  value ? bind_one(index, *value) : bind_one(index, nullptr);
}
void Stmt::bind_one(int index, const std::optional<int>& value) {
  value ? bind_one(index, *value) : bind_one(index, nullptr);
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK)
    return db_->fail("cannot bind '" + sql_excerpt(sqlite3_sql(stmt_)) + "'", bind_rc_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->fail("'" + sql_excerpt(sqlite3_sql(stmt_)) + "' failed", rc);
}

Status Stmt::run() {
  return for_each([](const Stmt&) {});
}

Status Stmt::for_each(const std::function<void(const Stmt&)>& fn) {
  for (;;) {
    SBX_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return {};
    fn(*this);
  }
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Stmt::text(int col) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (data == nullptr) return "";
  return std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<double> Stmt::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<int> Stmt::opt_int(int col) const {
  if (is_null(col)) return std::nullopt;
  return static_cast<int>(integer(col));
}

// ---- Db ----

void Db::Closer::operator()(sqlite3* handle) const { sqlite3_close_v2(handle); }

Db::~Db() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<Db> db(
      new Db(raw, busy_timeout_ms));  // owns the handle even when the open failed
  if (rc != SQLITE_OK) {
    std::string why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return internal("cannot open state database '" + path + "': " + why);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  keep_wal_across_connections(raw);
  return db;
}

Error Db::fail(const std::string& what, int rc) {
  last_failure_ = rc;
  return internal("state database: " + what + ": " + sqlite3_errmsg(handle_.get()));
}

bool Db::last_failure_was_duplicate() const {
  return last_failure_ == SQLITE_CONSTRAINT_UNIQUE || last_failure_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool Db::last_failure_was_busy() const { return is_busy(last_failure_); }

Result<Stmt> Db::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    if (it->second.in_use) return prepare_uncached(sql, nullptr);
    return Stmt(this, it->second.stmt, &it->second.in_use);
  }
  if (cache_.size() >= kMaxCachedStatements) return prepare_uncached(sql, nullptr);
  Cached& entry = cache_[std::string(sql)];
  return prepare_uncached(sql, &entry.in_use);
}

// Prepares sql; with in_use (a new cache slot's flag), as a persistent statement kept in the
// cache, and the slot is dropped again when the prepare fails.
Result<Stmt> Db::prepare_uncached(std::string_view sql, bool* in_use) {
  sqlite3_stmt* raw = nullptr;
  unsigned flags = in_use != nullptr ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(handle_.get(), sql.data(), static_cast<int>(sql.size()), flags, &raw,
                              nullptr);
  if (rc != SQLITE_OK || raw == nullptr) {
    sqlite3_finalize(raw);
    if (in_use != nullptr) cache_.erase(cache_.find(sql));
    if (rc == SQLITE_OK) rc = SQLITE_MISUSE;  // empty SQL: nothing to run
    return fail("cannot prepare '" + sql_excerpt(sql) + "'", rc);
  }
  if (in_use != nullptr) cache_.find(sql)->second.stmt = raw;
  return Stmt(this, raw, in_use);
}

Status Db::exec(const char* sql) {
  int rc = sqlite3_exec(handle_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail("'" + sql_excerpt(sql) + "' failed", rc);
  return {};
}

int Db::changes() const { return sqlite3_changes(handle_.get()); }

// BEGIN and COMMIT go through the statement cache too: sqlite3_exec() would parse them anew
// for every transaction.
Status Db::run_txn(const char* begin, const std::function<Status()>& body) {
  SBX_TRY(run(begin));
  Status status = body();
  if (status.ok()) status = run("COMMIT");
  // A failed statement may already have rolled the transaction back (e.g. on SQLITE_BUSY).
  if (!status.ok() && sqlite3_get_autocommit(handle_.get()) == 0)
    sqlite3_exec(handle_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  return status;
}

Status Db::with_retries(const char* begin, const std::function<Status()>& body) {
  for (int attempt = 1;; ++attempt) {
    last_failure_ = 0;
    Status status = run_txn(begin, body);
    if (status.ok() || !last_failure_was_busy() || attempt == kTxnAttempts) return status;
    std::this_thread::sleep_for(kRetryBackoff * attempt);
  }
}

Status Db::write_txn(const std::function<Status()>& body) {
  return with_retries("BEGIN IMMEDIATE", body);
}

Status Db::read_txn(const std::function<Status()>& body) { return with_retries("BEGIN", body); }

Result<int> Db::user_version() {
  SBX_ASSIGN_OR_RETURN(Stmt stmt, prepare("PRAGMA user_version"));
  SBX_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return internal("state database: PRAGMA user_version returned no row");
  return static_cast<int>(stmt.integer(0));
}

Status Db::enable_wal() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
  for (;;) {
    Result<Stmt> stmt = prepare("PRAGMA journal_mode = WAL");
    Result<bool> row = stmt.ok() ? stmt->step() : Result<bool>(std::move(stmt).error());
    if (row.ok()) {
      std::string mode = *row ? stmt->text(0) : "";
      if (mode == "wal") return {};
      return internal("state database: cannot switch to WAL journaling (mode is '" + mode + "')");
    }
    if (!last_failure_was_busy() || std::chrono::steady_clock::now() > deadline)
      return std::move(row).error();
    std::this_thread::sleep_for(kWalRetryInterval);
  }
}

namespace {

Status check_not_newer(int version, int latest) {
  if (version <= latest) return {};
  return Error(ErrorKind::kFailedPrecondition,
               "state database has schema version " + std::to_string(version) +
                   ", newer than this sbx supports (" + std::to_string(latest) + ")");
}

}  // namespace

Status Db::migrate(std::span<const char* const> migrations) {
  const int latest = static_cast<int>(migrations.size());
  SBX_ASSIGN_OR_RETURN(int version, user_version());
  SBX_TRY(check_not_newer(version, latest));
  if (version == latest) return {};
  return write_txn([&]() -> Status {
    // Another process may have migrated between the check above and our write lock.
    SBX_ASSIGN_OR_RETURN(int current, user_version());
    SBX_TRY(check_not_newer(current, latest));
    for (int step = current; step < latest; ++step) {
      Status status = exec(migrations[step]);
      if (!status.ok())
        return std::move(status).error().context("migration " + std::to_string(step + 1));
    }
    return exec(("PRAGMA user_version = " + std::to_string(latest)).c_str());
  });
}

}  // namespace sbx::sql
