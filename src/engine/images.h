// The engine's image glue (not part of the public interface): turning an image reference into a
// sandbox root, and registering a prepared directory as a new image layer (used by
// `sbx snapshot`). The layer store itself is src/image/layer_store.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"
#include "store/store.h"
#include "util/fd.h"

namespace sbx {

// What a sandbox's root is made of, from its image (or, for an image build step, from the
// build): layer roots over a base, and the image's defaults.
struct RootLayers {
  std::vector<std::string> lowers;  // layer roots, top first; then the base rootfs unless host
  bool host_base = true;            // the host base: the skeleton below, the host's /usr... over
  std::string upper_dir;            // empty: the sandbox's own writable layer
  std::string work_dir;
  EnvList env;           // the image's environment (under the sandbox's --env)
  std::string workdir;   // the image's workdir (when the sandbox sets none)
  std::string image_id;  // "" : no image
};

// The root for a sandbox of image image_ref (an im-… id or a name; empty: the host base alone).
// The reference is resolved as image_refs.h says: the store is opened (by store()) only when
// it is not remembered.
Result<RootLayers> image_root(const std::string& home, const std::string& image_ref,
                              const std::function<Result<Store*>()>& store);

// The image row of ref (an im-… id or a name), from the store; "no image 'ref'" when none.
Result<ImageRow> find_image(Store& store, const std::string& ref);

// Held (shared) from resolving a sandbox's image until its row is recorded, and (exclusive) by
// image rm and prune, so that no image is removed between a create's check and its use.
Result<UniqueFd> lock_images(const std::string& home, bool exclusive);

// A path that does not exist yet, in a directory of the layer store's filesystem
// ($SBX_HOME/images/tmp), where a caller may prepare a layer tree (e.g. copy_layer's dest_dir)
// before handing it to register_image_layer. A staging path left behind by a killed process is
// removed by `sbx image prune`.
Result<std::string> new_layer_staging_path(const std::string& home);

// Registers staged_dir (a finished layer tree, as a sandbox's writable overlay layer looks:
// files owned on the host as the sandbox's root wrote them, overlayfs whiteouts and opaque
// directories kept) as a new layer on top of image parent_image (an im-… id or an image name;
// empty: the host base), and records a new, unnamed image made of the parent's layers plus
// that one, with the parent's env and workdir. staged_dir is moved (renamed) into the layer
// store, so it must come from new_layer_staging_path; on failure it is removed. The layer's id
// is a hash of the parent's top layer id and a fresh random nonce (a snapshot is never a cache
// hit). description is shown by `sbx image inspect` ("snapshot of sb-…"). Returns the new
// image's id (im-…).
Result<std::string> register_image_layer(Store& store, const std::string& home,
                                         const std::string& parent_image,
                                         const std::string& staged_dir,
                                         const std::string& description);

// Gives image image_id (im-…) the name `name`, with the rules of `sbx image build --name` (a
// valid name; an image that had it loses it to this one, as docker tags move).
Status name_image(Store& store, const std::string& home, const std::string& image_id,
                  const std::string& name);

}  // namespace sbx
