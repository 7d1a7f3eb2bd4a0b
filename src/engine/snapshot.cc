// `diff` and `snapshot`: both read a running sandbox's writable overlay layer from the host,
// against the lower layers recorded when it was created. A snapshot copies the layer while the
// sandbox runs (a point-in-time copy, as Modal's snapshot_filesystem) and registers the copy as
// a new image layer over the sandbox's image.

#include "engine/images.h"
#include "engine/internal.h"
#include "engine/spec.h"
#include "image/layer_diff.h"
#include "runtime/host_base.h"
#include "sbx/engine.h"
#include "util/fs.h"

namespace sbx {

namespace {

Result<SandboxRow> running_sandbox(Store& store, const std::string& home, const Ref& ref) {
  SBX_ASSIGN_OR_RETURN(SandboxRow row, resolve_sandbox(store, home, ref));
  if (row.state != "running")
    return Error(ErrorKind::kFailedPrecondition,
                 "sandbox " + row.id + " is not running (" +
                     (row.end_reason.empty() ? row.state : "ended: " + row.end_reason) +
                     "): its writable layer is gone");
  return row;
}

// The lower directories the sandbox was created with, derived as create derived them: its
// image's layers (an image in use cannot be removed), then the base, or the host base's skeleton.
Result<std::vector<std::string>> lower_dirs_of(Store& store, const std::string& home,
                                               const SandboxRow& row) {
  SBX_ASSIGN_OR_RETURN(
      RootLayers root,
      image_root(home, sandbox_info(row).image, [&store]() -> Result<Store*> { return &store; }));
  std::vector<std::string> dirs = root.lowers;
  if (root.host_base) {
    SBX_ASSIGN_OR_RETURN(Identity id, choose_identity());
    dirs.push_back(skeleton_dir(home, id.uid.outside));
  }
  return dirs;
}

// A path that reaches the directory open at fd ("." last, so O_NOFOLLOW opens of it work).
std::string fd_dir_path(int fd) { return "/proc/self/fd/" + std::to_string(fd) + "/."; }

}  // namespace

Result<std::vector<FileChange>> Engine::diff(const Ref& sandbox) {
  SBX_ASSIGN_OR_RETURN(SandboxRow row, running_sandbox(*store_, home_, sandbox));
  SandboxLayout layout = sandbox_layout(home_, row.id);
  SBX_ASSIGN_OR_RETURN(std::vector<std::string> lowers, lower_dirs_of(*store_, home_, row));
  // The layer through the supervisor's descriptor: with --disk it lives on a tmpfs in the
  // sandbox's own mount namespace, not under the state directory.
  SBX_ASSIGN_OR_RETURN(UniqueFd layer, open_writable_layer(home_, row));
  auto changes = diff_layer(fd_dir_path(layer.get()), lowers);
  if (!changes.ok() && !supervisor_alive(layout))
    return Error(ErrorKind::kFailedPrecondition, "sandbox " + row.id + " ended during diff");
  if (!changes.ok()) return std::move(changes).error().context("diff " + row.id);
  std::vector<FileChange> out;
  out.reserve(changes->size());
  for (auto& c : *changes) out.push_back({c.kind, std::move(c.path)});
  return out;
}

Result<std::string> Engine::snapshot(const Ref& sandbox, const std::string& name) {
  SBX_TRY(validate_name("image name", name));
  SBX_ASSIGN_OR_RETURN(SandboxRow row, running_sandbox(*store_, home_, sandbox));
  SandboxLayout layout = sandbox_layout(home_, row.id);
  SBX_ASSIGN_OR_RETURN(std::string staged, new_layer_staging_path(home_));
  SBX_ASSIGN_OR_RETURN(UniqueFd layer, open_writable_layer(home_, row));
  Status copied = copy_layer(fd_dir_path(layer.get()), staged);
  if (copied.ok() && !supervisor_alive(layout))
    copied = Error(ErrorKind::kFailedPrecondition, "sandbox " + row.id + " ended during snapshot");
  if (!copied.ok()) {
    (void)remove_tree(staged);
    return std::move(copied).error().context("snapshot " + row.id);
  }
  std::string parent = sandbox_info(row).image;
  SBX_ASSIGN_OR_RETURN(std::string image, register_image_layer(*store_, home_, parent, staged,
                                                               "snapshot of " + row.id));
  SBX_TRY(name_image(*store_, home_, image, name));
  return image;
}

}  // namespace sbx
