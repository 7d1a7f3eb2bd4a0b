// The store's journal (journal.h): encoding of its lines, appending, folding.
#include "store/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/fd.h"
#include "util/json.h"

namespace sbx::journal {

namespace {

const char* op_name(Entry::Op op) {
  switch (op) {
    case Entry::Op::kSandbox: return "sandbox";
    case Entry::Op::kEnded: return "ended";
    case Entry::Op::kForget: return "forget";
  }
  return "?";
}

// Reads the whole file from its start.
Result<std::string> read_from_start(int fd, const std::string& path) {
  std::string text;
  char buf[16384];
  for (off_t at = 0;;) {
    ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read " + path);
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
}

Result<std::vector<std::pair<std::string, std::string>>> decode_values(const JsonNode& values) {
  std::vector<std::pair<std::string, std::string>> out;
  SBX_ASSIGN_OR_RETURN(auto items, values.items());
  for (auto& [key, node] : items) {
    SBX_ASSIGN_OR_RETURN(std::string json, node.string());
    out.emplace_back(key, std::move(json));
  }
  return out;
}

}  // namespace

std::string path_for(const std::string& db_path) { return db_path + "-pending"; }

std::string encode(const Entry& e) {
  const SandboxRow& r = e.row;
  JsonWriter w;
  w.begin_object().field("op", op_name(e.op)).field("id", r.id);
  switch (e.op) {
    case Entry::Op::kSandbox:
      w.field("app", r.app_name).field("state", r.state).field("spec", r.spec_json);
      w.field("created_at", r.created_at).field("supervisor_pid", r.supervisor_pid);
      w.key("tags").begin_object();
      for (const auto& [key, value] : r.tags) w.field(key, value);
      w.end_object();
      break;
    case Entry::Op::kEnded:
      w.field("ended_at", r.ended_at).field("returncode", r.returncode);
      w.field("reason", r.end_reason);
      break;
    case Entry::Op::kForget: break;
  }
  if (!e.runtime_values.empty()) {
    w.key("runtime").begin_object();
    for (const auto& [key, json] : e.runtime_values) w.field(key, json);
    w.end_object();
  }
  w.end_object();
  return "\n" + w.take() + "\n";
}

Result<Entry> decode(std::string_view line) {
  SBX_ASSIGN_OR_RETURN(JsonValue doc, parse_json(line));
  JsonNode n(doc);
  Entry e;
  SandboxRow& r = e.row;
  SBX_ASSIGN_OR_RETURN(std::string op, n.string_at("op"));
  SBX_ASSIGN_OR_RETURN(r.id, n.string_at("id"));
  if (r.id.empty()) return n.error("an entry without an id");
  if (op == "sandbox") {
    e.op = Entry::Op::kSandbox;
    SBX_ASSIGN_OR_RETURN(r.app_name, n.string_at("app"));
    SBX_ASSIGN_OR_RETURN(r.state, n.string_at("state"));
    SBX_ASSIGN_OR_RETURN(r.spec_json, n.string_at("spec"));
    SBX_ASSIGN_OR_RETURN(JsonNode created, n.at("created_at"));
    SBX_ASSIGN_OR_RETURN(r.created_at, created.number());
    SBX_ASSIGN_OR_RETURN(r.supervisor_pid, n.int64_at("supervisor_pid"));
    SBX_ASSIGN_OR_RETURN(JsonNode tags, n.at("tags"));
    SBX_ASSIGN_OR_RETURN(auto pairs, decode_values(tags));
    for (auto& [key, value] : pairs) r.tags[key] = std::move(value);
  } else if (op == "ended") {
    e.op = Entry::Op::kEnded;
    SBX_ASSIGN_OR_RETURN(JsonNode at, n.at("ended_at"));
    SBX_ASSIGN_OR_RETURN(r.ended_at, at.number());
    SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> rc, n.find("returncode"));
    if (rc) {
      SBX_ASSIGN_OR_RETURN(int64_t code, rc->int64());
      r.returncode = static_cast<int>(code);
    }
    SBX_ASSIGN_OR_RETURN(r.end_reason, n.string_or("reason", ""));
  } else if (op == "forget") {
    e.op = Entry::Op::kForget;
  } else {
    return n.error("unknown op '" + op + "'");
  }
  SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> runtime, n.find("runtime"));
  if (runtime) {
    SBX_ASSIGN_OR_RETURN(e.runtime_values, decode_values(*runtime));
  }
  // Each value becomes part of runtime_json through SQLite's json(): checked here, so that one
  // bad line cannot fail every fold after it.
  for (const auto& [key, json] : e.runtime_values)
    if (!parse_json(json).ok()) return n.error("runtime value '" + key + "' is not JSON");
  return e;
}

Status append(const std::string& path, const std::string& line, size_t* size_after) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return sys_error("cannot open the state journal '" + path + "'");
  SBX_TRY(lock_fd(fd.get(), LOCK_SH, path));
  // One write: with O_APPEND the kernel places it whole after every earlier one, and a fold
  // (holding the exclusive lock) sees all of it or none.
  ssize_t n;
  do {
    n = write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("cannot write the state journal '" + path + "'");
  if (static_cast<size_t>(n) != line.size())
    return Error(ErrorKind::kInternal, "short write to the state journal '" + path + "'");
  if (size_after != nullptr) {
    struct stat st;
    *size_after = fstat(fd.get(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  return {};
}

Status fold(const std::string& path,
            const std::function<Status(const std::vector<Entry>&)>& apply) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return sys_error("stat " + path);
  }
  if (st.st_size == 0) return {};
  UniqueFd fd(open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return {};
    return sys_error("cannot open the state journal '" + path + "'");
  }
  SBX_TRY(lock_fd(fd.get(), LOCK_EX, path));
  SBX_ASSIGN_OR_RETURN(std::string text, read_from_start(fd.get(), path));
  if (text.empty()) return {};  // folded by someone else meanwhile
  std::vector<Entry> entries;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    // A line cut short by a crash or a full disk, or one this version cannot read: skipped.
    if (Result<Entry> e = decode(line); e.ok()) entries.push_back(std::move(e).value());
  }
  SBX_TRY(apply(entries));
  if (ftruncate(fd.get(), 0) != 0)
    return sys_error("cannot empty the state journal '" + path + "'");
  return {};
}

}  // namespace sbx::journal
