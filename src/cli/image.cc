// `sbx image build|ls|inspect|rm|prune`: images as a base plus cached layers (sbx-image(5)).
// build prints its live log on stderr and the image id (or, with --json, the image) on stdout.
#include <cstdio>
#include <filesystem>

#include "cli/cli.h"
#include "cli/limit_flags.h"
#include "cli/output.h"
#include "engine/image_views.h"

namespace sbx::cli {

namespace {

struct BuildFlags {
  ImageFlags image;
  std::string policy = "default";
  LimitFlags limits;
  std::string file;
  std::string name;
  bool quiet = false;
  bool json = false;
};

struct ListFlags {
  bool json = false;
};

struct RefFlags {
  std::string image;
  bool json = false;
};

std::string size_text(int64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024)
    snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(bytes) / 1024);
  else
    snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024 * 1024));
  return buf;
}

// The spec from -f FILE (steps in the file only), else from the flags.
Result<ImageSpec> build_spec(const BuildFlags& f) {
  if (f.file.empty()) {
    SBX_ASSIGN_OR_RETURN(ImageSpec spec, image_spec_from_flags(f.image));
    spec.name = f.name;
    return spec;
  }
  SBX_ASSIGN_OR_RETURN(ImageSpec spec, read_image_spec_file(f.file));
  if (!f.name.empty()) spec.name = f.name;
  return spec;
}

bool flags_have_steps(const ImageFlags& f) {
  return !f.base.empty() || !f.pip.empty() || !f.apt.empty() || !f.requirements.empty() ||
         !f.run.empty() || !f.env.empty() || !f.copy.empty() || !f.workdir.empty();
}

Result<int> build(Engine& engine, const BuildFlags& f) {
  if (!f.file.empty() && flags_have_steps(f.image))
    return invalid("-f FILE cannot be combined with step flags (--base, --pip, --run, ...)");
  SBX_ASSIGN_OR_RETURN(ImageSpec spec, build_spec(f));
  ImageBuildOptions options;
  options.network = f.image.network;
  options.policy = f.policy;
  if (options.policy.find('/') != std::string::npos || options.policy.ends_with(".json")) {
    std::error_code ec;
    options.policy = std::filesystem::absolute(options.policy, ec).lexically_normal().string();
  }
  SBX_ASSIGN_OR_RETURN(options.limits, limits_from_flags(f.limits));
  options.quiet = f.quiet;
  options.log_fd = 2;
  SBX_ASSIGN_OR_RETURN(ImageInfo image, engine.image_build(spec, options));
  SBX_TRY(print_line(f.json ? to_json(image, false) : image.id));
  return 0;
}

Result<int> list(Engine& engine, const ListFlags& f) {
  SBX_ASSIGN_OR_RETURN(std::vector<ImageInfo> images, engine.image_list());
  if (f.json) {
    SBX_TRY(print_line(to_json(images, false)));
    return 0;
  }
  std::vector<Row> rows;
  for (const auto& im : images)
    rows.push_back({cell(im.id), cell(im.name), cell(im.base), std::to_string(im.layers.size()),
                    size_text(im.size_bytes), std::to_string(im.in_use),
                    table_time(im.created_at)});
  SBX_TRY(print_table({"ID", "NAME", "BASE", "LAYERS", "SIZE", "IN USE", "CREATED"}, rows));
  return 0;
}

Result<int> inspect_image(Engine& engine, const RefFlags& f) {
  SBX_ASSIGN_OR_RETURN(ImageInfo image, engine.image_inspect(f.image));
  SBX_TRY(print_line(to_json(image, true)));
  return 0;
}

Result<int> remove(Engine& engine, const RefFlags& f) {
  SBX_TRY(engine.image_remove(f.image));
  return 0;
}

Result<int> prune(Engine& engine, const ListFlags& f) {
  SBX_ASSIGN_OR_RETURN(ImagePruneReport report, engine.image_prune());
  if (f.json) {
    SBX_TRY(print_line(to_json(report)));
    return 0;
  }
  SBX_TRY(print_line("removed " + std::to_string(report.layers_removed) + " layers (" +
                     size_text(report.bytes_freed) + ") and " +
                     std::to_string(report.staging_removed) + " unfinished builds"));
  return 0;
}

void add_image_arg(CLI::App* cmd, std::string& image) {
  cmd->add_option("IMAGE", image, "An image id (im-...) or name")->required()->type_name("");
}

}  // namespace

void add_image_verbs(CLI::App& sbx, Action& action) {
  CLI::App* image = sbx.add_subcommand("image", "Build and manage images (sbx-image(5))");
  image->require_subcommand(1);
  auto [b, bf] =
      add_verb(*image, "build",
               "Build an image (or find it in the cache) and print its id (im-...)", action, build);
  b->add_option("-f,--file", bf->file, "Read the spec from this JSON file (sbx-image(5))")
      ->type_name("FILE");
  b->add_option("--name", bf->name, "Also name the image (the name moves to it)")
      ->type_name("NAME");
  add_image_spec_flags(b, bf->image, false);
  b->add_option("--policy", bf->policy,
                "Seccomp profile of the build sandboxes: default, strict, permissive, or a file")
      ->type_name("NAME|PATH");
  add_limit_flags(b, bf->limits);
  b->add_flag("-q,--quiet", bf->quiet, "Print only the id (a failed step's output still shows)");
  add_json_flag(b, bf->json);
  auto [l, lf] = add_verb(*image, "ls", "List images", action, list);
  add_json_flag(l, lf->json);
  auto [i, inf] =
      add_verb(*image, "inspect", "Print an image and its layers as JSON", action, inspect_image);
  add_image_arg(i, inf->image);
  auto [r, rf] =
      add_verb(*image, "rm", "Remove an image (refused while a sandbox uses it)", action, remove);
  add_image_arg(r, rf->image);
  auto [p, pf] =
      add_verb(*image, "prune", "Remove layers no image uses and unfinished builds", action, prune);
  add_json_flag(p, pf->json);
}

}  // namespace sbx::cli
