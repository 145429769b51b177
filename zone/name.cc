#include "zone/name.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::zone {


std::string LowerName(std::string_view wire) {
  std::string out(wire);
  for (char& c : out) c = static_cast<char>(LowerByte(static_cast<uint8_t>(c)));
  // Length bytes are below 64 and so never in 'A'..'Z': lowercasing every byte is safe.
  return out;
}

int LabelCount(std::string_view wire) {
  int n = 0;
  for (size_t i = 0; i < wire.size() && wire[i] != 0; i += 1 + static_cast<uint8_t>(wire[i])) ++n;
  return n;
}

namespace {

// Offsets of each label's length byte, first label first; returns the count.
int LabelOffsets(std::string_view wire, std::array<uint8_t, 128>& offsets) {
  int n = 0;
  for (size_t i = 0; i < wire.size() && wire[i] != 0; i += 1 + static_cast<uint8_t>(wire[i])) {
    offsets[n++] = static_cast<uint8_t>(i);
  }
  return n;
}

int CompareLabels(std::string_view a, size_t ai, std::string_view b, size_t bi) {
  const size_t al = static_cast<uint8_t>(a[ai]), bl = static_cast<uint8_t>(b[bi]);
  const size_t n = std::min(al, bl);
  for (size_t k = 1; k <= n; ++k) {
    const uint8_t x = LowerByte(static_cast<uint8_t>(a[ai + k]));
    const uint8_t y = LowerByte(static_cast<uint8_t>(b[bi + k]));
    if (x != y) return x < y ? -1 : 1;
  }
  if (al != bl) return al < bl ? -1 : 1;
  return 0;
}

}  // namespace

int CanonicalCompare(std::string_view a, std::string_view b) {
  std::array<uint8_t, 128> ao, bo;
  int an = LabelOffsets(a, ao), bn = LabelOffsets(b, bo);
  // Compare from the rightmost label leftwards; a name that runs out first sorts first.
  while (an > 0 && bn > 0) {
    const int c = CompareLabels(a, ao[--an], b, bo[--bn]);
    if (c != 0) return c;
  }
  if (an == bn) return 0;
  return an < bn ? -1 : 1;
}

std::string CanonicalSortKey(std::string_view wire) {
  std::array<uint8_t, 128> offsets;
  int n = LabelOffsets(wire, offsets);
  std::string key;
  key.reserve(wire.size() + 1);
  while (n > 0) {
    const size_t at = offsets[--n];
    const size_t end = std::min(wire.size(), at + 1 + static_cast<uint8_t>(wire[at]));
    for (size_t i = at + 1; i < end; ++i) {
      const uint8_t c = LowerByte(static_cast<uint8_t>(wire[i]));
      if (c <= 1) {
        key += '\x01';
        key += static_cast<char>(c + 1);
      } else {
        key += static_cast<char>(c);
      }
    }
    key += '\0';
  }
  return key;
}

bool IsSubdomainOf(std::string_view name, std::string_view ancestor) {
  const int n = LabelCount(name), k = LabelCount(ancestor);
  if (n < k) return false;
  std::string_view suffix = NameSuffix(name, k);
  return suffix.size() == ancestor.size() && CanonicalCompare(suffix, ancestor) == 0;
}

std::string_view NameSuffix(std::string_view name, int n) {
  int skip = LabelCount(name) - n;
  size_t i = 0;
  while (skip-- > 0) i += 1 + static_cast<uint8_t>(name[i]);
  return name.substr(i);
}

std::string NameToText(std::string_view wire) {
  if (wire.empty() || wire[0] == 0) return ".";
  std::string out;
  for (size_t i = 0; i < wire.size() && wire[i] != 0;) {
    const size_t len = static_cast<uint8_t>(wire[i]);
    for (size_t k = 1; k <= len && i + k < wire.size(); ++k) {
      const uint8_t c = static_cast<uint8_t>(wire[i + k]);
      if (c == '.' || c == '\\' || c == '(' || c == ')' || c == ';' || c == '"' || c == '$' || c == '@') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        snprintf(buf, sizeof buf, "\\%03u", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '.';
    i += 1 + len;
  }
  return out;
}

absl::StatusOr<std::string> NameFromText(std::string_view text, std::string_view origin) {
  if (text == "@") return std::string(origin);
  if (text == ".") return std::string(1, '\0');
  std::string out;
  std::string label;
  bool absolute = false;
  auto end_label = [&]() -> absl::Status {
    if (label.empty()) return absl::InvalidArgumentError(Cat("empty label in name '", text, "'"));
    if (label.size() > kMaxLabelLength) {
      return absl::InvalidArgumentError(Cat("label longer than 63 octets in '", text, "'"));
    }
    out += static_cast<char>(label.size());
    out += label;
    label.clear();
    return absl::OkStatus();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 3 < text.size() && isdigit(static_cast<uint8_t>(text[i + 1])) &&
          isdigit(static_cast<uint8_t>(text[i + 2])) && isdigit(static_cast<uint8_t>(text[i + 3]))) {
        const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return absl::InvalidArgumentError(Cat("bad escape in name '", text, "'"));
        label += static_cast<char>(v);
        i += 3;
      } else if (i + 1 < text.size()) {
        label += text[++i];
      } else {
        return absl::InvalidArgumentError(Cat("dangling escape in name '", text, "'"));
      }
    } else if (c == '.') {
      if (auto s = end_label(); !s.ok()) return s;
      if (i + 1 == text.size()) absolute = true;
    } else {
      label += c;
    }
  }
  if (!label.empty()) {
    if (auto s = end_label(); !s.ok()) return s;
  }
  if (absolute) {
    out += '\0';
  } else {
    out.append(origin);
  }
  if (out.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(Cat("name longer than 255 octets: '", text, "'"));
  }
  return out;
}

}  // namespace rootd::zone
