// The store's journal: sandbox rows written without opening the database. Opening SQLite, reading
// the schema and committing costs a short-lived process milliseconds, most of an unnamed
// `sbx run`'s own overhead; appending a line to a file costs tens of microseconds. So an unnamed
// one-shot appends its row, and later its end, to sbx.db-pending beside the database, and every
// Store folds that file in before it reads or writes sandboxes (Store::Impl::catch_up).
//
// The file is JSON lines. Appends are one write() each with O_APPEND under a shared flock; a
// fold takes the exclusive flock, reads every line, applies them in one transaction and then
// truncates the file. Applying is idempotent (a row that exists is not inserted again, an ended
// row is not ended again, a row gone stays gone), so a fold cut short between its commit and the
// truncate repeats nothing. Each line also starts with a newline: a line torn by a crash or a
// full disk spoils only itself, and a line that does not decode is skipped. Internal to the
// store module; the engine uses Store's journal_* functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sbx/error.h"
#include "store/store.h"

namespace sbx::journal {

struct Entry {
  enum class Op { kSandbox, kEnded, kForget };
  Op op = Op::kSandbox;
  // kSandbox: id, app_name, state, spec_json, created_at, supervisor_pid, tags.
  // kEnded: id, ended_at, returncode, end_reason. kForget: id.
  SandboxRow row;
  // kSandbox: runtime_json keys and their JSON text; kEnded: "usage", when known.
  std::vector<std::pair<std::string, std::string>> runtime_values;
};

// The journal of the database at db_path.
std::string path_for(const std::string& db_path);

// One line of the file, with its leading and trailing newline.
std::string encode(const Entry& entry);
// One line without its newlines; kInvalidArgument when it is not an entry.
Result<Entry> decode(std::string_view line);

// Appends one encoded line (the file is created with mode 0600); *size_after, when given, is
// the file's size once it is written.
Status append(const std::string& path, const std::string& line, size_t* size_after = nullptr);

// Under the exclusive lock: reads the entries (skipping lines that do not decode), hands them to
// apply in file order, and empties the file once apply succeeded. Nothing to do (no file, or an
// empty one) costs one stat().
Status fold(const std::string& path, const std::function<Status(const std::vector<Entry>&)>& apply);

}  // namespace sbx::journal
