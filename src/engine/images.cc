// Images in the engine: building (each step a one-shot sandbox whose writable layer becomes the
// new layer), the image rows, a sandbox's root from its image, rm (refused while in use), prune,
// and registering a snapshot's layer. Cross-process safety: layer builds lock per layer id;
// images/lock is held shared by builds and by creates until their row exists, exclusive by rm
// and prune.
#include "engine/images.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <utility>

#include "engine/image_refs.h"
#include "engine/internal.h"
#include "engine/spec.h"
#include "image/build.h"
#include "image/debian_base.h"
#include "image/layer_store.h"
#include "image/spec.h"
#include "runtime/host_base.h"
#include "runtime/network.h"
#include "sbx/engine.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/sha256.h"

namespace sbx {

namespace {

constexpr const char* kBuildApp = "image-build";

std::string encode_config(const EnvList& env, const std::string& workdir) {
  JsonWriter w;
  w.begin_object().key("env").begin_array();
  for (const auto& [k, v] : env) w.begin_array().value(k).value(v).end_array();
  w.end_array().field("workdir", workdir).end_object();
  return w.take();
}

Status decode_config(const std::string& json, EnvList& env, std::string& workdir) {
  SBX_ASSIGN_OR_RETURN(JsonValue doc, parse_json(json));
  JsonNode n(doc);
  SBX_ASSIGN_OR_RETURN(workdir, n.string_or("workdir", ""));
  SBX_ASSIGN_OR_RETURN(auto pairs, n.find("env"));
  if (!pairs) return {};
  SBX_ASSIGN_OR_RETURN(std::vector<JsonNode> items, pairs->elements());
  for (const JsonNode& p : items) {
    SBX_ASSIGN_OR_RETURN(std::vector<std::string> kv, p.strings());
    if (kv.size() == 2) env.emplace_back(kv[0], kv[1]);
  }
  return {};
}

std::string default_path() {
  for (const auto& [k, v] : base_environment())
    if (k == "PATH") return v;
  return "/usr/bin:/bin";
}

// The ready rootfs of a non-host base; debian-slim is made again if it went missing.
Result<std::string> base_rootfs(const std::string& home, const ImageRow& row) {
  if (is_directory(row.base_dir)) return row.base_dir;
  if (row.base == "debian-slim") {
    SBX_ASSIGN_OR_RETURN(Identity identity, choose_identity());
    return ensure_debian_slim(home, identity, [](std::string_view) {});
  }
  return Error(ErrorKind::kFailedPrecondition,
               "the base rootfs of image " + row.id + " (" + row.base + ") is missing");
}

// Live sandboxes using each image: id -> sandbox ids.
Result<std::vector<std::pair<std::string, std::string>>> images_in_use(Store& store,
                                                                       const std::string& home) {
  SBX_ASSIGN_OR_RETURN(auto rows, store.list_sandboxes(SandboxFilter{}));
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& row : rows) {
    SBX_ASSIGN_OR_RETURN(SandboxRow now, refresh_sandbox(store, home, std::move(row)));
    SandboxInfo info = sandbox_info(now);
    if (now.state != "ended" && !info.image.empty()) out.emplace_back(info.image, now.id);
  }
  return out;
}

Result<ImageInfo> image_info(Store& store, const std::string& home, const ImageRow& row) {
  ImageInfo info;
  info.id = row.id;
  info.name = row.name;
  info.base = row.base;
  info.created_at = row.created_at;
  SBX_TRY(decode_config(row.config_json, info.env, info.workdir));
  LayerStore layers(home);
  SBX_ASSIGN_OR_RETURN(auto chain, layers.chain(row.top_layer));
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    info.layers.push_back({it->id, it->description, it->has_files, it->size_bytes, it->created_at,
                           it->build_seconds});
    info.size_bytes += it->size_bytes;
  }
  SBX_ASSIGN_OR_RETURN(auto used, images_in_use(store, home));
  for (const auto& [image, sandbox] : used) info.in_use += image == row.id;
  return info;
}

// The base of a spec, ready: its id for layer ids and, unless host, its rootfs directory.
Result<std::pair<BuildBase, std::string>> prepare_build_base(const std::string& home,
                                                             const ImageSpec& spec,
                                                             const ImageBuildOptions& options) {
  BuildBase base{spec.base, spec.base == "host", default_path()};
  if (base.host) return std::make_pair(base, std::string());
  SBX_ASSIGN_OR_RETURN(Identity identity, choose_identity());
  auto log = [&](std::string_view line) {
    if (!options.quiet) (void)write_all(options.log_fd, std::string(line) + "\n");
  };
  if (spec.base == "debian-slim") {
    SBX_ASSIGN_OR_RETURN(std::string dir, ensure_debian_slim(home, identity, log));
    return std::make_pair(base, dir);
  }
  SBX_ASSIGN_OR_RETURN(std::string fp, is_directory(spec.base) ? tree_fingerprint(spec.base)
                                                               : file_digest(spec.base));
  base.id = "rootfs:" + fp;
  SBX_ASSIGN_OR_RETURN(std::string dir, import_rootfs(home, identity, spec.base, log));
  return std::make_pair(base, dir);
}

// Changes the images table: the row put (a new image, or a name moved to an existing one), or
// the image deleted. Remembered references are forgotten first (image_refs.h).
Status put_image_row(Store& store, const std::string& home, const ImageRow& row) {
  SBX_ASSIGN_OR_RETURN(UniqueFd change, begin_image_change(home));
  return store.put_image(row);
}

Status delete_image_row(Store& store, const std::string& home, const std::string& id) {
  SBX_ASSIGN_OR_RETURN(UniqueFd change, begin_image_change(home));
  return store.delete_image(id);
}

}  // namespace

Result<ImageRow> find_image(Store& store, const std::string& ref) {
  if (ref.empty()) return invalid("an image id or name is required");
  auto row = store.get_image(ref);
  if (!row.ok() && row.error().kind() == ErrorKind::kNotFound)
    return not_found("no image '" + ref + "'");
  return row;
}

Result<UniqueFd> lock_images(const std::string& home, bool exclusive) {
  SBX_TRY(make_dirs(home + "/images", 0700));
  return lock_file(home + "/images/lock", exclusive ? LOCK_EX : LOCK_SH);
}

Result<RootLayers> image_root(const std::string& home, const std::string& ref,
                              const std::function<Result<Store*>()>& store) {
  RootLayers root;
  if (ref.empty()) return root;
  SBX_ASSIGN_OR_RETURN(ImageRow row, resolve_image_ref(home, ref, store));
  LayerStore layers(home);
  SBX_ASSIGN_OR_RETURN(auto chain, layers.chain(row.top_layer));
  for (const LayerMeta& m : chain)
    if (m.has_files) root.lowers.push_back(layers.root_dir(m.id));
  if (root.lowers.size() > kMaxImageLayers)
    return invalid("image " + row.id + " has " + std::to_string(root.lowers.size()) +
                   " layers; at most " + std::to_string(kMaxImageLayers) + " can be mounted");
  root.host_base = row.base == "host";
  if (!root.host_base) {
    SBX_ASSIGN_OR_RETURN(std::string dir, base_rootfs(home, row));
    root.lowers.push_back(dir);
  }
  SBX_TRY(decode_config(row.config_json, root.env, root.workdir));
  root.image_id = row.id;
  return root;
}

Result<std::string> new_layer_staging_path(const std::string& home) {
  LayerStore layers(home);
  SBX_TRY(layers.init());
  return layers.tmp_dir() + "/snap." + std::to_string(getpid()) + "." + new_id("t").substr(2, 12);
}

Result<std::string> register_image_layer(Store& store, const std::string& home,
                                         const std::string& parent_image,
                                         const std::string& staged_dir,
                                         const std::string& description) {
  auto fail = [&](Error e) -> Result<std::string> {
    (void)remove_tree(staged_dir);
    return e;
  };
  auto lock = lock_images(home, false);
  if (!lock.ok()) return fail(lock.error());
  ImageRow parent{"", "", "host", "host", "", "", "{\"env\":[],\"workdir\":\"\"}", "{}", 0};
  if (!parent_image.empty()) {
    auto found = find_image(store, parent_image);
    if (!found.ok()) return fail(found.error());
    parent = std::move(found).value();
  }
  LayerStore layers(home);
  auto chain = layers.chain(parent.top_layer);
  if (!chain.ok()) return fail(chain.error());
  size_t depth = 1;
  for (const auto& m : *chain) depth += m.has_files;
  if (depth > kMaxImageLayers)
    return fail(invalid("image " + parent.id + " already has the most layers an image may have (" +
                        std::to_string(kMaxImageLayers) + ")"));
  LayerMeta meta;
  meta.id = Sha256()
                .field("sbx-layer-v1")
                .field(parent.top_layer.empty() ? "base:" + parent.base_id : parent.top_layer)
                .field("snapshot")
                .field(new_id("n"))
                .hex();
  meta.parent = parent.top_layer;
  meta.base = parent.base_id;
  meta.description = description;
  meta.has_files = true;
  if (Status s = decode_config(parent.config_json, meta.env, meta.workdir); !s.ok())
    return fail(s.error());
  meta.created_at = now_seconds();
  auto staging = layers.new_staging(meta.id);
  if (!staging.ok()) return fail(staging.error());
  if (rename(staged_dir.c_str(), (*staging + "/root").c_str()) != 0) {
    Error e = sys_error("move " + staged_dir + " into the layer store");
    (void)remove_tree(*staging);
    return fail(e);
  }
  if (Status s = layers.publish(*staging, meta); !s.ok()) {
    (void)remove_tree(*staging);
    return s.error();
  }
  JsonWriter spec;
  spec.begin_object().field("base", parent.base).field("parent_image", parent.id);
  spec.field("snapshot", description).end_object();
  ImageRow row{image_id_for(meta.id, parent.base_id),
               "",
               parent.base,
               parent.base_id,
               parent.base_dir,
               meta.id,
               encode_config(meta.env, meta.workdir),
               spec.take(),
               0};
  SBX_TRY(put_image_row(store, home, row));
  return row.id;
}

Result<ImageSpec> read_image_spec_file(const std::string& path) {
  SBX_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos)
    dir = slash == 0 ? "/" : path.substr(0, slash);
  SBX_ASSIGN_OR_RETURN(std::string abs_dir, real_path(dir));
  return parse_image_spec(text, abs_dir, path);
}

Result<ImageInfo> Engine::image_build(const ImageSpec& spec, const ImageBuildOptions& options) {
  SBX_TRY(open_store());  // create and run may call this first (Engine::open)
  SBX_TRY(validate_image_spec(spec));
  if (!spec.name.empty()) SBX_TRY(validate_name("image name", spec.name));
  std::string network = options.network;
  std::string network_note;  // said before the first step that runs, if any does
  if (network.empty()) {
    std::string why = nat_unavailable_reason();
    network = why.empty() ? "nat" : "none";
    if (!why.empty() && !options.quiet)
      network_note = "note: building with network none: " + why + "\n";
  }
  if (network != "none" && network != "nat" && network != "host")
    return invalid("network mode '" + network + "' is not one of none, nat, host");
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, lock_images(home_, false));
  SBX_ASSIGN_OR_RETURN(auto base, prepare_build_base(home_, spec, options));
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null) return sys_error("open /dev/null");
  StepRunner runner = [&](const StepSandbox& sb) -> Result<int> {
    if (!network_note.empty()) (void)write_all(options.log_fd, std::exchange(network_note, ""));
    SandboxSpec s;
    s.app = kBuildApp;
    s.command = sb.argv;
    s.env = sb.env;
    s.workdir = sb.workdir;
    s.mounts = sb.mounts;
    s.network = network;
    s.policy = options.policy;
    s.limits = options.limits;
    s.timeout_s = kMaxTimeoutSeconds;
    RootLayers root;
    root.lowers = sb.lower_layers;
    root.host_base = base.first.host;
    if (!root.host_base) root.lowers.push_back(base.second);
    root.upper_dir = sb.upper_dir;
    root.work_dir = sb.work_dir;
    return run_sandbox(*store_, home_, s, Stdio{null.get(), sb.out_fd, sb.out_fd}, root);
  };
  LayerStore layers(home_);
  SBX_ASSIGN_OR_RETURN(BuildOutcome built, build_layers(layers, spec, base.first, runner, options));
  ImageRow row{image_id_for(built.top, base.first.id),
               spec.name,
               spec.base,
               base.first.id,
               base.second,
               built.top,
               encode_config(built.env, built.workdir),
               encode_image_spec(spec),
               0};
  SBX_TRY(put_image_row(*store_, home_, row));
  SBX_ASSIGN_OR_RETURN(ImageRow stored, store_->get_image(row.id));
  SBX_ASSIGN_OR_RETURN(ImageInfo info, image_info(*store_, home_, stored));
  info.cached = built.cached;
  return info;
}

Result<std::vector<ImageInfo>> Engine::image_list() {
  SBX_ASSIGN_OR_RETURN(auto rows, store_->list_images());
  std::vector<ImageInfo> out;
  for (const auto& row : rows) {
    SBX_ASSIGN_OR_RETURN(ImageInfo info, image_info(*store_, home_, row));
    out.push_back(std::move(info));
  }
  return out;
}

Result<ImageInfo> Engine::image_inspect(const std::string& image) {
  SBX_ASSIGN_OR_RETURN(ImageRow row, find_image(*store_, image));
  return image_info(*store_, home_, row);
}

Status Engine::image_remove(const std::string& image) {
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, lock_images(home_, true));
  SBX_ASSIGN_OR_RETURN(ImageRow row, find_image(*store_, image));
  SBX_ASSIGN_OR_RETURN(auto used, images_in_use(*store_, home_));
  for (const auto& [id, sandbox] : used)
    if (id == row.id)
      return Error(ErrorKind::kFailedPrecondition,
                   "image " + row.id + " is used by running sandbox " + sandbox);
  return delete_image_row(*store_, home_, row.id);
}

Result<ImagePruneReport> Engine::image_prune() {
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, lock_images(home_, true));
  LayerStore layers(home_);
  SBX_TRY(layers.init());
  ImagePruneReport report;
  SBX_ASSIGN_OR_RETURN(report.staging_removed, layers.prune_staging());
  std::vector<std::string> keep;
  SBX_ASSIGN_OR_RETURN(auto rows, store_->list_images());
  for (const auto& row : rows) {
    auto chain = layers.chain(row.top_layer);
    if (!chain.ok()) continue;  // a broken image keeps nothing alive
    for (const auto& m : *chain) keep.push_back(m.id);
  }
  SBX_ASSIGN_OR_RETURN(auto ids, layers.list());
  for (const auto& id : ids) {
    if (std::find(keep.begin(), keep.end(), id) != keep.end()) continue;
    SBX_ASSIGN_OR_RETURN(int64_t bytes, layers.remove(id));
    report.bytes_freed += bytes;
    ++report.layers_removed;
  }
  return report;
}

// A name moves to this image from whichever image had it (put_image's rule), as docker tags do.
Status name_image(Store& store, const std::string& home, const std::string& image_id,
                  const std::string& name) {
  SBX_TRY(validate_name("image name", name));
  SBX_ASSIGN_OR_RETURN(ImageRow row, store.get_image(image_id));
  row.name = name;
  return put_image_row(store, home, row);
}

}  // namespace sbx
