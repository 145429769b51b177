#include "zone/xml_fields.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::zone {

bool IsElement(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

const xmlNode* ChildElement(const xmlNode* parent, const char* name) {
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (IsElement(n, name)) return n;
  }
  return nullptr;
}

std::string ElementText(const xmlNode* node) {
  xmlChar* c = xmlNodeGetContent(node);
  if (c == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(c));
  xmlFree(c);
  const size_t b = out.find_first_not_of(" \t\r\n");
  const size_t e = out.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

std::optional<std::string> Attribute(const xmlNode* node, const char* name) {
  xmlChar* c = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (c == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(c));
  xmlFree(c);
  return out;
}

absl::StatusOr<absl::Time> ParseXmlTime(std::string_view text) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) return t;
  // xsd:dateTime without a time zone, as the ceremonies' KSRs write bundle times: UTC.
  std::string ignored;
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", std::string(text), absl::UTCTimeZone(), &t, &ignored)) return t;
  return absl::InvalidArgumentError(Cat("bad time '", text, "': ", err));
}

absl::StatusOr<uint32_t> ParseDecimal(std::string_view text, uint32_t max, std::string_view what) {
  // At most 10 digits, so the value fits 64 bits before the range check.
  bool digits = !text.empty() && text.size() <= 10;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits) return absl::InvalidArgumentError(Cat("bad ", what, " '", text, "'"));
  const uint64_t v = std::strtoull(std::string(text).c_str(), nullptr, 10);
  if (v > max) return absl::InvalidArgumentError(Cat(what, " ", text, " out of range"));
  return static_cast<uint32_t>(v);
}

}  // namespace rootd::zone
