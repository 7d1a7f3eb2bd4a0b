// The image spec on the command line: every step kind for `sbx image build`, and the inline
// form of create and run (--image, or --pip/--apt/... built first, log on stderr).
#include <filesystem>
#include <system_error>

#include "cli/cli.h"
#include "cli/parse.h"

namespace sbx::cli {

namespace {

Result<std::string> absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  std::error_code ec;
  std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) return sys_error("finding the current directory", ec.value());
  return abs;
}

bool is_url(const std::string& s) { return s.find("://") != std::string::npos; }

Result<PipOptions> pip_options(const ImageFlags& f) {
  PipOptions o{f.index_url, f.extra_index_urls, {}, f.no_index, f.pre, f.pip_args};
  for (const auto& l : f.find_links) {
    SBX_ASSIGN_OR_RETURN(std::string where, is_url(l) ? Result<std::string>(l) : absolute(l));
    o.find_links.push_back(where);
  }
  return o;
}

bool has_steps(const ImageFlags& f) {
  return !f.base.empty() || !f.pip.empty() || !f.apt.empty() || !f.requirements.empty() ||
         !f.run.empty() || !f.env.empty() || !f.copy.empty() || !f.workdir.empty();
}

void add_pip_flags(CLI::App* cmd, ImageFlags& f, bool inline_form) {
  auto many = [&](const std::string& names, std::vector<std::string>& v, const std::string& type,
                  const std::string& help) {
    CLI::Option* o = cmd->add_option(names, v, help)->type_name(type);
    if (inline_form) o->allow_extra_args(false);
  };
  many("--pip", f.pip, "PKG", "pip install these packages (a step)");
  cmd->add_option("--pip-requirements", f.requirements, "pip install -r FILE (a step)")
      ->type_name("FILE");
  cmd->add_option("--pip-index-url", f.index_url, "pip --index-url")->type_name("URL");
  many("--pip-extra-index-url", f.extra_index_urls, "URL", "pip --extra-index-url; repeatable");
  many("--pip-find-links", f.find_links, "DIR|URL",
       "pip --find-links (a directory is mounted read-only into the build); repeatable");
  cmd->add_flag("--pip-no-index", f.no_index, "pip --no-index");
  cmd->add_flag("--pip-pre", f.pre, "pip --pre");
  many("--pip-arg", f.pip_args, "ARG", "An extra argument for pip install; repeatable");
  many("--apt", f.apt, "PKG", "apt-get install these packages (a step; Debian-based bases)");
  cmd->add_option("--base", f.base,
                  "The base: host (default), debian-slim, or a rootfs directory or tarball")
      ->type_name("BASE");
}

}  // namespace

void add_image_spec_flags(CLI::App* cmd, ImageFlags& f, bool inline_form) {
  add_pip_flags(cmd, f, inline_form);
  if (inline_form) {
    cmd->add_option("--image", f.image, "Create the sandbox from this image (id or name)")
        ->type_name("IMAGE");
    cmd->add_option("--build-network", f.network,
                    "Network of the inline image build: none, nat or host (default: nat where "
                    "available, else none)")
        ->type_name("MODE");
    return;
  }
  cmd->add_option("--run", f.run, "Run this shell command (a step); repeatable")
      ->type_name("CMD")
      ->allow_extra_args(false);
  cmd->add_option("--env", f.env, "Set an image environment variable (a step); repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--workdir", f.workdir, "The image's working directory (a step)")
      ->type_name("PATH");
  cmd->add_option("--copy", f.copy, "Copy a host directory into the image (a step); repeatable")
      ->type_name("SRC:DEST")
      ->allow_extra_args(false);
  cmd->add_option(
         "--network", f.network,
         "Network of the build sandboxes: none, nat or host (default: nat where available, "
         "else none)")
      ->type_name("MODE");
}

Result<ImageSpec> image_spec_from_flags(const ImageFlags& f) {
  ImageSpec spec;
  using Kind = ImageStep::Kind;
  if (!f.base.empty()) {
    spec.base = f.base;
    if (f.base != "host" && f.base != "debian-slim") {
      SBX_ASSIGN_OR_RETURN(spec.base, absolute(f.base));
    }
  }
  SBX_ASSIGN_OR_RETURN(PipOptions pip, pip_options(f));
  if (!f.env.empty()) {
    ImageStep s{Kind::kEnv};
    SBX_ASSIGN_OR_RETURN(s.env, parse_env_pairs("--env", f.env));
    spec.steps.push_back(s);
  }
  if (!f.workdir.empty()) {
    ImageStep s{Kind::kWorkdir};
    s.dest = f.workdir;
    spec.steps.push_back(s);
  }
  if (!f.apt.empty()) spec.steps.push_back(ImageStep{Kind::kApt, f.apt});
  if (!f.requirements.empty()) {
    ImageStep s{Kind::kRequirements};
    s.pip = pip;
    SBX_ASSIGN_OR_RETURN(s.path, absolute(f.requirements));
    spec.steps.push_back(s);
  }
  if (!f.pip.empty()) spec.steps.push_back(ImageStep{Kind::kPip, f.pip, pip});
  for (const auto& c : f.copy) {
    size_t colon = c.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == c.size())
      return invalid("--copy '" + c + "' is not SRC:DEST");
    ImageStep s{Kind::kCopy};
    SBX_ASSIGN_OR_RETURN(s.path, absolute(c.substr(0, colon)));
    s.dest = c.substr(colon + 1);
    spec.steps.push_back(s);
  }
  for (const auto& r : f.run) {
    ImageStep s{Kind::kRun};
    s.command = {"/bin/sh", "-c", r};
    spec.steps.push_back(s);
  }
  bool pip_opts = !f.index_url.empty() || !f.extra_index_urls.empty() || !f.find_links.empty() ||
                  f.no_index || f.pre || !f.pip_args.empty();
  if (pip_opts && f.pip.empty() && f.requirements.empty())
    return invalid("pip options were given without --pip or --pip-requirements");
  return spec;
}

Status apply_image_flags(Engine& engine, const ImageFlags& f, SandboxSpec& spec) {
  if (!has_steps(f)) {
    spec.image = f.image;
    return {};
  }
  if (!f.image.empty())
    return invalid("--image cannot be combined with --base, --pip or --apt (build it first)");
  SBX_ASSIGN_OR_RETURN(ImageSpec image, image_spec_from_flags(f));
  ImageBuildOptions options;
  options.network = f.network;
  options.policy = spec.policy;  // the sandbox's profile and limits hold for its build too
  options.limits = spec.limits;
  options.log_fd = 2;
  SBX_ASSIGN_OR_RETURN(ImageInfo built, engine.image_build(image, options));
  spec.image = built.id;
  return {};
}

}  // namespace sbx::cli
