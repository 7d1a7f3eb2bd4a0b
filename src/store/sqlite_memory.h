// SQLite's memory in a short-lived process: one transparent huge page (sqlite_memory.cc).
#pragma once

#include <cstddef>

namespace sbx::sql {

// Gives SQLite in this process, from its first connection on, a 2 MiB arena on one
// transparent huge page, where the kernel has one at hand; else SQLite keeps malloc(). Call
// before the first connection, in a process that lives for one command: the arena's memory is
// not reused. Processes forked from this one never use the arena.
// require_huge_page false (for tests) makes the arena even where no huge page is at hand.
void use_huge_page_memory(bool require_huge_page = true);

// Bytes handed out from this process's arena so far; 0 when it has none (or is a child of the
// process that has one).
size_t huge_page_memory_used();

}  // namespace sbx::sql
