// Remembered image references (image_refs.h): one small JSON file per reference, written to a
// temporary name and renamed into place, so a reader sees a whole row or none.
#include "engine/image_refs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/images.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/names.h"

namespace sbx {

namespace {

constexpr int64_t kFormat = 1;  // a file of another format is a miss, never an error

std::string refs_dir(const std::string& home) { return home + "/images/refs"; }

Result<UniqueFd> lock_refs(const std::string& home, int how) {
  SBX_TRY(make_dirs(home + "/images", 0700));
  return lock_file(home + "/images/refs.lock", how);
}

std::string encode(const ImageRow& row) {
  JsonWriter w;
  w.begin_object().field("format", kFormat).field("id", row.id).field("name", row.name);
  w.field("base", row.base).field("base_id", row.base_id).field("base_dir", row.base_dir);
  w.field("top_layer", row.top_layer).field("config_json", row.config_json);
  w.field("spec_json", row.spec_json).field("created_at", row.created_at);
  return w.end_object().take();
}

std::optional<ImageRow> decode(const std::string& text) {
  Result<JsonValue> doc = parse_json(text);
  if (!doc.ok() || !doc->is_object()) return std::nullopt;
  const JsonValue* format = doc->get("format");
  if (format == nullptr || !format->is_int() || format->as_int() != kFormat) return std::nullopt;
  ImageRow row;
  std::pair<const char*, std::string*> strings[] = {{"id", &row.id},
                                                    {"name", &row.name},
                                                    {"base", &row.base},
                                                    {"base_id", &row.base_id},
                                                    {"base_dir", &row.base_dir},
                                                    {"top_layer", &row.top_layer},
                                                    {"config_json", &row.config_json},
                                                    {"spec_json", &row.spec_json}};
  for (auto& [key, out] : strings) {
    const JsonValue* v = doc->get(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    *out = v->as_string();
  }
  const JsonValue* created = doc->get("created_at");
  if (created == nullptr || !created->is_number()) return std::nullopt;
  row.created_at = created->as_double();
  if (row.id.empty()) return std::nullopt;
  return row;
}

// Writes the entry for ref; a temporary name starting with '.' can be no reference's.
void remember(const std::string& home, const std::string& ref, const ImageRow& row) {
  std::string dir = refs_dir(home);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return;
  std::string tmp = dir + "/.tmp." + std::to_string(getpid());
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return;
  bool written = write_all(fd.get(), encode(row)).ok();
  fd.reset();
  if (!written || rename(tmp.c_str(), (dir + "/" + ref).c_str()) != 0) unlink(tmp.c_str());
}

}  // namespace

Result<ImageRow> resolve_image_ref(const std::string& home, const std::string& ref,
                                   const std::function<Result<Store*>()>& store) {
  UniqueFd lock;
  if (is_plain_name(ref)) {
    Result<UniqueFd> held = lock_refs(home, LOCK_SH);
    if (held.ok()) lock = std::move(held).value();  // else: no cache, the store alone
  }
  if (lock) {
    Result<std::string> text = read_file(refs_dir(home) + "/" + ref);
    if (text.ok())
      if (std::optional<ImageRow> row = decode(*text)) return std::move(*row);
  }
  SBX_ASSIGN_OR_RETURN(Store * s, store());
  SBX_ASSIGN_OR_RETURN(ImageRow row, find_image(*s, ref));
  if (lock) remember(home, ref, row);
  return row;
}

Result<UniqueFd> begin_image_change(const std::string& home) {
  SBX_ASSIGN_OR_RETURN(UniqueFd lock, lock_refs(home, LOCK_EX));
  if (Status s = remove_tree(refs_dir(home)); !s.ok())
    return std::move(s).error().context("forget the remembered image references");
  return lock;
}

}  // namespace sbx
