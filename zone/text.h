// Message building, and enums looked up by name. Debian's Abseil has its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), which does not accept std::string_view; Cat concatenates std::string_view-convertible
// parts and numbers without that friction.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace rootd {

namespace internal {
template <typename T>
void AppendPart(std::string& out, const T& part) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, char>) {
    out += std::to_string(part);
  } else if constexpr (std::is_same_v<T, char>) {
    out += part;
  } else if constexpr (std::is_same_v<T, absl::string_view>) {
    out.append(part.data(), part.size());
  } else {
    out.append(std::string_view(part));
  }
}
}  // namespace internal

template <typename... T>
std::string Cat(const T&... parts) {
  std::string out;
  (internal::AppendPart(out, parts), ...);
  return out;
}

// The enumerator named `name` in `names`, a table of names in the enum's order (the
// command-line words of a plan or a schema).
template <typename Enum, size_t N>
std::optional<Enum> EnumFromName(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace rootd
