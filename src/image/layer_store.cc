// The layer store: publish by rename, a build lock per layer id, meta.json per layer, and the
// tree digests that make layer ids content-addressed. Host side only.
#include "image/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/sha256.h"

namespace sbx {

namespace {

bool is_layer_id(const std::string& id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

std::string encode_meta(const LayerMeta& m) {
  JsonWriter w(true);
  w.begin_object()
      .field("id", m.id)
      .field("parent", m.parent)
      .field("base", m.base)
      .field("description", m.description)
      .field("has_files", m.has_files);
  w.key("env").begin_array();
  for (const auto& [k, v] : m.env) w.begin_array().value(k).value(v).end_array();
  w.end_array();
  w.field("workdir", m.workdir)
      .field("created_at", m.created_at)
      .field("build_seconds", m.build_seconds)
      .field("size_bytes", m.size_bytes)
      .end_object();
  return w.take() + "\n";
}

Result<LayerMeta> decode_meta(const std::string& text, const std::string& source) {
  SBX_ASSIGN_OR_RETURN(JsonValue doc, parse_json(text));
  JsonNode n(doc);
  auto m = [&]() -> Result<LayerMeta> {
    LayerMeta m;
    SBX_ASSIGN_OR_RETURN(m.id, n.string_at("id"));
    SBX_ASSIGN_OR_RETURN(m.parent, n.string_or("parent", ""));
    SBX_ASSIGN_OR_RETURN(m.base, n.string_or("base", ""));
    SBX_ASSIGN_OR_RETURN(m.description, n.string_or("description", ""));
    SBX_ASSIGN_OR_RETURN(m.has_files, n.boolean_or("has_files", false));
    SBX_ASSIGN_OR_RETURN(JsonNode env, n.at("env"));
    SBX_ASSIGN_OR_RETURN(std::vector<JsonNode> pairs, env.elements());
    for (const JsonNode& p : pairs) {
      SBX_ASSIGN_OR_RETURN(std::vector<std::string> kv, p.strings());
      if (kv.size() != 2) return p.error("expected [key, value]");
      m.env.emplace_back(kv[0], kv[1]);
    }
    SBX_ASSIGN_OR_RETURN(m.workdir, n.string_or("workdir", ""));
    SBX_ASSIGN_OR_RETURN(auto created, n.find("created_at"));
    if (created) {
      SBX_ASSIGN_OR_RETURN(m.created_at, created->number());
    }
    SBX_ASSIGN_OR_RETURN(auto secs, n.find("build_seconds"));
    if (secs) {
      SBX_ASSIGN_OR_RETURN(m.build_seconds, secs->number());
    }
    SBX_ASSIGN_OR_RETURN(m.size_bytes, n.int64_or("size_bytes", 0));
    return m;
  }();
  if (!m.ok()) return std::move(m).error().context(source);
  return m;
}

std::vector<std::string> sorted_entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Calls fn(relative path, lstat) for every entry under root, sorted, parents first.
Status walk(const std::string& root, const std::string& rel,
            const std::function<Status(const std::string&, const struct stat&)>& fn) {
  for (const std::string& name : sorted_entries(rel.empty() ? root : root + "/" + rel)) {
    std::string sub = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (lstat((root + "/" + sub).c_str(), &st) != 0) return sys_error("stat " + root + "/" + sub);
    SBX_TRY(fn(sub, st));
    if (S_ISDIR(st.st_mode)) SBX_TRY(walk(root, sub, fn));
  }
  return {};
}

Status hash_file(Sha256& h, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return sys_error("open " + path);
  UniqueFd f(fd);
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    h.update(std::string_view(buf, static_cast<size_t>(n)));
  if (n < 0) return sys_error("read " + path);
  return {};
}

// Staging names are PREFIX.PID.RAND: true while that process lives.
bool staging_owner_alive(const std::string& name) {
  size_t a = name.find('.');
  size_t b = a == std::string::npos ? a : name.find('.', a + 1);
  if (b == std::string::npos) return false;
  pid_t pid = static_cast<pid_t>(atol(name.substr(a + 1, b - a - 1).c_str()));
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

std::string link_target(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

Result<std::string> digest(const std::string& root, bool contents) {
  if (!is_directory(root)) return invalid("'" + root + "' is not a directory");
  Sha256 h;
  SBX_TRY(walk(root, "", [&](const std::string& rel, const struct stat& st) -> Status {
    h.field(rel).field(std::to_string(st.st_mode));
    if (S_ISLNK(st.st_mode)) h.field(link_target(root + "/" + rel));
    if (!S_ISREG(st.st_mode)) return {};
    if (!contents) {
      h.field(std::to_string(st.st_size))
          .field(std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
      return {};
    }
    h.update("content:");
    return hash_file(h, root + "/" + rel);
  }));
  return h.hex();
}

}  // namespace

Status LayerStore::init() const {
  SBX_TRY(make_dirs(dir_ + "/layers", 0700));
  SBX_TRY(make_dirs(dir_ + "/locks", 0700));
  SBX_TRY(make_dirs(dir_ + "/tmp", 0700));
  return {};
}

bool LayerStore::has(const std::string& id) const {
  return is_layer_id(id) && path_exists(layer_dir(id) + "/meta.json");
}

Result<LayerMeta> LayerStore::meta(const std::string& id) const {
  if (!is_layer_id(id)) return invalid("'" + id + "' is not a layer id");
  std::string path = layer_dir(id) + "/meta.json";
  auto text = read_file(path);
  if (!text.ok()) return not_found("layer " + id + " is not in the store");
  return decode_meta(*text, path);
}

Result<std::vector<LayerMeta>> LayerStore::chain(const std::string& top) const {
  std::vector<LayerMeta> out;
  for (std::string id = top; !id.empty();) {
    SBX_ASSIGN_OR_RETURN(LayerMeta m, meta(id));
    id = m.parent;
    out.push_back(std::move(m));
    if (out.size() > 10000) return internal("layer chain of " + top + " loops");
  }
  return out;
}

Result<UniqueFd> LayerStore::lock(const std::string& id) const {
  return lock_file(dir_ + "/locks/" + id, LOCK_EX);
}

Status LayerStore::clean_staging(const std::string& id) const {
  for (const std::string& name : sorted_entries(tmp_dir()))
    if (name.compare(0, id.size() + 1, id + ".") == 0) SBX_TRY(remove_tree(tmp_dir() + "/" + name));
  return {};
}

Result<std::string> LayerStore::new_staging(const std::string& id) const {
  std::string path =
      tmp_dir() + "/" + id + "." + std::to_string(getpid()) + "." + new_id("t").substr(2, 8);
  if (mkdir(path.c_str(), 0700) != 0) return sys_error("mkdir " + path);
  return path;
}

Status LayerStore::publish(const std::string& staging, LayerMeta meta) const {
  SBX_TRY(remove_tree(staging + "/work"));
  std::string root = staging + "/root";
  if (!meta.has_files) SBX_TRY(remove_tree(root));
  meta.size_bytes = meta.has_files ? tree_size(root) : 0;
  SBX_TRY(write_file_atomic(staging + "/meta.json", encode_meta(meta), 0600));
  if (rename(staging.c_str(), layer_dir(meta.id).c_str()) != 0) {
    int err = errno;
    if (has(meta.id)) return remove_tree(staging);  // published meanwhile by someone else
    return sys_error("publish layer " + meta.id, err);
  }
  return {};
}

Result<std::vector<std::string>> LayerStore::list() const {
  std::vector<std::string> ids;
  for (const std::string& name : sorted_entries(dir_ + "/layers"))
    if (is_layer_id(name)) ids.push_back(name);
  return ids;
}

Result<int64_t> LayerStore::remove(const std::string& id) const {
  if (!is_layer_id(id)) return invalid("'" + id + "' is not a layer id");
  std::string doomed = tmp_dir() + "/rm-" + id.substr(0, 12) + ".0." + new_id("t").substr(2, 8);
  if (rename(layer_dir(id).c_str(), doomed.c_str()) != 0)
    return errno == ENOENT ? int64_t{0} : Result<int64_t>(sys_error("unpublish layer " + id));
  int64_t bytes = tree_size(doomed);
  SBX_TRY(remove_tree(doomed));
  return bytes;
}

Result<int> LayerStore::prune_staging() const {
  int removed = 0;
  for (const std::string& name : sorted_entries(tmp_dir())) {
    if (staging_owner_alive(name)) continue;
    std::string id = name.substr(0, name.find('.'));
    if (is_layer_id(id)) {
      std::string path = dir_ + "/locks/" + id;
      UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
      if (!fd || flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // being built now
    }
    SBX_TRY(remove_tree(tmp_dir() + "/" + name));
    ++removed;
  }
  return removed;
}

int64_t tree_size(const std::string& path) {
  int64_t total = 0;
  (void)walk(path, "", [&](const std::string&, const struct stat& st) -> Status {
    if (S_ISREG(st.st_mode)) total += st.st_blocks * 512;
    return {};
  });
  return total;
}

Result<std::string> tree_digest(const std::string& path) { return digest(path, true); }
Result<std::string> tree_fingerprint(const std::string& path) { return digest(path, false); }

Result<std::string> file_digest(const std::string& path) {
  Sha256 h;
  SBX_TRY(hash_file(h, path));
  return h.hex();
}

}  // namespace sbx
