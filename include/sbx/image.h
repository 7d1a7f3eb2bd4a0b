// Images as callers describe them (ImageSpec: a base and ordered build steps) and as sbx knows
// them (ImageInfo). Plain values; the JSON form is read by src/image/spec.cc and documented in
// sbx-image(5).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sbx/types.h"

namespace sbx {

// pip's own options, for a pip or requirements step.
struct PipOptions {
  std::string index_url;                      // --index-url
  std::vector<std::string> extra_index_urls;  // --extra-index-url, each
  std::vector<std::string> find_links;        // --find-links: URLs, or host directories (absolute)
  bool no_index = false;                      // --no-index
  bool pre = false;                           // --pre
  std::vector<std::string> extra_args;        // passed to `pip install` verbatim
};

struct ImageStep {
  enum class Kind { kPip, kRequirements, kApt, kRun, kEnv, kWorkdir, kCopy };
  Kind kind = Kind::kRun;
  std::vector<std::string> packages;  // kPip, kApt
  PipOptions pip;                     // kPip, kRequirements
  std::string path;                   // kRequirements: the file; kCopy: the source directory
                                      // (absolute host paths)
  std::string dest;                   // kCopy: absolute path in the image; kWorkdir: the dir
  std::vector<std::string> command;   // kRun: argv (a JSON string becomes sh -c STRING)
  EnvList env;                        // kEnv
};

struct ImageSpec {
  std::string name;           // optional: the image is also known by this name
  std::string base = "host";  // "host", "debian-slim", or a rootfs directory or tarball (absolute)
  std::vector<ImageStep> steps;
};

struct ImageBuildOptions {
  // The build sandboxes' network: "none", "nat" or "host"; "" (the default): nat where this
  // host and caller can have it, else none (said in the build log).
  std::string network;
  bool quiet = false;              // no step headers and no step output (but a failed step's)
  int log_fd = 2;                  // where headers and step output go
  std::string policy = "default";  // seccomp profile of the build sandboxes
  ResourceLimits limits;           // limits of each build sandbox
};

struct ImageLayerInfo {
  std::string id;           // 64 hex characters: sha256 of the parent's id and the step
  std::string description;  // "pip install six"
  bool has_files = false;   // env and workdir steps change only the image's config
  int64_t size_bytes = 0;
  double created_at = 0;
  double build_seconds = 0;
};

struct ImageInfo {
  std::string id;  // im-… (derived from the top layer: the same spec gives the same id)
  std::string name;
  std::string base;                    // as given in the spec (rootfs paths absolute)
  std::vector<ImageLayerInfo> layers;  // bottom first
  EnvList env;                         // defaults of sandboxes made from the image
  std::string workdir;                 // "" : /
  double created_at = 0;
  int64_t size_bytes = 0;
  bool cached = false;  // image_build: every step was already built
  int in_use = 0;       // live sandboxes using it
};

struct ImagePruneReport {
  int layers_removed = 0;
  int staging_removed = 0;
  int64_t bytes_freed = 0;
};

}  // namespace sbx
