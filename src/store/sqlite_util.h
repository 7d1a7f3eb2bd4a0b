// Thin RAII wrappers over SQLite for the store: a connection (Db) with a cache of prepared
// statements, a statement in use (Stmt), write transactions that retry on SQLITE_BUSY, and
// user_version-based schema migrations. Not thread-safe: a Db and its Stmts belong to one
// thread. sqlite3.h stays in the .cc files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sbx/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sbx::sql {

class Db;

// A prepared statement in use. bind() fills ?1..?N in order; a failed bind is reported by the
// next step(). On destruction a statement borrowed from its Db's cache is reset, its bindings
// cleared, and handed back; any other is finalized. A Stmt must not outlive its Db.
class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* stmt, bool* in_use = nullptr);
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  template <typename... Args>
  Stmt& bind(const Args&... args) {
    int index = 1;
    (bind_one(index++, args), ...);
    return *this;
  }
  // Binds one value to ?index, for statements built with a variable number of parameters.
  template <typename T>
  Stmt& bind_at(int index, const T& value) {
    bind_one(index, value);
    return *this;
  }

  Result<bool> step();  // true: a row is ready; false: done
  Status run();         // steps to completion; for statements that return no rows
  // Steps through every row, calling fn with the statement positioned on it.
  Status for_each(const std::function<void(const Stmt&)>& fn);

  bool is_null(int col) const;
  std::string text(int col) const;  // "" for NULL
  double real(int col) const;       // 0 for NULL
  int64_t integer(int col) const;   // 0 for NULL
  std::optional<double> opt_real(int col) const;
  std::optional<int> opt_int(int col) const;

 private:
  void bind_one(int index, const std::string& value);
  void bind_one(int index, const char* value);
  void bind_one(int index, double value);
  void bind_one(int index, int64_t value);
  void bind_one(int index, int value);
  void bind_one(int index, bool value);
  void bind_one(int index, std::nullptr_t);
  void bind_one(int index, const std::optional<std::string>& value);
  void bind_one(int index, const std::optional<double>& value);
  void bind_one(int index, const std::optional<int>& value);
  void check_bind(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag when borrowed from the cache, else null
  int bind_rc_ = 0;
};

// One connection, closed on destruction.
class Db {
 public:
  // Opens (creating if needed) the database at path with the given busy timeout.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int busy_timeout_ms);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // A statement for sql, prepared once per connection and reused: parsing is most of the cost
  // of a short statement. A statement already in use (nested) is prepared afresh.
  Result<Stmt> prepare(std::string_view sql);
  // Runs one or more statements that take no parameters and whose rows are ignored.
  Status exec(const char* sql);
  // Prepares, binds and runs one statement that returns no rows.
  template <typename... Args>
  Status run(std::string_view sql, const Args&... args) {
    SBX_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql));
    return stmt.bind(args...).run();
  }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;

  // Runs body in a BEGIN IMMEDIATE transaction (writers queue on the busy handler instead of
  // failing on lock upgrade); commits when body succeeds, rolls back otherwise. The whole
  // transaction is retried a few times when SQLITE_BUSY still comes back.
  Status write_txn(const std::function<Status()>& body);
  // The same with a deferred (read) transaction: one consistent snapshot for several reads.
  Status read_txn(const std::function<Status()>& body);

  // Applies the steps of migrations that PRAGMA user_version says are missing, in one write
  // transaction that re-reads user_version, so concurrent openers of a fresh file both succeed.
  Status migrate(std::span<const char* const> migrations);
  Result<int> user_version();
  // Switches to WAL journaling (persistent in the file). SQLite does not wait on the busy
  // handler for this, so it is retried until the busy timeout when other openers hold locks.
  Status enable_wal();

  // Whether the last failure this Db reported (since the last transaction began) was a
  // UNIQUE or PRIMARY KEY violation, or SQLITE_BUSY; lets callers map them to their own errors.
  bool last_failure_was_duplicate() const;
  bool last_failure_was_busy() const;

  // A kInternal error naming what failed, with SQLite's message; records the failure code.
  Error fail(const std::string& what, int rc);

 private:
  struct Closer {
    void operator()(sqlite3* handle) const;
  };

  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Looks statements up by a string_view, without building a std::string per call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Db(sqlite3* handle, int busy_timeout_ms) : handle_(handle), busy_timeout_ms_(busy_timeout_ms) {}
  Result<Stmt> prepare_uncached(std::string_view sql, bool* in_use);
  Status run_txn(const char* begin, const std::function<Status()>& body);
  Status with_retries(const char* begin, const std::function<Status()>& body);

  std::unique_ptr<sqlite3, Closer> handle_;
  int busy_timeout_ms_;
  int last_failure_ = 0;
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;

  friend class Stmt;
};

// The store's schema, oldest step first (defined in schema.cc).
std::span<const char* const> store_migrations();

}  // namespace sbx::sql
