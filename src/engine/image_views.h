// JSON encoding of images (sbx image inspect, ls --json, build --json), shared by the CLI and
// the HTTP API. Image env values are part of the image, not secrets, and are shown.
#pragma once

#include <string>
#include <vector>

#include "sbx/image.h"

namespace sbx {

std::string to_json(const ImageInfo& image, bool pretty);
std::string to_json(const std::vector<ImageInfo>& images, bool pretty);
std::string to_json(const ImagePruneReport& report);

}  // namespace sbx
