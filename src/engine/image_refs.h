// The image references sbx has resolved, remembered beside the store so that starting a sandbox
// of an image needs no SQLite: $SBX_HOME/images/refs/REF holds the row REF (an im-… id or a
// name) resolved to, written by the first command that looked it up in the store.
//
// Why it stays right: every change to the images table is made under begin_image_change(),
// which takes images/refs.lock exclusively and forgets every remembered reference first; a
// lookup reads, or looks up and writes, under the same lock shared. So a remembered row was
// read from the store after the last change had committed (or after a change died: its lock
// went with it, and the references were forgotten before it touched the store). Only
// references that are plain names are remembered; anything else is looked up every time.
#pragma once

#include <functional>
#include <string>

#include "sbx/error.h"
#include "store/store.h"
#include "util/fd.h"

namespace sbx {

// The row ref names: the remembered one, else the store's (opened by store() only then), which
// is then remembered (best effort: an unwritable cache costs only speed).
Result<ImageRow> resolve_image_ref(const std::string& home, const std::string& ref,
                                   const std::function<Result<Store*>()>& store);

// Forgets every remembered reference and returns the lock that keeps new ones from being
// written; hold it until the change to the images table has committed.
Result<UniqueFd> begin_image_change(const std::string& home);

}  // namespace sbx
