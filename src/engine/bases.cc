// Root filesystem bases for the caller's identity: debian-slim or a local directory or tarball
// (src/image/debian_base.h does the work; this is the engine's one entry to it).
#include "image/debian_base.h"
#include "runtime/host_base.h"
#include "sbx/engine.h"

namespace sbx {

Result<std::string> Engine::prepare_base(const std::string& base,
                                         const std::function<void(std::string_view)>& log) {
  SBX_ASSIGN_OR_RETURN(Identity identity, choose_identity());
  if (base == kDebianSlim) return ensure_debian_slim(home_, identity, log);
  return import_rootfs(home_, identity, base, log);
}

}  // namespace sbx
