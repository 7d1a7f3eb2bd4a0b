// STAND-IN, branch images-base only: DELETE THIS FILE WHEN MERGING WITH BRANCH `images`, which
// defines these functions for real (src/engine/images.h, src/engine/snapshot_glue.h). Until
// then the staging path is real (so `sbx snapshot` copies the sandbox's layer for real) but
// registering it as an image fails with a clear "not in this build" error.
#include <unistd.h>

#include "engine/images.h"
#include "engine/snapshot_glue.h"
#include "util/fs.h"
#include "util/ids.h"

namespace sbx {

Result<std::string> new_layer_staging_path(const std::string& home) {
  SBX_TRY(make_dirs(home + "/images/tmp", 0700));
  return home + "/images/tmp/" + new_id("st");
}

Result<std::string> register_image_layer(Store& /*store*/, const std::string& /*home*/,
                                         const std::string& /*parent_image*/,
                                         const std::string& staged_dir,
                                         const std::string& /*description*/) {
  (void)remove_tree(staged_dir);
  return Error(ErrorKind::kUnsupported, "images are not in this build of sbx (sbx image)");
}

Status name_image(Store& /*store*/, const std::string& /*image_id*/, const std::string& /*name*/) {
  return Error(ErrorKind::kUnsupported, "images are not in this build of sbx (sbx image)");
}

}  // namespace sbx
