// The build loop: layer ids, cache hits, one sandbox per step that changes files, publish on
// success, and the live log ("[2/4] pip install six", the step's output, "cached" or its time).
#include "image/build.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "image/spec.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/sha256.h"

namespace sbx {

namespace {

using Kind = ImageStep::Kind;

// Where a build step sees its inputs; removed from the layer afterwards.
constexpr const char* kInputs = "/.sbx-build";

bool has_files(const ImageStep& s) { return s.kind != Kind::kEnv && s.kind != Kind::kWorkdir; }

bool is_url(const std::string& s) { return s.find("://") != std::string::npos; }

EnvList merged(EnvList env, const EnvList& more) {
  for (const auto& [k, v] : more) {
    bool found = false;
    for (auto& [ek, ev] : env)
      if (ek == k) ev = v, found = true;
    if (!found) env.emplace_back(k, v);
  }
  return env;
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The contents the step reads from the host, hashed into its layer id.
Result<std::string> inputs_digest(const ImageStep& s) {
  Sha256 h;
  if (s.kind == Kind::kRequirements) {
    SBX_ASSIGN_OR_RETURN(std::string d, file_digest(s.path));
    h.field(d);
  }
  if (s.kind == Kind::kCopy) {
    SBX_ASSIGN_OR_RETURN(std::string d, tree_digest(s.path));
    h.field(d);
  }
  for (const auto& l : s.pip.find_links) {
    if (is_url(l)) continue;
    SBX_ASSIGN_OR_RETURN(std::string d, tree_fingerprint(l));
    h.field(d);
  }
  return h.hex();
}

Result<std::string> layer_id(const std::string& parent, const BuildBase& base, const ImageStep& s) {
  SBX_ASSIGN_OR_RETURN(std::string inputs, inputs_digest(s));
  return Sha256()
      .field("sbx-layer-v1")
      .field(parent.empty() ? "base:" + base.id : parent)
      .field(step_key(s))
      .field(inputs)
      .hex();
}

// The image's env after the step: an env step's pairs; pip on the host base adds its prefix.
EnvList env_after(const ImageStep& s, const EnvList& env, const BuildBase& base) {
  if (s.kind == Kind::kEnv) return merged(env, s.env);
  if (base.host && (s.kind == Kind::kPip || s.kind == Kind::kRequirements)) {
    std::string path = base.default_path;
    for (const auto& [k, v] : env)
      if (k == "PATH") path = v;
    std::string bin = std::string(kHostPipPrefix) + "/bin";
    if (path.find(bin) == std::string::npos) path = bin + ":" + path;
    return merged(env, {{"PYTHONUSERBASE", kHostPipPrefix}, {"PATH", path}});
  }
  return env;
}

void add_pip_options(const PipOptions& o, StepSandbox& sb) {
  if (!o.index_url.empty()) sb.argv.insert(sb.argv.end(), {"--index-url", o.index_url});
  for (const auto& u : o.extra_index_urls) sb.argv.insert(sb.argv.end(), {"--extra-index-url", u});
  for (const auto& l : o.find_links) {
    std::string where = l;
    if (!is_url(l)) {
      where = std::string(kInputs) + "/find-links/" + std::to_string(sb.mounts.size());
      sb.mounts.push_back({l, where, true});
    }
    sb.argv.insert(sb.argv.end(), {"--find-links", where});
  }
  if (o.no_index) sb.argv.push_back("--no-index");
  if (o.pre) sb.argv.push_back("--pre");
  sb.argv.insert(sb.argv.end(), o.extra_args.begin(), o.extra_args.end());
}

// What the step's sandbox runs, and the inputs it needs mounted.
void plan_step(const ImageStep& s, const BuildBase& base, StepSandbox& sb) {
  switch (s.kind) {
    case Kind::kPip:
    case Kind::kRequirements: {
      sb.argv = {"python3", "-m", "pip", "install"};
      if (base.host) sb.argv.push_back("--user");
      add_pip_options(s.pip, sb);
      if (s.kind == Kind::kPip) {
        sb.argv.insert(sb.argv.end(), s.packages.begin(), s.packages.end());
      } else {
        std::string dir = std::string(kInputs) + "/requirements";
        sb.mounts.push_back({parent_dir(s.path), dir, true});
        sb.argv.insert(sb.argv.end(), {"-r", dir + s.path.substr(s.path.rfind('/'))});
      }
      // pip refuses to touch an "externally managed" Python (PEP 668) unless told: on the host
      // base it installs into its own user base, on other bases into /usr/local, never into the
      // distribution's own directories, so the marker's concern does not arise.
      sb.env = merged(sb.env, {{"PIP_BREAK_SYSTEM_PACKAGES", "1"},
                               {"PIP_ROOT_USER_ACTION", "ignore"},
                               {"PIP_NO_CACHE_DIR", "1"},
                               {"PIP_DISABLE_PIP_VERSION_CHECK", "1"},
                               {"PIP_NO_WARN_SCRIPT_LOCATION", "1"}});
      return;
    }
    case Kind::kApt:
      sb.argv = {"/bin/sh", "-c",
                 "set -e; export DEBIAN_FRONTEND=noninteractive; "
                 "apt-get -o APT::Sandbox::User=root update; "
                 "apt-get -o APT::Sandbox::User=root install -y --no-install-recommends \"$@\"; "
                 "rm -rf /var/lib/apt/lists/*",
                 "apt"};
      sb.argv.insert(sb.argv.end(), s.packages.begin(), s.packages.end());
      return;
    case Kind::kRun: sb.argv = s.command; return;
    case Kind::kCopy: {
      std::string src = std::string(kInputs) + "/copy";
      sb.mounts.push_back({s.path, src, true});
      sb.argv = {"/bin/sh",
                 "-c",
                 "set -e; mkdir -p \"$2\"; cp -R --preserve=mode,timestamps,links \"$1\"/. \"$2\"",
                 "copy",
                 src,
                 s.dest};
      return;
    }
    case Kind::kEnv:
    case Kind::kWorkdir: return;
  }
}

class BuildLog {
 public:
  explicit BuildLog(const ImageBuildOptions& o) : o_(o) {}
  void line(const std::string& text) const {
    if (!o_.quiet) (void)write_all(o_.log_fd, text + "\n");
  }
  const ImageBuildOptions& options() const { return o_; }

 private:
  const ImageBuildOptions& o_;
};

std::string seconds_text(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

// Copies the captured output of a failed quiet step to the log.
void replay(int fd, int to) {
  lseek(fd, 0, SEEK_SET);
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) (void)write_all(to, buf, static_cast<size_t>(n));
}

// Runs one step in a sandbox into staging/root. Returns an error naming the step on failure.
Status run_step(const ImageStep& s, const BuildBase& base, const StepRunner& run,
                const std::vector<std::string>& lowers, const std::string& staging,
                const EnvList& env, const std::string& workdir, const std::string& what,
                const BuildLog& log) {
  StepSandbox sb;
  sb.env = env;
  sb.workdir = workdir.empty() ? "/" : workdir;
  sb.lower_layers = lowers;
  sb.upper_dir = staging + "/root";
  sb.work_dir = staging + "/work";
  plan_step(s, base, sb);
  UniqueFd capture;
  sb.out_fd = log.options().log_fd;
  if (log.options().quiet) {
    std::string path = staging + "/output";
    capture = UniqueFd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!capture) return sys_error("create " + path);
    sb.out_fd = capture.get();
  }
  SBX_ASSIGN_OR_RETURN(int rc, run(sb));
  if (rc == 0) return remove_tree(sb.upper_dir + kInputs);
  if (capture) replay(capture.get(), log.options().log_fd);
  (void)write_all(log.options().log_fd,
                  what + " failed with exit code " + std::to_string(rc) + "\n");
  return Error(ErrorKind::kFailedPrecondition,
               what + " failed with exit code " + std::to_string(rc) + "; nothing was cached");
}

Status check_buildable(const ImageSpec& spec, const BuildBase& base) {
  size_t layers = 0;
  for (const auto& s : spec.steps) {
    layers += has_files(s);
    if (s.kind == Kind::kApt && base.host)
      return invalid(
          "apt steps need a Debian-based base (--base debian-slim or a Debian rootfs), "
          "not the host base");
  }
  if (layers > kMaxImageLayers)
    return invalid("the spec has " + std::to_string(layers) + " steps that make layers; at most " +
                   std::to_string(kMaxImageLayers) + " are allowed (combine steps)");
  return {};
}

}  // namespace

std::string image_id_for(const std::string& top, const std::string& base_id) {
  std::string h = top.empty() ? sha256_hex("sbx-image-base:" + base_id) : top;
  return "im-" + h.substr(0, 24);
}

Result<BuildOutcome> build_layers(const LayerStore& store, const ImageSpec& spec,
                                  const BuildBase& base, const StepRunner& run,
                                  const ImageBuildOptions& options) {
  SBX_TRY(check_buildable(spec, base));
  SBX_TRY(store.init());
  BuildLog log(options);
  std::string total = std::to_string(spec.steps.size() + 1);
  log.line("[1/" + total + "] base " + spec.base);
  BuildOutcome out;
  std::vector<std::string> lowers;  // top first
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    const ImageStep& s = spec.steps[i];
    std::string what = "[" + std::to_string(i + 2) + "/" + total + "] " + describe_step(s);
    SBX_ASSIGN_OR_RETURN(std::string id, layer_id(out.top, base, s));
    LayerMeta meta{id,
                   out.top,
                   base.id,
                   describe_step(s),
                   has_files(s),
                   env_after(s, out.env, base),
                   s.kind == Kind::kWorkdir ? s.dest : out.workdir,
                   0,
                   0,
                   0};
    if (!store.has(id)) {
      SBX_ASSIGN_OR_RETURN(UniqueFd lock, store.lock(id));
      if (!store.has(id)) {
        SBX_TRY(store.clean_staging(id));
        SBX_ASSIGN_OR_RETURN(std::string staging, store.new_staging(id));
        if (meta.has_files) log.line(what);
        auto t0 = std::chrono::steady_clock::now();
        Status built = meta.has_files ? run_step(s, base, run, lowers, staging, meta.env,
                                                 out.workdir, what, log)
                                      : Status();
        if (!built.ok()) {
          (void)remove_tree(staging);
          return std::move(built).error();
        }
        meta.build_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        meta.created_at = now_seconds();
        SBX_TRY(store.publish(staging, meta));
        log.line(meta.has_files ? what + ": done in " + seconds_text(meta.build_seconds)
                                : what + ": done");
        out.cached = false;
      } else {
        log.line(what + ": cached");
      }
    } else {
      log.line(what + ": cached");
    }
    SBX_ASSIGN_OR_RETURN(LayerMeta stored, store.meta(id));
    if (stored.has_files) lowers.insert(lowers.begin(), store.root_dir(id));
    out.top = id;
    out.env = stored.env;
    out.workdir = stored.workdir;
    out.layers.push_back(std::move(stored));
  }
  return out;
}

}  // namespace sbx
