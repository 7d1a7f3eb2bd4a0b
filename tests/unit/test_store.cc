// Unit tests of the state store against real database files in fresh temporary directories,
// including races between forked processes. Single-threaded; children only use their own Store.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "store/journal.h"
#include "store/sqlite_memory.h"
#include "store/sqlite_util.h"
#include "store/store.h"
#include "util/ids.h"

using namespace sbx;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sbx-store-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) FAIL("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::unique_ptr<Store> open_store(const std::string& path) {
  auto store = Store::open(path);
  INFO((store.ok() ? "" : store.error().to_string()));
  REQUIRE(store.ok());
  return std::move(store).value();
}

template <typename T>
void require_ok(const Result<T>& result) {
  INFO((result.ok() ? "" : result.error().to_string()));
  REQUIRE(result.ok());
}

template <typename T>
void require_error(const Result<T>& result, ErrorKind kind, const std::string& message) {
  REQUIRE_FALSE(result.ok());
  CHECK(error_kind_name(result.error().kind()) == std::string(error_kind_name(kind)));
  CHECK(result.error().message() == message);
}

SandboxRow make_sandbox(const AppInfo& app, const std::string& name, TagMap tags = {},
                        const std::string& state = "creating") {
  SandboxRow row;
  row.id = new_id("sb");
  row.app_id = app.id;
  row.name = name;
  row.state = state;
  row.spec_json = R"({"command":["sleep","1"]})";
  row.created_at = now_seconds();
  row.tags = std::move(tags);
  return row;
}

ProcessRow make_process(const std::string& sandbox_id, bool detached = false) {
  ProcessRow row;
  row.id = new_id("pr");
  row.sandbox_id = sandbox_id;
  row.argv_json = R"(["echo","hi"])";
  row.state = "running";
  row.started_at = now_seconds();
  row.detached = detached;
  return row;
}

// Inserts a sandbox and returns its row; fails the test on error.
SandboxRow insert(Store& store, const AppInfo& app, const std::string& name, TagMap tags = {}) {
  SandboxRow row = make_sandbox(app, name, std::move(tags));
  require_ok(store.insert_sandbox(row));
  return row;
}

SandboxFilter filter(std::optional<std::string> app_name = std::nullopt, TagMap tags = {},
                     bool include_ended = false) {
  SandboxFilter f;
  f.app_name = std::move(app_name);
  f.tags = std::move(tags);
  f.include_ended = include_ended;
  return f;
}

mode_t file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::vector<std::string> names_of(const std::vector<SandboxRow>& rows) {
  std::vector<std::string> names;
  for (const SandboxRow& row : rows) names.push_back(row.name);
  return names;
}

}  // namespace

TEST_CASE("store: migrations on a fresh file and on reopen", "[store]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    auto store = open_store(path);
    CHECK(store->schema_version() == static_cast<int>(sql::store_migrations().size()));
    CHECK(store->schema_version() >= 1);
    require_ok(store->create_app("kept"));
  }
  auto store = open_store(path);
  CHECK(store->schema_version() == static_cast<int>(sql::store_migrations().size()));
  auto app = store->get_app("kept");
  require_ok(app);
  CHECK(app->name == "kept");

  SECTION("a database from a newer sbx is refused") {
    auto db = sql::Db::open(path, 1000);
    require_ok(db);
    require_ok((*db)->exec("PRAGMA user_version = 99"));
    auto newer = Store::open(path);
    REQUIRE_FALSE(newer.ok());
    CHECK(newer.error().kind() == ErrorKind::kFailedPrecondition);
    CHECK_THAT(newer.error().message(), Catch::Contains("schema version 99"));
  }
}

TEST_CASE("store: the database file is private", "[store]") {
  TempDir dir;
  const std::string path = dir.file("state.db");

  SECTION("a new file is created 0600, and so are the WAL files") {
    auto store = open_store(path);
    require_ok(store->create_app("x"));
    CHECK(file_mode(path) == 0600);
    CHECK(file_mode(path + "-wal") == 0600);
    CHECK(file_mode(path + "-shm") == 0600);
  }
  SECTION("an existing file readable by others is made private") {
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::fchmod(fd, 0644) == 0);
    ::close(fd);
    auto store = open_store(path);
    CHECK(file_mode(path) == 0600);
  }
  SECTION("a missing directory is a clear error") {
    auto store = Store::open(dir.file("missing/state.db"));
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().kind() == ErrorKind::kNotFound);
    CHECK_THAT(store.error().message(), Catch::Contains("missing/state.db"));
  }
}

TEST_CASE("store: apps", "[store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));

  auto app = store->create_app("my-app");
  require_ok(app);
  CHECK(is_id(app->id, "ap"));
  CHECK(app->running == 0);

  SECTION("create refuses a duplicate name") {
    require_error(store->create_app("my-app"), ErrorKind::kAlreadyExists,
                  "an app named 'my-app' already exists");
    require_error(store->create_app(""), ErrorKind::kInvalidArgument,
                  "an app name must not be empty");
  }
  SECTION("ensure returns the existing app or creates one") {
    auto same = store->ensure_app("my-app");
    require_ok(same);
    CHECK(same->id == app->id);
    auto fresh = store->ensure_app("default");
    require_ok(fresh);
    CHECK(is_id(fresh->id, "ap"));
    CHECK(fresh->id != app->id);
    auto again = store->ensure_app("default");
    require_ok(again);
    CHECK(again->id == fresh->id);
  }
  SECTION("get of an unknown app") {
    require_error(store->get_app("nope"), ErrorKind::kNotFound, "no app named 'nope'");
  }
  SECTION("list is ordered by name with creating+running counts") {
    auto other = store->create_app("another");
    require_ok(other);
    insert(*store, *app, "a");  // creating
    SandboxRow running = insert(*store, *app, "b");
    require_ok(store->mark_running(running.id, 42));
    SandboxRow ended = insert(*store, *app, "c");
    require_ok(store->mark_ended(ended.id, 0, "exit"));
    auto apps = store->list_apps();
    require_ok(apps);
    REQUIRE(apps->size() == 2);
    CHECK((*apps)[0].name == "another");
    CHECK((*apps)[0].running == 0);
    CHECK((*apps)[1].name == "my-app");
    CHECK((*apps)[1].running == 2);
    CHECK(store->get_app("my-app")->running == 2);
  }
  SECTION("remove is refused while sandboxes run, allowed once they ended") {
    SandboxRow row = insert(*store, *app, "worker", {{"k", "v"}});
    require_ok(store->mark_running(row.id, 42));
    ProcessRow proc = make_process(row.id);
    require_ok(store->insert_process(proc));
    require_error(store->remove_app("my-app"), ErrorKind::kFailedPrecondition,
                  "app 'my-app' still has 1 creating or running sandbox(es); terminate them "
                  "first");
    CHECK(store->get_app("my-app").ok());

    require_ok(store->mark_ended(row.id, 137, "terminated"));
    require_ok(store->remove_app("my-app"));
    require_error(store->get_app("my-app"), ErrorKind::kNotFound, "no app named 'my-app'");
    require_error(store->get_sandbox(row.id), ErrorKind::kNotFound, "no sandbox '" + row.id + "'");
    require_error(store->get_process(proc.id), ErrorKind::kNotFound,
                  "no process '" + proc.id + "'");
    require_error(store->remove_app("my-app"), ErrorKind::kNotFound, "no app named 'my-app'");
    // The name is free again.
    require_ok(store->create_app("my-app"));
  }
}

TEST_CASE("store: sandboxes", "[store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  auto app = store->create_app("my-app");
  require_ok(app);

  SECTION("insert and get round trip") {
    SandboxRow row = make_sandbox(*app, "worker", {{"team", "ml"}, {"tier", "gpu"}});
    require_ok(store->insert_sandbox(row));
    auto got = store->get_sandbox(row.id);
    require_ok(got);
    CHECK(got->id == row.id);
    CHECK(got->app_id == app->id);
    CHECK(got->app_name == "my-app");
    CHECK(got->name == "worker");
    CHECK(got->state == "creating");
    CHECK(got->spec_json == row.spec_json);
    CHECK(got->created_at == Approx(row.created_at));
    CHECK_FALSE(got->ended_at.has_value());
    CHECK_FALSE(got->returncode.has_value());
    CHECK(got->end_reason.empty());
    CHECK(got->supervisor_pid == 0);
    CHECK(got->tags == TagMap{{"team", "ml"}, {"tier", "gpu"}});

    require_error(store->get_sandbox("sb-unknown"), ErrorKind::kNotFound,
                  "no sandbox 'sb-unknown'");
    require_error(store->insert_sandbox(row), ErrorKind::kAlreadyExists,
                  "a sandbox '" + row.id + "' already exists");
  }
  SECTION("runtime facts: each key set on its own, others kept") {
    SandboxRow row = insert(*store, *app, "");
    CHECK(store->get_sandbox(row.id)->runtime_json == "{}");
    require_ok(store->set_runtime_value(row.id, "limits_backend", "\"cgroup1\""));
    require_ok(store->set_runtime_value(row.id, "usage", R"({"peak_memory":42})"));
    require_ok(store->set_runtime_value(row.id, "limits_backend", "\"rlimit\""));
    CHECK(store->get_sandbox(row.id)->runtime_json ==
          R"({"limits_backend":"rlimit","usage":{"peak_memory":42}})");
    require_error(store->set_runtime_value("sb-unknown", "usage", "{}"), ErrorKind::kNotFound,
                  "no sandbox 'sb-unknown'");
    CHECK_FALSE(store->set_runtime_value(row.id, "usage", "{not json").ok());
  }
  SECTION("runtime facts known at insert go in with the row, or not at all") {
    SandboxRow row = make_sandbox(*app, "", {}, "running");
    require_ok(store->insert_sandbox(
        row, {{"limits_backend", "\"rlimit\""}, {"tunnels", R"([{"container_port":80}])"}}));
    CHECK(store->get_sandbox(row.id)->runtime_json ==
          R"({"limits_backend":"rlimit","tunnels":[{"container_port":80}]})");
    SandboxRow bad = make_sandbox(*app, "", {}, "running");
    CHECK_FALSE(store->insert_sandbox(bad, {{"usage", "{not json"}}).ok());
    require_error(store->get_sandbox(bad.id), ErrorKind::kNotFound, "no sandbox '" + bad.id + "'");
  }
  SECTION("sandboxes without a name never collide") {
    SandboxRow a = insert(*store, *app, "");
    SandboxRow b = insert(*store, *app, "");
    CHECK(store->get_sandbox(a.id)->name.empty());
    CHECK(store->get_sandbox(b.id)->name.empty());
  }
  SECTION("an unknown app id is refused") {
    AppInfo ghost{"ap-ghost", "ghost", 0, 0};
    require_error(store->insert_sandbox(make_sandbox(ghost, "x")), ErrorKind::kNotFound,
                  "no app with id 'ap-ghost'");
  }
  SECTION("a running name is unique in its app until that sandbox ends") {
    SandboxRow first = insert(*store, *app, "worker");
    require_ok(store->mark_running(first.id, 100));
    require_error(store->insert_sandbox(make_sandbox(*app, "worker")), ErrorKind::kAlreadyExists,
                  "a running sandbox named 'worker' already exists in app 'my-app'");

    auto other_app = store->create_app("other");
    require_ok(other_app);
    insert(*store, *other_app, "worker");  // other apps have their own names

    require_ok(store->mark_ended(first.id, 0, "exit"));
    SandboxRow second = insert(*store, *app, "worker");
    auto found = store->find_sandbox("my-app", "worker");
    require_ok(found);
    CHECK(found->id == second.id);  // the live one is preferred over the ended one
  }
  SECTION("find prefers the live sandbox, else the most recently created ended one") {
    SandboxRow old_ended = make_sandbox(*app, "job", {}, "ended");
    old_ended.created_at = 1000;
    require_ok(store->insert_sandbox(old_ended));
    SandboxRow live = make_sandbox(*app, "job");
    live.created_at = 500;  // older than the ended ones, still preferred
    require_ok(store->insert_sandbox(live));
    SandboxRow new_ended = make_sandbox(*app, "job", {}, "ended");
    new_ended.created_at = 2000;
    require_ok(store->insert_sandbox(new_ended));

    CHECK(store->find_sandbox("my-app", "job")->id == live.id);
    require_ok(store->mark_ended(live.id, 0, "exit"));
    CHECK(store->find_sandbox("my-app", "job")->id == new_ended.id);

    require_error(store->find_sandbox("my-app", "nope"), ErrorKind::kNotFound,
                  "no sandbox named 'nope' in app 'my-app'");
    require_error(store->find_sandbox("no-app", "job"), ErrorKind::kNotFound,
                  "no app named 'no-app'");
  }
  SECTION("mark_running and mark_ended") {
    SandboxRow row = insert(*store, *app, "worker");
    require_ok(store->mark_running(row.id, 4242));
    auto running = store->get_sandbox(row.id);
    CHECK(running->state == "running");
    CHECK(running->supervisor_pid == 4242);

    auto changed = store->mark_ended(row.id, 3, "exit");
    require_ok(changed);
    CHECK(*changed);
    auto ended = store->get_sandbox(row.id);
    CHECK(ended->state == "ended");
    REQUIRE(ended->ended_at.has_value());
    CHECK(*ended->returncode == 3);
    CHECK(ended->end_reason == "exit");

    auto again = store->mark_ended(row.id, 137, "terminated");
    require_ok(again);
    CHECK_FALSE(*again);
    auto kept = store->get_sandbox(row.id);
    CHECK(*kept->returncode == 3);
    CHECK(kept->end_reason == "exit");
    CHECK(*kept->ended_at == *ended->ended_at);

    require_error(store->mark_running(row.id, 1), ErrorKind::kFailedPrecondition,
                  "sandbox '" + row.id + "' has already ended");
    require_error(store->mark_running("sb-x", 1), ErrorKind::kNotFound, "no sandbox 'sb-x'");
    require_error(store->mark_ended("sb-x", 0, "exit"), ErrorKind::kNotFound, "no sandbox 'sb-x'");
  }
  SECTION("an end without a return code") {
    SandboxRow row = insert(*store, *app, "");
    require_ok(store->mark_ended(row.id, std::nullopt, "lost"));
    auto got = store->get_sandbox(row.id);
    CHECK_FALSE(got->returncode.has_value());
    CHECK(got->end_reason == "lost");
  }
  SECTION("set_tags replaces the whole set") {
    SandboxRow row = insert(*store, *app, "", {{"a", "1"}, {"b", "2"}});
    require_ok(store->set_tags(row.id, {{"b", "3"}, {"c", "4"}}));
    CHECK(store->get_sandbox(row.id)->tags == TagMap{{"b", "3"}, {"c", "4"}});
    require_ok(store->set_tags(row.id, {}));
    CHECK(store->get_sandbox(row.id)->tags.empty());
    require_error(store->set_tags("sb-x", {}), ErrorKind::kNotFound, "no sandbox 'sb-x'");
  }
  SECTION("delete removes the sandbox with its tags and processes") {
    SandboxRow row = insert(*store, *app, "gone", {{"a", "1"}});
    ProcessRow proc = make_process(row.id);
    require_ok(store->insert_process(proc));
    require_ok(store->delete_sandbox(row.id));
    CHECK(store->get_sandbox(row.id).error().kind() == ErrorKind::kNotFound);
    CHECK(store->get_process(proc.id).error().kind() == ErrorKind::kNotFound);
    require_error(store->delete_sandbox(row.id), ErrorKind::kNotFound,
                  "no sandbox '" + row.id + "'");
  }
}

TEST_CASE("store: list_sandboxes filters", "[store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  auto app1 = store->create_app("one");
  auto app2 = store->create_app("two");
  require_ok(app1);
  require_ok(app2);
  insert(*store, *app1, "a", {{"env", "prod"}, {"team", "ml"}});
  insert(*store, *app1, "b", {{"env", "prod"}});
  SandboxRow c = insert(*store, *app2, "c", {{"env", "prod"}, {"team", "ml"}});
  SandboxRow d = insert(*store, *app2, "d", {{"env", "dev"}, {"team", "ml"}});
  require_ok(store->mark_running(c.id, 1));
  require_ok(store->mark_ended(d.id, 0, "exit"));

  auto list = [&](SandboxFilter filter) {
    auto rows = store->list_sandboxes(filter);
    require_ok(rows);
    return names_of(*rows);
  };
  using Names = std::vector<std::string>;

  CHECK(list(filter()) == Names{"a", "b", "c"});
  CHECK(list(filter(std::nullopt, {}, true)) == Names{"a", "b", "c", "d"});
  CHECK(list(filter("one", {}, false)) == Names{"a", "b"});
  CHECK(list(filter("two", {}, false)) == Names{"c"});
  CHECK(list(filter("two", {}, true)) == Names{"c", "d"});
  CHECK(list(filter("nope", {}, true)).empty());
  CHECK(list(filter(std::nullopt, {{"env", "prod"}}, false)) == Names{"a", "b", "c"});
  CHECK(list(filter(std::nullopt, {{"env", "prod"}, {"team", "ml"}}, false)) == Names{"a", "c"});
  CHECK(list(filter(std::nullopt, {{"team", "ml"}}, true)) == Names{"a", "c", "d"});
  CHECK(list(filter(std::nullopt, {{"env", "prod"}, {"team", "other"}}, false)).empty());
  CHECK(list(filter("one", {{"team", "ml"}}, false)) == Names{"a"});

  auto rows = store->list_sandboxes(filter("two", {}, true));
  require_ok(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].app_name == "two");
  CHECK((*rows)[0].state == "running");
  CHECK((*rows)[0].tags == TagMap{{"env", "prod"}, {"team", "ml"}});
  CHECK((*rows)[1].state == "ended");
}

TEST_CASE("store: processes", "[store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  auto app = store->create_app("my-app");
  require_ok(app);
  SandboxRow sandbox = insert(*store, *app, "worker");
  SandboxRow other = insert(*store, *app, "other");

  ProcessRow first = make_process(sandbox.id);
  ProcessRow second = make_process(sandbox.id, true);
  second.started_at = first.started_at + 1;
  ProcessRow elsewhere = make_process(other.id);
  require_ok(store->insert_process(first));
  require_ok(store->insert_process(second));
  require_ok(store->insert_process(elsewhere));

  auto got = store->get_process(second.id);
  require_ok(got);
  CHECK(got->sandbox_id == sandbox.id);
  CHECK(got->argv_json == second.argv_json);
  CHECK(got->state == "running");
  CHECK(got->detached);
  CHECK_FALSE(got->ended_at.has_value());

  SECTION("insert checks the sandbox and the id") {
    require_error(store->insert_process(make_process("sb-x")), ErrorKind::kNotFound,
                  "no sandbox 'sb-x'");
    require_error(store->insert_process(first), ErrorKind::kAlreadyExists,
                  "a process '" + first.id + "' already exists");
    require_error(store->get_process("pr-x"), ErrorKind::kNotFound, "no process 'pr-x'");
  }
  SECTION("mark_process_ended changes a running process once") {
    auto changed = store->mark_process_ended(first.id, 2, "exit");
    require_ok(changed);
    CHECK(*changed);
    auto again = store->mark_process_ended(first.id, 9, "signal");
    require_ok(again);
    CHECK_FALSE(*again);
    auto ended = store->get_process(first.id);
    CHECK(ended->state == "ended");
    CHECK(*ended->returncode == 2);
    CHECK(ended->end_reason == "exit");
    CHECK(ended->ended_at.has_value());
    require_error(store->mark_process_ended("pr-x", 0, "exit"), ErrorKind::kNotFound,
                  "no process 'pr-x'");
  }
  SECTION("list and end_processes_of") {
    require_ok(store->mark_process_ended(first.id, 0, "exit"));
    require_ok(store->end_processes_of(sandbox.id, 137, "terminated"));
    auto procs = store->list_processes(sandbox.id);
    require_ok(procs);
    REQUIRE(procs->size() == 2);
    CHECK((*procs)[0].id == first.id);
    CHECK((*procs)[0].end_reason == "exit");  // already ended: untouched
    CHECK(*(*procs)[0].returncode == 0);
    CHECK((*procs)[1].id == second.id);
    CHECK((*procs)[1].state == "ended");
    CHECK((*procs)[1].end_reason == "terminated");
    CHECK(*(*procs)[1].returncode == 137);
    CHECK(store->get_process(elsewhere.id)->state == "running");  // other sandboxes untouched

    require_error(store->list_processes("sb-x"), ErrorKind::kNotFound, "no sandbox 'sb-x'");
    require_error(store->end_processes_of("sb-x", 0, "exit"), ErrorKind::kNotFound,
                  "no sandbox 'sb-x'");
  }
}

TEST_CASE("store: secrets", "[store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  const EnvList env = {
      {"ZED", "last-looking key first"},
      {"QUOTES", R"(say "hi" and 'bye')"},
      {"BACKSLASH", R"(C:\path\n\"not an escape\")"},
      {"NEWLINES", "line1\nline2\r\n\tindented"},
      {"UNICODE", "héllo wörld ✓ 日本語 🚀"},
      {"EMPTY", ""},
      {"JSONISH", R"({"a":[1,2],"b":"\u0000"})"},
      {"NUL", std::string("a\0b", 3)},
      {"AAA", "first-looking key last"},
  };
  require_ok(store->create_secret("api", env));

  SECTION("round trip keeps order and bytes") {
    auto got = store->get_secret("api");
    require_ok(got);
    CHECK(*got == env);
  }
  SECTION("an empty secret") {
    require_ok(store->create_secret("empty", {}));
    auto got = store->get_secret("empty");
    require_ok(got);
    CHECK(got->empty());
  }
  SECTION("duplicates, listing, removal") {
    require_error(store->create_secret("api", {{"X", "1"}}), ErrorKind::kAlreadyExists,
                  "a secret named 'api' already exists");
    CHECK(store->get_secret("api").value() == env);  // the failed create changed nothing
    require_ok(store->create_secret("aaa", {{"X", "1"}}));
    CHECK(store->list_secrets().value() == std::vector<std::string>{"aaa", "api"});
    require_ok(store->remove_secret("api"));
    CHECK(store->list_secrets().value() == std::vector<std::string>{"aaa"});
    require_error(store->get_secret("api"), ErrorKind::kNotFound, "no secret named 'api'");
    require_error(store->remove_secret("api"), ErrorKind::kNotFound, "no secret named 'api'");
    require_ok(store->create_secret("api", {{"NEW", "2"}}));  // no stale pairs
    CHECK(store->get_secret("api").value() == EnvList{{"NEW", "2"}});
  }
}

// ---- Races between processes ----

namespace {

constexpr int kChildren = 16;
constexpr int kApps = 4;
constexpr int kSandboxesPerChild = 12;
constexpr int kContestedNames = 5;
constexpr int kChildFailure = 100;  // exit codes below this count won races

// Work done by one forked child with its own connection. Returns the number of contested names
// it won, or kChildFailure + step on an unexpected error (printed to stderr).
int child_work(const std::string& path, int child) {
  auto fail = [&](int step, const Error& error) {
    std::fprintf(stderr, "child %d step %d: %s\n", child, step, error.to_string().c_str());
    return kChildFailure + step;
  };
  auto store = Store::open(path);  // all children race to migrate the fresh file
  if (!store.ok()) return fail(1, store.error());
  Store& s = **store;
  auto race = s.ensure_app("race");
  if (!race.ok()) return fail(2, race.error());
  int wins = 0;
  for (int n = 0; n < kContestedNames; ++n) {
    SandboxRow row = make_sandbox(*race, "contested-" + std::to_string(n), {}, "running");
    Status status = s.insert_sandbox(row);
    if (status.ok())
      ++wins;
    else if (status.error().kind() != ErrorKind::kAlreadyExists)
      return fail(3, status.error());
  }
  if (auto shared = s.ensure_app("shared"); !shared.ok()) return fail(4, shared.error());
  auto app = s.ensure_app("app-" + std::to_string(child % kApps));
  if (!app.ok()) return fail(5, app.error());
  for (int j = 0; j < kSandboxesPerChild; ++j) {
    SandboxRow row = make_sandbox(*app, "c" + std::to_string(child) + "-s" + std::to_string(j),
                                  {{"child", std::to_string(child)}, {"j", std::to_string(j)}});
    if (Status st = s.insert_sandbox(row); !st.ok()) return fail(6, st.error());
    if (Status st = s.mark_running(row.id, ::getpid()); !st.ok()) return fail(7, st.error());
    ProcessRow p1 = make_process(row.id), p2 = make_process(row.id, true);
    if (Status st = s.insert_process(p1); !st.ok()) return fail(8, st.error());
    if (Status st = s.insert_process(p2); !st.ok()) return fail(9, st.error());
    if (j % 2 == 0) {
      if (Status st = s.end_processes_of(row.id, 0, "exit"); !st.ok()) return fail(10, st.error());
      auto ended = s.mark_ended(row.id, 0, "exit");
      if (!ended.ok()) return fail(11, ended.error());
      if (!*ended) return fail(12, internal("mark_ended changed nothing"));
    } else {
      auto ended = s.mark_process_ended(p1.id, 1, "exit");
      if (!ended.ok() || !*ended) return fail(13, internal("mark_process_ended failed"));
    }
  }
  return wins;
}

// Forks n children that wait on a common barrier, then run work(i); returns their exit codes.
template <typename Work>
std::vector<int> run_children(int n, Work work) {
  int barrier[2];
  REQUIRE(::pipe2(barrier, O_CLOEXEC) == 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(barrier[1]);
      char c;
      (void)!::read(barrier[0], &c, 1);  // returns at EOF, when the parent opens the barrier
      std::fflush(stderr);
      ::_exit(work(i));
    }
    pids.push_back(pid);
  }
  ::close(barrier[0]);
  ::close(barrier[1]);  // go
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status));
  }
  return codes;
}

}  // namespace

TEST_CASE("store: concurrent writers in many processes", "[store][race]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  std::vector<int> codes = run_children(kChildren, [&](int i) { return child_work(path, i); });

  int wins = 0;
  for (int code : codes) {
    INFO("child exit code " << code);
    REQUIRE(code < kChildFailure);
    wins += code;
  }
  CHECK(wins == kContestedNames);  // every contested name was won exactly once

  auto store = open_store(path);
  auto apps = store->list_apps();
  require_ok(apps);
  std::vector<std::string> app_names;
  for (const AppInfo& app : *apps) app_names.push_back(app.name);
  CHECK(app_names ==
        std::vector<std::string>{"app-0", "app-1", "app-2", "app-3", "race", "shared"});
  const int children_per_app = kChildren / kApps;
  const int live_per_child = kSandboxesPerChild / 2;
  for (const AppInfo& app : *apps) {
    if (app.name == "race") CHECK(app.running == kContestedNames);
    if (app.name == "shared") CHECK(app.running == 0);
    if (app.name.rfind("app-", 0) == 0) CHECK(app.running == children_per_app * live_per_child);
  }

  auto contested = store->list_sandboxes(filter("race", {}, true));
  require_ok(contested);
  REQUIRE(contested->size() == kContestedNames);
  std::set<std::string> contested_names;
  for (const SandboxRow& row : *contested) contested_names.insert(row.name);
  CHECK(contested_names.size() == kContestedNames);

  auto all = store->list_sandboxes(filter(std::nullopt, {}, true));
  require_ok(all);
  CHECK(all->size() == kChildren * kSandboxesPerChild + kContestedNames);
  size_t processes = 0;
  for (const SandboxRow& row : *all) {
    if (row.app_name == "race") continue;
    INFO("sandbox " << row.name);
    REQUIRE(row.tags.size() == 2);
    const bool even = std::stoi(row.tags.at("j")) % 2 == 0;
    CHECK(row.name == "c" + row.tags.at("child") + "-s" + row.tags.at("j"));
    CHECK(row.state == (even ? "ended" : "running"));
    CHECK(row.supervisor_pid > 0);
    if (even) CHECK((row.returncode == 0 && row.end_reason == "exit"));
    auto procs = store->list_processes(row.id);
    require_ok(procs);
    REQUIRE(procs->size() == 2);
    processes += procs->size();
    int ended = 0;
    for (const ProcessRow& p : *procs) ended += p.state == "ended";
    CHECK(ended == (even ? 2 : 1));
  }
  CHECK(processes == 2 * kChildren * kSandboxesPerChild);

  auto third = store->list_sandboxes(filter(std::nullopt, {{"child", "3"}}, true));
  require_ok(third);
  CHECK(third->size() == kSandboxesPerChild);
}

TEST_CASE("store: two processes racing for one running name", "[store][race]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  AppInfo app;
  {
    auto store = open_store(path);
    auto created = store->create_app("my-app");
    require_ok(created);
    app = *created;
  }
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "worker-" + std::to_string(round);
    std::vector<int> codes = run_children(2, [&](int) {
      auto store = Store::open(path);
      if (!store.ok()) return 3;
      Status status = (*store)->insert_sandbox(make_sandbox(app, name));
      if (status.ok()) return 0;
      return status.error().kind() == ErrorKind::kAlreadyExists ? 1 : 2;
    });
    std::sort(codes.begin(), codes.end());
    INFO("round " << round);
    REQUIRE(codes == std::vector<int>{0, 1});  // exactly one success, one kAlreadyExists
  }
  auto store = open_store(path);
  auto rows = store->list_sandboxes(filter("my-app", {}, false));
  require_ok(rows);
  CHECK(rows->size() == kRounds);
}

namespace {

// In a forked child: which check failed (0 for none). Catch2 cannot report from a child.
int run_child(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

// Writes `count` sandboxes whose specs are `spec_bytes` long, and reads them back.
int store_round_trip(const std::string& path, int count, size_t spec_bytes) {
  auto store = Store::open(path);
  if (!store.ok()) return 10;
  auto app = (*store)->ensure_app("arena");
  if (!app.ok()) return 11;
  std::set<std::string> written;
  for (int i = 0; i < count; ++i) {
    SandboxRow row = make_sandbox(*app, "", {}, "running");
    row.spec_json = "{\"pad\":\"" + std::string(spec_bytes, 'a' + i % 26) + "\"}";
    if (!(*store)->insert_sandbox(row).ok()) return 12;
    written.insert(row.id + row.spec_json);
  }
  auto rows = (*store)->list_sandboxes(filter("arena"));
  if (!rows.ok()) return 13;
  std::set<std::string> read;
  for (const SandboxRow& row : *rows) read.insert(row.id + row.spec_json);
  return std::includes(read.begin(), read.end(), written.begin(), written.end()) ? 0 : 14;
}

}  // namespace

TEST_CASE("store: SQLite memory from one huge page, and never in a forked child", "[store]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  open_store(path);  // created and migrated here: that alone would fill the arena
  int failed = run_child([&] {
    // Earlier tests initialised SQLite in this copied process; the arena is made even where
    // no huge page is at hand.
    sqlite3_shutdown();
    sql::use_huge_page_memory(false);
    if (sql::huge_page_memory_used() != 0) return 1;
    if (int rc = store_round_trip(path, 5, 100); rc != 0) return rc;
    size_t used = sql::huge_page_memory_used();
    if (used == 0) return 2;
    // A child of the arena's process finds it blank and gives SQLite malloc() instead.
    int child = run_child([&] {
      if (sql::huge_page_memory_used() != 0) return 1;
      if (store_round_trip(path, 50, 100) != 0) return 2;
      return sql::huge_page_memory_used() == 0 ? 0 : 3;
    });
    if (child != 0) return 40 + child;
    // The arena still serves its own process, untouched by the child.
    if (int rc = store_round_trip(path, 1, 100); rc != 0) return 60 + rc;
    if (sql::huge_page_memory_used() <= used) return 3;
    // Rows larger than the whole arena: past its end, malloc().
    if (int rc = store_round_trip(path, 3, 3 << 20); rc != 0) return 20 + rc;
    return 0;
  });
  CHECK(failed == 0);
}

// ---- The journal (store/journal.h) ----

namespace {

SandboxRow journal_row(const std::string& app_name, TagMap tags = {}) {
  SandboxRow row;
  row.id = new_id("sb");
  row.app_name = app_name;
  row.state = "running";
  row.spec_json = R"({"command":["true"]})";
  row.created_at = 1000.5;
  row.supervisor_pid = 4242;
  row.tags = std::move(tags);
  return row;
}

off_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

void append_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "a");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
  REQUIRE(std::fclose(f) == 0);
}

std::string read_text(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return "";
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  return text;
}

}  // namespace

TEST_CASE("store: journalled sandboxes fold in on open and on each read", "[store][journal]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  const std::string journal = path + "-pending";
  auto early = open_store(path);  // open before anything is journalled

  const off_t wal_before = file_size(path + "-wal");
  SandboxRow row = journal_row("fresh-app", {{"kind", "oneshot"}});
  require_ok(Store::journal_sandbox(path, row, {{"limits_backend", R"("rlimits")"}}));
  CHECK(file_size(journal) > 0);
  SandboxRow other = journal_row("default");
  require_ok(Store::journal_sandbox(path, other));
  CHECK(file_size(path + "-wal") == wal_before);  // appends leave the database alone

  // The store opened before the appends sees them on its next read, and empties the journal.
  auto got = early->get_sandbox(row.id);
  require_ok(got);
  CHECK(file_size(journal) == 0);
  CHECK(got->app_name == "fresh-app");
  CHECK(got->name.empty());
  CHECK(got->state == "running");
  CHECK(got->spec_json == row.spec_json);
  CHECK(got->created_at == 1000.5);
  CHECK(got->supervisor_pid == 4242);
  CHECK(got->tags == TagMap{{"kind", "oneshot"}});
  CHECK(got->runtime_json == R"({"limits_backend":"rlimits"})");
  auto app = early->get_app("fresh-app");
  require_ok(app);
  CHECK(app->running == 1);

  double before_end = now_seconds();
  require_ok(Store::journal_ended(path, row.id, 3, "exit", R"({"cpu_seconds":0.5})"));
  require_ok(Store::journal_forget(path, other.id));
  {
    auto later = open_store(path);  // a fresh open folds too
    CHECK(file_size(journal) == 0);
    auto ended = later->get_sandbox(row.id);
    require_ok(ended);
    CHECK(ended->state == "ended");
    CHECK(ended->returncode == 3);
    CHECK(ended->end_reason == "exit");
    REQUIRE(ended->ended_at.has_value());
    CHECK(*ended->ended_at >= before_end);  // when it ended, not when it was folded
    CHECK(ended->runtime_json == R"({"limits_backend":"rlimits","usage":{"cpu_seconds":0.5}})");
    require_error(later->get_sandbox(other.id), ErrorKind::kNotFound,
                  "no sandbox '" + other.id + "'");
  }

  SECTION("folding is idempotent: the same lines again change nothing") {
    SandboxRow again = row;
    again.created_at = 2000;
    journal::Entry sandbox{journal::Entry::Op::kSandbox, again, {}};
    journal::Entry end{journal::Entry::Op::kEnded, {}, {}};
    end.row.id = row.id;
    end.row.ended_at = 9e9;
    end.row.returncode = 99;
    append_text(journal, journal::encode(sandbox) + journal::encode(end));
    auto got2 = early->get_sandbox(row.id);
    require_ok(got2);
    CHECK(got2->created_at == 1000.5);
    CHECK(got2->returncode == 3);
    CHECK(*got2->ended_at < 9e9);
    auto all = early->list_sandboxes(filter(std::nullopt, {}, true));
    require_ok(all);
    CHECK(all->size() == 1);
  }

  SECTION("torn and unknown lines are skipped, the rest folds") {
    SandboxRow a = journal_row("default"), b = journal_row("default");
    std::string line_a = journal::encode({journal::Entry::Op::kSandbox, a, {}});
    append_text(journal, line_a.substr(0, line_a.size() / 2));  // a crash mid-write
    require_ok(Store::journal_sandbox(path, b));
    append_text(journal, "\n{\"op\":\"future\",\"id\":\"sb-x\"}\n\nnot json\n");
    append_text(journal,
                "\n{\"op\":\"sandbox\",\"id\":\"sb-y\",\"app\":\"default\",\"state\":"
                "\"running\",\"spec\":\"{}\",\"created_at\":1,\"supervisor_pid\":1,"
                "\"tags\":{},\"runtime\":{\"k\":\"{not json\"}}\n");
    auto all = early->list_sandboxes(filter(std::nullopt, {}, true));
    require_ok(all);
    std::set<std::string> ids;
    for (const SandboxRow& r : *all) ids.insert(r.id);
    CHECK(ids == std::set<std::string>{row.id, b.id});
    CHECK(file_size(journal) == 0);
  }
}

TEST_CASE("store: the journal refuses what only the database can check", "[store][journal]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  SandboxRow named = journal_row("default");
  named.name = "web";
  require_error(Store::journal_sandbox(path, named), ErrorKind::kInvalidArgument,
                "a named sandbox cannot be journalled: 'web'");
  require_error(Store::journal_sandbox(path, journal_row("")), ErrorKind::kInvalidArgument,
                "a journalled sandbox needs an app name");
  CHECK(file_size(path + "-pending") == -1);  // nothing written

  require_ok(Store::journal_sandbox(path, journal_row("default")));
  ::chmod((path + "-pending").c_str(), 0400);
  if (::geteuid() != 0) {  // root writes a 0400 file anyway
    auto refused = Store::journal_sandbox(path, journal_row("default"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message().find("cannot open the state journal '" + path + "-pending'") !=
          std::string::npos);
  }
}

TEST_CASE("store: a journal past its bound is folded by the end that grew it", "[store][journal]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  const std::string journal = path + "-pending";
  int rows = 0;
  // Ends only grow the journal until one of them finds it past 256 KiB and folds it.
  while (file_size(journal) < (256 << 10)) {
    SandboxRow row = journal_row("default");
    row.spec_json = "{\"pad\":\"" + std::string(2000, 'x') + "\"}";
    require_ok(Store::journal_sandbox(path, row));
    ++rows;
  }
  require_ok(Store::journal_ended(path, "sb-unknown", 0, "exit"));
  CHECK(file_size(journal) == 0);
  auto store = open_store(path);
  auto all = store->list_sandboxes(filter(std::nullopt, {}, true));
  require_ok(all);
  CHECK(static_cast<int>(all->size()) == rows);
}

TEST_CASE("store: many processes journal while others fold; no row is lost",
          "[store][journal][race]") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  constexpr int kWriters = 6, kFolders = 2, kRowsPerWriter = 60;
  const std::string done = dir.file("writers-done");
  std::vector<int> codes = run_children(kWriters + kFolders, [&](int i) {
    if (i >= kWriters) {  // a folder: folds (each list does) until the writers are done
      auto store = Store::open(path);
      if (!store.ok()) return 2;
      for (int k = 0; file_size(done) < kWriters && k < 100000; ++k)
        if (!(*store)->list_sandboxes(filter(std::nullopt, {}, true)).ok()) return 2;
      return 0;
    }
    for (int k = 0; k < kRowsPerWriter; ++k) {
      SandboxRow row = journal_row("app-" + std::to_string(i % 2), {{"w", std::to_string(i)}});
      if (!Store::journal_sandbox(path, row).ok()) return 3;
      ::usleep(300);  // a command's life between its two lines
      if (!Store::journal_ended(path, row.id, k, "exit").ok()) return 4;
    }
    append_text(done, "x");
    return 0;
  });
  for (int code : codes) CHECK(code == 0);
  auto store = open_store(path);
  auto all = store->list_sandboxes(filter(std::nullopt, {}, true));
  require_ok(all);
  CHECK(all->size() == size_t{kWriters} * kRowsPerWriter);
  for (const SandboxRow& row : *all) {
    CHECK(row.state == "ended");
    CHECK(row.end_reason == "exit");
  }
  CHECK(read_text(path + "-pending").empty());
}
