// SHA-256 (FIPS 180-4), for content-addressed ids (image layers). Incremental: update() any
// number of times, then hex(). Not thread-safe per object; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sbx {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  // Feeds a length-prefixed field, so that ("ab","c") and ("a","bc") hash differently.
  Sha256& field(std::string_view data);
  // The digest as 64 lowercase hex characters; the object is spent afterwards.
  std::string hex();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t used_ = 0;
  uint64_t total_ = 0;
};

inline std::string sha256_hex(std::string_view data) { return Sha256().update(data).hex(); }

}  // namespace sbx
