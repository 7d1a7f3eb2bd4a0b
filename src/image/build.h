// Building an image's layers: for each step, its layer id (sha256 of the parent's id, the step,
// and the content of files it reads), then either the cached layer or a build in a sandbox the
// caller runs (StepRunner), published only once the step succeeded. Writes the live build log.
// Knows nothing of the engine or the store: the engine supplies the runner.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "image/layer_store.h"
#include "sbx/error.h"
#include "sbx/image.h"

namespace sbx {

// Most layers with files an image may have: overlayfs takes more, but the mount options must
// fit in a page and every layer slows lookups. Deeper specs are refused.
inline constexpr size_t kMaxImageLayers = 100;

// Where pip installs on the host base (whose /usr is the host's, read-only): a user base under
// /opt, on PATH and found by python3 through PYTHONUSERBASE in every sandbox of the image.
inline constexpr const char* kHostPipPrefix = "/opt/sbx/python";

// One build step's sandbox, for the StepRunner.
struct StepSandbox {
  std::vector<std::string> argv;
  EnvList env;  // the image's env so far plus the step's own, over the base environment
  std::string workdir = "/";
  std::vector<MountSpec> mounts;          // read-only inputs (find-links, requirements, copy)
  std::vector<std::string> lower_layers;  // roots of the layers below, top first (no base)
  std::string upper_dir;                  // empty dir: becomes the new layer's files
  std::string work_dir;                   // empty dir on the same filesystem
  int out_fd = 2;                         // the step's stdout and stderr
};
// Runs the step in a sandbox on the image's base and returns its exit code.
using StepRunner = std::function<Result<int>(const StepSandbox&)>;

struct BuildBase {
  std::string id;            // "host", "debian-slim", "rootfs:<fingerprint>"
  bool host = true;          // the host base: pip installs under kHostPipPrefix
  std::string default_path;  // PATH of the base environment
};

struct BuildOutcome {
  std::string top;                // the top layer's id; "" for a spec without steps
  std::vector<LayerMeta> layers;  // bottom first
  EnvList env;
  std::string workdir;
  bool cached = true;  // no step was built
};

Result<BuildOutcome> build_layers(const LayerStore& store, const ImageSpec& spec,
                                  const BuildBase& base, const StepRunner& run,
                                  const ImageBuildOptions& options);

// The image id for a chain: im- and 24 hex characters of the top layer id (or of the base id).
std::string image_id_for(const std::string& top, const std::string& base_id);

}  // namespace sbx
