// The engine's `doctor` use case: the host checks of runtime/host_probe, with overlayfs tried
// on the filesystem that holds this store's sandbox layers.
#include "runtime/host_probe.h"
#include "sbx/engine.h"

namespace sbx {

std::vector<HostCheck> Engine::doctor() const { return probe_host(home_); }

}  // namespace sbx
