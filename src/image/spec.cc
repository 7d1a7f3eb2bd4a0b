// The image spec file format (sbx-image(5)) and the rules every spec follows. Each step is one
// JSON object with exactly one kind key ("pip", "pip_requirements", "apt", "run", "env",
// "workdir", "copy") and that kind's options; anything else is refused by name.
#include "image/spec.h"

#include <filesystem>
#include <set>

#include "util/fs.h"
#include "util/json.h"
#include "util/names.h"

namespace sbx {

namespace {

using Kind = ImageStep::Kind;

constexpr const char* kKindKeys[] = {"pip", "pip_requirements", "apt", "run",
                                     "env", "workdir",          "copy"};
constexpr Kind kKinds[] = {Kind::kPip, Kind::kRequirements, Kind::kApt, Kind::kRun,
                           Kind::kEnv, Kind::kWorkdir,      Kind::kCopy};
constexpr const char* kPipOptionKeys[] = {"index_url", "extra_index_urls", "find_links", "no_index",
                                          "pre",       "extra_args"};

bool is_url(const std::string& s) { return s.find("://") != std::string::npos; }

std::string absolute_from(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// The base as written: a name, or a path made absolute.
std::string resolve_base(const std::string& base, const std::string& base_dir) {
  if (base == "host" || base == "debian-slim") return base;
  return absolute_from(base_dir, base);
}

Status only_keys(const JsonNode& step, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, node] : step.value().items()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) return JsonNode(node, step.path() + "." + key).error("unknown field");
  }
  return {};
}

Result<PipOptions> read_pip_options(const JsonNode& step, const std::string& base_dir) {
  PipOptions o;
  SBX_ASSIGN_OR_RETURN(o.index_url, step.string_or("index_url", ""));
  SBX_ASSIGN_OR_RETURN(auto extra, step.find("extra_index_urls"));
  if (extra) {
    SBX_ASSIGN_OR_RETURN(o.extra_index_urls, extra->strings());
  }
  SBX_ASSIGN_OR_RETURN(auto links, step.find("find_links"));
  if (links) {
    SBX_ASSIGN_OR_RETURN(o.find_links, links->strings());
  }
  for (auto& l : o.find_links)
    if (!is_url(l)) l = absolute_from(base_dir, l);
  SBX_ASSIGN_OR_RETURN(o.no_index, step.boolean_or("no_index", false));
  SBX_ASSIGN_OR_RETURN(o.pre, step.boolean_or("pre", false));
  SBX_ASSIGN_OR_RETURN(auto args, step.find("extra_args"));
  if (args) {
    SBX_ASSIGN_OR_RETURN(o.extra_args, args->strings());
  }
  return o;
}

Status check_pip_keys(const JsonNode& step, std::string_view kind_key) {
  for (const auto& [key, node] : step.value().items()) {
    bool ok = key == kind_key;
    for (const char* k : kPipOptionKeys) ok = ok || key == k;
    if (!ok) return JsonNode(node, step.path() + "." + key).error("unknown field");
  }
  return {};
}

Result<EnvList> read_env(const JsonNode& node) {
  SBX_ASSIGN_OR_RETURN(auto items, node.items());
  EnvList env;
  for (auto& [k, v] : items) {
    SBX_ASSIGN_OR_RETURN(std::string value, v.string());
    env.emplace_back(k, std::move(value));
  }
  return env;
}

Result<Kind> step_kind(const JsonNode& step, std::string* key) {
  if (!step.value().is_object())
    return step.error("expected an object, got " + std::string(step.value().type_name()));
  int found = 0;
  Kind kind = Kind::kRun;
  for (size_t i = 0; i < std::size(kKindKeys); ++i)
    if (step.value().get(kKindKeys[i]) != nullptr) {
      ++found;
      kind = kKinds[i];
      *key = kKindKeys[i];
    }
  if (found != 1)
    return step.error(found == 0 ? "a step needs one of pip, pip_requirements, apt, run, env, "
                                   "workdir, copy"
                                 : "a step has exactly one of pip, pip_requirements, apt, run, "
                                   "env, workdir, copy");
  return kind;
}

Result<ImageStep> read_step(const JsonNode& node, const std::string& base_dir) {
  std::string key;
  SBX_ASSIGN_OR_RETURN(Kind kind, step_kind(node, &key));
  ImageStep s;
  s.kind = kind;
  SBX_ASSIGN_OR_RETURN(JsonNode v, node.at(key));
  switch (kind) {
    case Kind::kPip: {
      SBX_TRY(check_pip_keys(node, key));
      SBX_ASSIGN_OR_RETURN(s.packages, v.strings());
      SBX_ASSIGN_OR_RETURN(s.pip, read_pip_options(node, base_dir));
      break;
    }
    case Kind::kRequirements: {
      SBX_TRY(check_pip_keys(node, key));
      SBX_ASSIGN_OR_RETURN(std::string file, v.string());
      s.path = absolute_from(base_dir, file);
      SBX_ASSIGN_OR_RETURN(s.pip, read_pip_options(node, base_dir));
      break;
    }
    case Kind::kApt: {
      SBX_TRY(only_keys(node, {"apt"}));
      SBX_ASSIGN_OR_RETURN(s.packages, v.strings());
      break;
    }
    case Kind::kRun: {
      SBX_TRY(only_keys(node, {"run"}));
      if (v.value().is_string()) {
        s.command = {"/bin/sh", "-c", v.value().as_string()};
      } else {
        SBX_ASSIGN_OR_RETURN(s.command, v.strings());
        if (s.command.empty()) return v.error("the command is empty");
      }
      break;
    }
    case Kind::kEnv: {
      SBX_TRY(only_keys(node, {"env"}));
      SBX_ASSIGN_OR_RETURN(s.env, read_env(v));
      break;
    }
    case Kind::kWorkdir: {
      SBX_TRY(only_keys(node, {"workdir"}));
      SBX_ASSIGN_OR_RETURN(s.dest, v.string());
      break;
    }
    case Kind::kCopy: {
      SBX_TRY(only_keys(node, {"copy", "dest"}));
      SBX_ASSIGN_OR_RETURN(std::string src, v.string());
      s.path = absolute_from(base_dir, src);
      SBX_ASSIGN_OR_RETURN(s.dest, node.string_at("dest"));
      break;
    }
  }
  return s;
}

Status check_in_image_path(const std::string& what, const std::string& path) {
  if (path.empty() || path[0] != '/')
    return invalid(what + " must be an absolute path in the image: '" + path + "'");
  if (path.find('\0') != std::string::npos) return invalid(what + " contains a NUL byte");
  return {};
}

Status validate_pip(const PipOptions& o) {
  for (const auto& l : o.find_links)
    if (!is_url(l) && !is_directory(l))
      return invalid("find-links directory '" + l + "' does not exist");
  for (const auto& a : o.extra_args)
    if (a.empty()) return invalid("an extra pip argument is empty");
  return {};
}

Status validate_step(const ImageStep& s, size_t i) {
  std::string where = "step " + std::to_string(i + 1) + " (" + describe_step(s) + ")";
  switch (s.kind) {
    case Kind::kPip:
    case Kind::kApt:
      if (s.packages.empty()) return invalid(where + ": no packages given");
      for (const auto& p : s.packages)
        if (p.empty() || p[0] == '-') return invalid(where + ": '" + p + "' is not a package name");
      return s.kind == Kind::kPip ? validate_pip(s.pip) : Status();
    case Kind::kRequirements:
      if (!path_exists(s.path)) return invalid(where + ": file '" + s.path + "' does not exist");
      return validate_pip(s.pip);
    case Kind::kRun:
      if (s.command.empty() || s.command[0].empty()) return invalid(where + ": empty command");
      return {};
    case Kind::kEnv:
      if (s.env.empty()) return invalid(where + ": no variables given");
      for (const auto& [k, v] : s.env)
        if (!is_env_key(k))
          return invalid(where + ": environment variable name '" + k + "' is not valid");
      return {};
    case Kind::kWorkdir: return check_in_image_path(where + ": workdir", s.dest);
    case Kind::kCopy:
      if (!is_directory(s.path))
        return invalid(where + ": source directory '" + s.path + "' does not exist");
      return check_in_image_path(where + ": dest", s.dest);
  }
  return {};
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

void write_pip_options(JsonWriter& w, const PipOptions& o) {
  if (!o.index_url.empty()) w.field("index_url", o.index_url);
  if (!o.extra_index_urls.empty()) w.field("extra_index_urls", o.extra_index_urls);
  if (!o.find_links.empty()) w.field("find_links", o.find_links);
  if (o.no_index) w.field("no_index", true);
  if (o.pre) w.field("pre", true);
  if (!o.extra_args.empty()) w.field("extra_args", o.extra_args);
}

void write_step(JsonWriter& w, const ImageStep& s) {
  w.begin_object();
  switch (s.kind) {
    case Kind::kPip:
      w.field("pip", s.packages);
      write_pip_options(w, s.pip);
      break;
    case Kind::kRequirements:
      w.field("pip_requirements", s.path);
      write_pip_options(w, s.pip);
      break;
    case Kind::kApt: w.field("apt", s.packages); break;
    case Kind::kRun: w.field("run", s.command); break;
    case Kind::kEnv:
      w.key("env").begin_object();
      for (const auto& [k, v] : s.env) w.field(k, v);
      w.end_object();
      break;
    case Kind::kWorkdir: w.field("workdir", s.dest); break;
    case Kind::kCopy: w.field("copy", s.path).field("dest", s.dest); break;
  }
  w.end_object();
}

}  // namespace

Result<ImageSpec> parse_image_spec(std::string_view text, const std::string& base_dir,
                                   const std::string& source) {
  auto doc = parse_json(text);
  if (!doc.ok()) return std::move(doc).error().context(source);
  JsonNode root(*doc);
  auto spec = [&]() -> Result<ImageSpec> {
    if (!root.value().is_object()) return root.error("the spec must be a JSON object");
    SBX_TRY(only_keys(root, {"name", "base", "steps"}));
    ImageSpec s;
    SBX_ASSIGN_OR_RETURN(s.name, root.string_or("name", ""));
    SBX_ASSIGN_OR_RETURN(std::string base, root.string_or("base", "host"));
    s.base = resolve_base(base, base_dir);
    SBX_ASSIGN_OR_RETURN(auto steps, root.find("steps"));
    if (!steps) return s;
    SBX_ASSIGN_OR_RETURN(std::vector<JsonNode> nodes, steps->elements());
    for (const JsonNode& n : nodes) {
      SBX_ASSIGN_OR_RETURN(ImageStep step, read_step(n, base_dir));
      s.steps.push_back(std::move(step));
    }
    return s;
  }();
  if (!spec.ok()) return std::move(spec).error().context(source);
  return spec;
}

Status validate_image_spec(const ImageSpec& spec) {
  if (spec.base.empty()) return invalid("the base is empty");
  if (spec.base != "host" && spec.base != "debian-slim") {
    if (spec.base[0] != '/')
      return invalid("base '" + spec.base +
                     "' is not host, debian-slim or a path to a rootfs directory or tarball");
    if (!path_exists(spec.base)) return invalid("base '" + spec.base + "' does not exist");
  }
  for (size_t i = 0; i < spec.steps.size(); ++i) SBX_TRY(validate_step(spec.steps[i], i));
  return {};
}

std::string describe_step(const ImageStep& s) {
  switch (s.kind) {
    case Kind::kPip: return "pip install " + joined(s.packages);
    case Kind::kRequirements: return "pip install -r " + s.path;
    case Kind::kApt: return "apt-get install " + joined(s.packages);
    case Kind::kRun:
      if (s.command.size() == 3 && s.command[0] == "/bin/sh" && s.command[1] == "-c")
        return "run " + s.command[2];
      return "run " + joined(s.command);
    case Kind::kEnv: {
      std::string out = "env";
      for (const auto& [k, v] : s.env) out += " " + k + "=" + v;
      return out;
    }
    case Kind::kWorkdir: return "workdir " + s.dest;
    case Kind::kCopy: return "copy " + s.path + " " + s.dest;
  }
  return "?";
}

std::string step_key(const ImageStep& s) {
  JsonWriter w;
  write_step(w, s);
  return w.take();
}

std::string encode_image_spec(const ImageSpec& spec) {
  JsonWriter w;
  w.begin_object().field("base", spec.base);
  if (!spec.name.empty()) w.field("name", spec.name);
  w.key("steps").begin_array();
  for (const auto& s : spec.steps) write_step(w, s);
  w.end_array().end_object();
  return w.take();
}

}  // namespace sbx
