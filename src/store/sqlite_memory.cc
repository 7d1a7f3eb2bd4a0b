// SQLite's memory in a short-lived process: one 2 MiB transparent huge page, bump-allocated,
// instead of the hundred or so small pages a connection touches (page cache, schema,
// statements). On a VM with shadow paging every first touch of a small page costs about 25 µs,
// so one huge-page fault (about 0.2 ms) saves milliseconds per command; on bare metal it costs
// about what the small faults did. Thread-safe: the bump pointer is atomic.
//
// Blocks are never reused, except the last one (freed or grown in place): a command allocates
// far less than the arena, and past its end SQLite gets malloc() as before. Only the process
// that asked for the arena ever makes one; the mapping is MADV_WIPEONFORK, so a child forked
// from it (a supervisor, a sandbox's pid 1) finds it blank and uses malloc() too.
#include "store/sqlite_memory.h"

#include <fcntl.h>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>

namespace sbx::sql {

namespace {

constexpr size_t kArenaBytes = size_t{2} << 20;   // one x86-64 transparent huge page
constexpr uint64_t kMagic = 0x73627861'72656e61;  // "sbxarena"
constexpr size_t kHeaderBytes = 64;               // the magic, then the first block
constexpr size_t kSizeBytes = 8;                  // each block's size, before it

struct Arena {
  std::atomic<pid_t> owner{0};  // the process that asked for the arena
  bool require_huge_page = true;
  char* begin = nullptr;
  char* end = nullptr;
  std::atomic<char*> top{nullptr};  // where the next block's size goes
};
Arena g_arena;

uint64_t round8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

bool in_arena(const void* p) {
  return g_arena.begin != nullptr && std::less_equal<const void*>()(g_arena.begin, p) &&
         std::less<const void*>()(p, g_arena.end);
}

// False in a child forked from the arena's process: its copy of the mapping reads as zeros.
bool arena_live() {
  return g_arena.begin != nullptr &&
         *reinterpret_cast<const volatile uint64_t*>(g_arena.begin) == kMagic;
}

uint64_t& block_size(void* p) {
  return *reinterpret_cast<uint64_t*>(static_cast<char*>(p) - kSizeBytes);
}

void* arena_alloc(uint64_t size) {
  char* old = g_arena.top.load(std::memory_order_relaxed);
  for (;;) {
    if (static_cast<uint64_t>(g_arena.end - old) < kSizeBytes + size) return nullptr;
    if (g_arena.top.compare_exchange_weak(old, old + kSizeBytes + size)) break;
  }
  char* p = old + kSizeBytes;
  block_size(p) = size;
  return p;
}

void* mem_malloc(int n) {
  uint64_t size = round8(n > 0 ? static_cast<uint64_t>(n) : 8);
  if (arena_live())
    if (void* p = arena_alloc(size)) return p;
  return malloc(size);
}

void mem_free(void* p) {
  if (!in_arena(p)) return free(p);
  if (!arena_live()) return;
  // Only the last block goes back.
  char* block = static_cast<char*>(p);
  char* end = block + block_size(p);
  g_arena.top.compare_exchange_strong(end, block - kSizeBytes);
}

int mem_size(void* p) {
  if (p == nullptr) return 0;
  if (!in_arena(p)) return static_cast<int>(malloc_usable_size(p));
  return arena_live() ? static_cast<int>(block_size(p)) : 0;
}

void* mem_realloc(void* p, int n) {
  uint64_t size = round8(n > 0 ? static_cast<uint64_t>(n) : 8);
  if (!in_arena(p)) return realloc(p, size);
  uint64_t old = static_cast<uint64_t>(mem_size(p));
  char* block = static_cast<char*>(p);
  if (arena_live() && size <= static_cast<uint64_t>(g_arena.end - block)) {
    char* end = block + old;  // the last block grows (or shrinks) in place
    if (g_arena.top.compare_exchange_strong(end, block + size)) {
      block_size(p) = size;
      return p;
    }
  }
  void* q = mem_malloc(static_cast<int>(size));
  if (q == nullptr) return nullptr;
  memcpy(q, p, old < size ? old : size);
  mem_free(p);
  return q;
}

int mem_roundup(int n) { return static_cast<int>(round8(static_cast<uint64_t>(n))); }

// Reads a small /proc or /sys file into buf (no stdio: its buffers would be fresh pages).
bool read_small_file(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return false;
  buf[n] = '\0';
  return true;
}

// Whether a huge page can be had at once: THP allowed on request, and a free block of 2 MiB
// or more in the buddy allocator, so that the fault never stalls in compaction.
bool huge_page_at_hand() {
  char text[2048];
  if (!read_small_file("/sys/kernel/mm/transparent_hugepage/enabled", text, sizeof text) ||
      (strstr(text, "[always]") == nullptr && strstr(text, "[madvise]") == nullptr))
    return false;
  if (!read_small_file("/proc/buddyinfo", text, sizeof text)) return false;
  // "Node 0, zone   Normal  c0 c1 ... c10" per line: free blocks of order 0 to 10.
  for (char* line = text; line != nullptr && *line != '\0';) {
    char* next = strchr(line, '\n');
    if (next != nullptr) *next++ = '\0';
    const char* counts = strstr(line, "zone");
    if (counts != nullptr) {
      counts += 4;
      while (*counts == ' ') ++counts;
      while (*counts != ' ' && *counts != '\0') ++counts;  // the zone's name
      long count[11] = {};
      if (sscanf(counts, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &count[0], &count[1],
                 &count[2], &count[3], &count[4], &count[5], &count[6], &count[7], &count[8],
                 &count[9], &count[10]) == 11 &&
          (count[9] > 0 || count[10] > 0))
        return true;
    }
    line = next;
  }
  return false;
}

// Maps the arena, 2 MiB-aligned, and faults it in as one huge page.
int mem_init(void*) {
  if (g_arena.owner.load() != getpid() || g_arena.begin != nullptr) return SQLITE_OK;
  if (g_arena.require_huge_page && !huge_page_at_hand()) return SQLITE_OK;
  void* raw = mmap(nullptr, 2 * kArenaBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return SQLITE_OK;
  char* start = static_cast<char*>(raw);
  size_t misalign = reinterpret_cast<uintptr_t>(start) & (kArenaBytes - 1);
  char* begin = start + (misalign == 0 ? 0 : kArenaBytes - misalign);
  if (begin > start) munmap(start, static_cast<size_t>(begin - start));
  munmap(begin + kArenaBytes, static_cast<size_t>(start + kArenaBytes - begin));
  if (madvise(begin, kArenaBytes, MADV_HUGEPAGE) != 0 ||
      madvise(begin, kArenaBytes, MADV_WIPEONFORK) != 0) {
    munmap(begin, kArenaBytes);
    return SQLITE_OK;
  }
  *reinterpret_cast<uint64_t*>(begin) = kMagic;
  g_arena.begin = begin;
  g_arena.end = begin + kArenaBytes;
  g_arena.top = begin + kHeaderBytes - kSizeBytes;
  return SQLITE_OK;
}

void mem_shutdown(void*) {}  // the arena lives as long as the process

}  // namespace

void use_huge_page_memory(bool require_huge_page) {
  static const sqlite3_mem_methods kMethods = {mem_malloc,  mem_free, mem_realloc,  mem_size,
                                               mem_roundup, mem_init, mem_shutdown, nullptr};
  pid_t expected = 0;
  if (!g_arena.owner.compare_exchange_strong(expected, getpid())) return;
  g_arena.require_huge_page = require_huge_page;
  // Refused (SQLITE_MISUSE) once SQLite is initialised: then it keeps malloc().
  sqlite3_config(SQLITE_CONFIG_MALLOC, &kMethods);
}

size_t huge_page_memory_used() {
  if (!arena_live()) return 0;
  return static_cast<size_t>(g_arena.top.load() + kSizeBytes - g_arena.begin) - kHeaderBytes;
}

}  // namespace sbx::sql
