// JSON of images: stable snake_case fields, timestamps as RFC 3339 like the sandbox views.
#include "engine/image_views.h"

#include "engine/views.h"
#include "util/json.h"

namespace sbx {

namespace {

void write_image(JsonWriter& w, const ImageInfo& im) {
  w.begin_object()
      .field("id", im.id)
      .field("name", im.name.empty() ? std::optional<std::string>() : im.name)
      .field("base", im.base)
      .field("created_at", rfc3339(im.created_at))
      .field("size_bytes", im.size_bytes)
      .field("in_use", im.in_use)
      .field("cached", im.cached);
  w.key("env").begin_object();
  for (const auto& [k, v] : im.env) w.field(k, v);
  w.end_object();
  w.field("workdir", im.workdir.empty() ? std::string("/") : im.workdir);
  w.key("layers").begin_array();
  for (const auto& l : im.layers)
    w.begin_object()
        .field("id", l.id)
        .field("description", l.description)
        .field("has_files", l.has_files)
        .field("size_bytes", l.size_bytes)
        .field("created_at", rfc3339(l.created_at))
        .field("build_seconds", l.build_seconds)
        .end_object();
  w.end_array().end_object();
}

}  // namespace

std::string to_json(const ImageInfo& image, bool pretty) {
  JsonWriter w(pretty);
  write_image(w, image);
  return w.take();
}

std::string to_json(const std::vector<ImageInfo>& images, bool pretty) {
  JsonWriter w(pretty);
  w.begin_array();
  for (const auto& im : images) write_image(w, im);
  w.end_array();
  return w.take();
}

std::string to_json(const ImagePruneReport& r) {
  JsonWriter w;
  w.begin_object()
      .field("layers_removed", r.layers_removed)
      .field("staging_removed", r.staging_removed)
      .field("bytes_freed", r.bytes_freed)
      .end_object();
  return w.take();
}

}  // namespace sbx
