// The value rules of sbx's command line. Pure functions, except that parse_mount asks the host
// whether a mount source exists.
#include "cli/parse.h"

#include <sys/stat.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

namespace sbx::cli {

namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// "--env: expected KEY=VALUE, got 'X'"; with no flag just the message.
Error flag_error(std::string_view flag, const std::string& what) {
  if (flag.empty()) return invalid(what);
  return invalid(std::string(flag) + ": " + what);
}

// Splits "K=V" at the first '='; nullopt when there is none.
std::optional<Pair> split_pair(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return Pair(std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1)));
}

Error bad_key(std::string_view flag, std::string_view key) {
  return flag_error(
      flag, "invalid name " + quote(key) + " (letters, digits and '_', not starting with a digit)");
}

// "/a//./b/" -> "/a/b": drops empty and "." components, keeps ".." (symlinks make it unsafe to
// resolve lexically on the host).
std::string tidy_host_path(const std::string& path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part(path.data() + start, end - start);
    if (!part.empty() && part != ".") out += "/" + std::string(part);
    start = end + 1;
  }
  return out.empty() ? "/" : out;
}

// A path inside the sandbox, normalized lexically ("/data/../x/" -> "/x").
std::string normal_sandbox_path(std::string_view path) {
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Result<bool> parse_mount_mode(std::string_view arg, std::string_view mode) {
  if (mode == "ro") return true;
  if (mode == "rw") return false;
  return invalid("--mount: expected the mode 'ro' or 'rw' in " + quote(arg) + ", got " +
                 quote(mode));
}

std::vector<std::string_view> split_colons(std::string_view arg) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t colon; (colon = arg.find(':', start)) != std::string_view::npos; start = colon + 1) {
    parts.push_back(arg.substr(start, colon - start));
  }
  parts.push_back(arg.substr(start));
  return parts;
}

Result<std::string> mount_source(std::string_view host, const std::string& cwd) {
  if (host.empty()) return invalid("--mount: the host path is empty");
  std::string path = host.front() == '/' ? std::string(host) : cwd + "/" + std::string(host);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return tidy_host_path(path);
  int err = errno;
  if (err == ENOENT || err == ENOTDIR)
    return invalid("mount source " + quote(host) + " does not exist");
  return sys_error("mount source " + quote(host), err);
}

Result<std::string> mount_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return invalid("--mount: expected an absolute sandbox path, got " + quote(target));
  }
  std::string path = normal_sandbox_path(target);
  if (path == "/") return invalid("--mount: cannot mount over the sandbox's root '/'");
  return path;
}

}  // namespace

Result<Pair> parse_env_pair(std::string_view flag, std::string_view arg) {
  std::optional<Pair> pair = split_pair(arg);
  if (!pair) return flag_error(flag, "expected KEY=VALUE, got " + quote(arg));
  if (pair->first.empty()) return flag_error(flag, "empty name in " + quote(arg));
  if (!is_env_key(pair->first)) return bad_key(flag, pair->first);
  return std::move(*pair);
}

Result<EnvList> parse_env_pairs(std::string_view flag, const std::vector<std::string>& args) {
  EnvList env;
  for (const std::string& arg : args) {
    SBX_ASSIGN_OR_RETURN(Pair pair, parse_env_pair(flag, arg));
    env.push_back(std::move(pair));
  }
  return env;
}

Result<TagMap> parse_tags(std::string_view flag, const std::vector<std::string>& args) {
  TagMap tags;
  for (const std::string& arg : args) {
    std::optional<Pair> pair = split_pair(arg);
    if (!pair) return flag_error(flag, "expected KEY=VALUE, got " + quote(arg));
    if (pair->first.empty()) return flag_error(flag, "empty key in " + quote(arg));
    if (!tags.insert(std::move(*pair)).second) {
      return flag_error(flag, "key " + quote(arg.substr(0, arg.find('='))) + " is given twice");
    }
  }
  return tags;
}

Result<Pair> parse_secret_arg(std::string_view arg, const EnvLookup& lookup) {
  if (arg.find('=') != std::string_view::npos) return parse_env_pair("secret", arg);
  std::string key(arg);
  if (!is_env_key(key)) return bad_key("secret", key);
  std::optional<std::string> value = lookup(key);
  if (!value) return invalid("secret key " + quote(key) + " is not set in the environment");
  return Pair(key, std::move(*value));
}

Result<EnvList> parse_env_file(std::string_view text, std::string_view source) {
  EnvList env;
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    auto pair = parse_env_pair("", line);
    if (!pair.ok()) {
      return invalid(std::string(source) + ":" + std::to_string(line_no) + ": " +
                     pair.error().message());
    }
    env.push_back(std::move(pair).value());
  }
  return env;
}

Result<EnvList> merge_unique(std::string_view what, const EnvList& first, const EnvList& second) {
  EnvList out;
  std::set<std::string> seen;
  for (const EnvList* list : {&first, &second}) {
    for (const Pair& pair : *list) {
      if (!seen.insert(pair.first).second) {
        return invalid(std::string(what) + " key " + quote(pair.first) + " is given twice");
      }
      out.push_back(pair);
    }
  }
  return out;
}

Result<MountSpec> parse_mount(std::string_view arg, const std::string& cwd) {
  std::vector<std::string_view> parts = split_colons(arg);
  if (parts.size() < 2 || parts.size() > 3) {
    return invalid("--mount: expected HOST:PATH[:ro|:rw], got " + quote(arg));
  }
  MountSpec mount;
  if (parts.size() == 3) {
    SBX_ASSIGN_OR_RETURN(mount.read_only, parse_mount_mode(arg, parts[2]));
  }
  SBX_ASSIGN_OR_RETURN(mount.sandbox_path, mount_target(parts[1]));
  SBX_ASSIGN_OR_RETURN(mount.host_path, mount_source(parts[0], cwd));
  return mount;
}

Status check_absolute(std::string_view flag, std::string_view path) {
  if (path.empty() || path.front() == '/') return {};
  return flag_error(flag, "expected an absolute path, got " + quote(path));
}

Result<int64_t> parse_seconds(std::string_view flag, std::string_view text, int64_t min,
                              int64_t max) {
  int64_t value = -1;
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) std::from_chars(text.data(), text.data() + text.size(), value);
  if (!digits || value < min || value > max) {
    return flag_error(flag, "expected a whole number of seconds from " + std::to_string(min) +
                                " to " + std::to_string(max) + ", got " + quote(text));
  }
  return value;
}

Status check_command(const std::vector<std::string>& command) {
  if (command.empty()) return invalid("a command is required");
  if (command.front().empty()) return invalid("the command's program name is empty");
  return {};
}

}  // namespace sbx::cli
