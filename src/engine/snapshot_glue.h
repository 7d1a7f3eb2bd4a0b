// What `sbx snapshot` needs from the images work beyond src/engine/images.h (which is the images
// branch's committed interface): naming the new image. Declared here on branch images-base;
// the images branch defines it (or an equivalent is wired in here) when the two merge.
#pragma once

#include <string>

#include "sbx/error.h"
#include "store/store.h"

namespace sbx {

// Gives image image_id (im-…) the name `name`, with the same rules as `sbx image build --name`
// (a valid name; an existing image of that name loses it to this one, as docker tags move).
Status name_image(Store& store, const std::string& image_id, const std::string& name);

}  // namespace sbx
