// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash for cache keys and checksums of sbx's
// own files (never for anything an attacker chooses to collide). constexpr, so that keys of
// text built into sbx are computed at build time.
#pragma once

#include <cstdint>
#include <string_view>

namespace sbx {

inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ULL;

// The hash of data, continued from h (the hash of what came before it).
constexpr uint64_t fnv1a(std::string_view data, uint64_t h = kFnv1aOffset) {
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace sbx
