// The engine's image glue (not part of the public interface): turning an image reference into a
// sandbox root, and registering a prepared directory as a new image layer (used by
// `sbx snapshot`). The layer store itself is src/image/layer_store.h.
#pragma once

#include <string>
#include <vector>

#include "sbx/error.h"
#include "sbx/types.h"
#include "store/store.h"

namespace sbx {

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

}  // namespace sbx
