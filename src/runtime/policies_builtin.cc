// The seccomp profiles built into sbx, so that an installed sbx needs no data files. Their text
// is policies/NAME.json itself, embedded at build time (the Makefile generates policies.inc).
#include <array>
#include <string_view>
#include <utility>

#include "runtime/seccomp.h"

namespace sbx {

namespace {

struct Builtin {
  const char* name;
  std::string_view json;
};
constexpr Builtin kBuiltins[] = {
#include "policies.inc"
};

template <size_t... I>
constexpr std::array<uint64_t, sizeof...(I)> hashes(std::index_sequence<I...>) {
  return {policy_text_hash(kBuiltins[I].json)...};
}
constexpr auto kHashes = hashes(std::make_index_sequence<std::size(kBuiltins)>());

}  // namespace

std::vector<std::string> builtin_policy_names() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) out.emplace_back(b.name);
  return out;
}

std::optional<std::string_view> builtin_policy_text(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return b.json;
  return std::nullopt;
}

std::optional<uint64_t> builtin_policy_hash(std::string_view name) {
  for (size_t i = 0; i < std::size(kBuiltins); ++i)
    if (name == kBuiltins[i].name) return kHashes[i];
  return std::nullopt;
}

}  // namespace sbx
