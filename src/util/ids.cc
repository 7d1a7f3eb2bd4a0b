// Random ids and the wall clock.
#include "util/ids.h"

#include <sys/random.h>

#include <chrono>
#include <cstring>

namespace sbx {

namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kIdChars = 24;
}  // namespace

std::string new_id(const char* prefix) {
  unsigned char raw[kIdChars];
  size_t got = 0;
  while (got < sizeof raw) {
    ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string id = std::string(prefix) + "-";
  for (unsigned char c : raw) id += kAlphabet[c % 62];  // 256 % 62 bias is irrelevant for ids
  return id;
}

bool is_id(const std::string& s, const char* prefix) {
  size_t p = std::strlen(prefix);
  if (s.size() != p + 1 + kIdChars || s.compare(0, p, prefix) != 0 || s[p] != '-') return false;
  for (size_t i = p + 1; i < s.size(); ++i)
    if (std::strchr(kAlphabet, s[i]) == nullptr) return false;
  return true;
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sbx
