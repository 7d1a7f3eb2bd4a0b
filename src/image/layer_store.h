// The layer store on disk, under $SBX_HOME/images:
//   layers/ID/meta.json   a published layer (its presence, by rename, is the completion mark)
//   layers/ID/root/       its files: an overlayfs upper dir (whiteouts, opaque dirs) or absent
//   locks/ID              flock'd by whoever builds layer ID
//   tmp/ID.PID.RAND/      a layer being built (root/, work/); left behind only by a killed build
// A layer id is 64 hex characters (sha256 of the parent's id and the step). Safe to use from
// many processes at once: publishing is a rename, building is serialized per id by the lock.
#pragma once

#include <string>
#include <vector>

#include "sbx/error.h"
#include "sbx/image.h"
#include "util/fd.h"

namespace sbx {

// What meta.json records about a layer.
struct LayerMeta {
  std::string id;
  std::string parent;  // "" : directly on the base
  std::string base;    // the base's id (the chain's bottom)
  std::string description;
  bool has_files = false;
  EnvList env;          // the image's env once this layer is applied (cumulative)
  std::string workdir;  // likewise
  double created_at = 0;
  double build_seconds = 0;
  int64_t size_bytes = 0;
};

class LayerStore {
 public:
  explicit LayerStore(const std::string& home) : dir_(home + "/images") {}

  const std::string& dir() const { return dir_; }
  std::string layer_dir(const std::string& id) const { return dir_ + "/layers/" + id; }
  std::string root_dir(const std::string& id) const { return layer_dir(id) + "/root"; }
  std::string tmp_dir() const { return dir_ + "/tmp"; }

  // Creates the directories (0700).
  Status init() const;
  bool has(const std::string& id) const;
  Result<LayerMeta> meta(const std::string& id) const;
  // The layers from top down to the base: top first.
  Result<std::vector<LayerMeta>> chain(const std::string& top) const;
  // Takes layer id's build lock (blocking) and returns it held.
  Result<UniqueFd> lock(const std::string& id) const;
  // Removes what killed builds of layer id left in tmp/ (call with the lock held).
  Status clean_staging(const std::string& id) const;
  // A fresh empty staging directory tmp/ID.PID.RAND (0700).
  Result<std::string> new_staging(const std::string& id) const;
  // Publishes a staging dir: drops staging/work, writes meta.json, renames it to layers/ID.
  // When the layer appeared meanwhile, the staging dir is removed and that is success.
  Status publish(const std::string& staging, LayerMeta meta) const;
  Result<std::vector<std::string>> list() const;
  // Unpublishes (a rename out of layers/) then removes the files; returns the bytes freed.
  Result<int64_t> remove(const std::string& id) const;
  // Removes staging dirs nobody builds in any more; returns how many.
  Result<int> prune_staging() const;

 private:
  std::string dir_;
};

// Total size of the regular files under path (not following symlinks).
int64_t tree_size(const std::string& path);
// sha256 over a directory tree: relative paths, types, modes, link targets and file contents.
Result<std::string> tree_digest(const std::string& path);
// sha256 over a tree's metadata only (paths, types, modes, sizes, mtimes, link targets): cheap
// enough for a whole root filesystem.
Result<std::string> tree_fingerprint(const std::string& path);
// sha256 of a file's content.
Result<std::string> file_digest(const std::string& path);

}  // namespace sbx
