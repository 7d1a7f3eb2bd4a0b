// Helpers shared by the engine's files (not part of the public interface): resolving a Ref to
// a row with its liveness checked, and the supervisor-alive test.
#pragma once

#include <string>

#include "engine/images.h"
#include "engine/layout.h"
#include "sbx/engine.h"
#include "store/store.h"
#include "util/fd.h"

namespace sbx {

// True while a supervisor holds the sandbox's lock (LOCK_SH probe against its LOCK_EX).
bool supervisor_alive(const SandboxLayout& layout);

// If the row says creating/running but no supervisor holds it, records it as ended (lost)
// and removes what is left of it on disk. Returns the row as it now stands.
Result<SandboxRow> refresh_sandbox(Store& store, const std::string& home, SandboxRow row);

// Finds a sandbox by id or by name within the ref's app, refreshed.
Result<SandboxRow> resolve_sandbox(Store& store, const std::string& home, const Ref& ref);

// Engine::run with a given root (image builds: the layer being built is the upper dir).
Result<int> run_sandbox(Store& store, const std::string& home, const SandboxSpec& spec,
                        const Stdio& stdio, const RootLayers& root);
// An O_PATH descriptor of a running sandbox's writable layer (the overlay's upper directory),
// from its supervisor; reach files below it as "/proc/self/fd/N/...", or with openat(). Works
// the same with and without --disk (layer.cc).
Result<UniqueFd> open_writable_layer(const std::string& home, const SandboxRow& row);

// The secrets' pairs, in order, for a list of names.
Result<EnvList> resolve_secrets(Store& store, const std::vector<std::string>& names);

}  // namespace sbx
