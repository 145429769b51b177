#include "zone/trust_anchor.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "absl/status/status.h"
#include "zone/c_ptr.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/file_io.h"
#include "zone/name.h"
#include "zone/text.h"
#include "zone/wire.h"
#include "zone/xml_fields.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerByte(static_cast<uint8_t>(a[i])) != LowerByte(static_cast<uint8_t>(b[i]))) return false;
  }
  return true;
}

bool IsClass(std::string_view t) {
  return EqualsIgnoreCase(t, "IN") || EqualsIgnoreCase(t, "CH") || EqualsIgnoreCase(t, "HS");
}

// A TTL field: a plain number (anchor files write no unit forms).
bool IsNumber(std::string_view t) { return ParseDecimal(t, UINT32_MAX, "number").ok(); }

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    const size_t start = i;
    while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& tokens, size_t from) {
  std::string out;
  for (size_t i = from; i < tokens.size(); ++i) out.append(tokens[i]);
  return out;
}

// DS and DNSKEY RDATA text share a layout: a 16-bit number, two 8-bit numbers, then the rest
// of the tokens as one encoded blob (hex digest, base64 key). `names` names those four fields.
struct KeyFields {
  uint16_t wide = 0;
  uint8_t narrow[2] = {};
  std::string rest;
};
absl::StatusOr<KeyFields> ParseKeyFields(const std::vector<std::string_view>& t, size_t i, std::string_view type,
                                         const std::string_view (&names)[4],
                                         absl::StatusOr<std::string> (*decode)(std::string_view)) {
  if (t.size() < i + 4) {
    return absl::InvalidArgumentError(
        Cat(type, " needs ", names[0], ", ", names[1], ", ", names[2], " and ", names[3]));
  }
  KeyFields f;
  absl::StatusOr<uint32_t> wide = ParseDecimal(t[i], 0xffff, names[0]);
  if (!wide.ok()) return wide.status();
  f.wide = static_cast<uint16_t>(*wide);
  for (size_t n = 0; n < 2; ++n) {
    absl::StatusOr<uint32_t> narrow = ParseDecimal(t[i + 1 + n], 0xff, names[1 + n]);
    if (!narrow.ok()) return narrow.status();
    f.narrow[n] = static_cast<uint8_t>(*narrow);
  }
  absl::StatusOr<std::string> rest = decode(Join(t, i + 3));
  if (!rest.ok()) return rest.status();
  f.rest = *std::move(rest);
  return f;
}

// One logical record: "owner [ttl] [class] type rdata...", TTL and class in either order.
absl::StatusOr<AnchorEntry> ParseRecord(std::string_view record) {
  const std::vector<std::string_view> t = Tokens(record);
  if (t.size() < 2) return absl::InvalidArgumentError("incomplete record");
  AnchorEntry e;
  absl::StatusOr<std::string> owner = NameFromText(t[0], kRoot);
  if (!owner.ok()) return owner.status();
  e.owner = *std::move(owner);
  size_t i = 1;
  while (i < t.size() && i < 3 && (IsNumber(t[i]) || IsClass(t[i]))) {
    if (IsClass(t[i]) && !EqualsIgnoreCase(t[i], "IN")) return absl::InvalidArgumentError(Cat("class ", t[i], " is not IN"));
    ++i;
  }
  if (i >= t.size()) return absl::InvalidArgumentError("missing type");
  const std::string_view type = t[i++];
  if (EqualsIgnoreCase(type, "DS")) {
    absl::StatusOr<KeyFields> f =
        ParseKeyFields(t, i, "DS", {"key tag", "algorithm", "digest type", "digest"}, HexDecode);
    if (!f.ok()) return f.status();
    e.kind = AnchorEntry::Kind::kDs;
    e.key_tag = f->wide;
    e.algorithm = f->narrow[0];
    e.digest_type = f->narrow[1];
    e.digest = std::move(f->rest);
    return e;
  }
  if (EqualsIgnoreCase(type, "DNSKEY")) {
    absl::StatusOr<KeyFields> f =
        ParseKeyFields(t, i, "DNSKEY", {"flags", "protocol", "algorithm", "key"}, Base64Decode);
    if (!f.ok()) return f.status();
    e.kind = AnchorEntry::Kind::kDnskey;
    Put16(e.dnskey_rdata, f->wide);
    e.dnskey_rdata += static_cast<char>(f->narrow[0]);
    e.dnskey_rdata += static_cast<char>(f->narrow[1]);
    e.dnskey_rdata += f->rest;
    e.key_tag = KeyTag(e.dnskey_rdata);
    e.algorithm = f->narrow[1];
    return e;
  }
  return absl::InvalidArgumentError(Cat("type ", type, " is not DS or DNSKEY"));
}

}  // namespace

bool AnchorEntry::IsValidAt(absl::Time at) const {
  if (valid_from && at < *valid_from) return false;
  if (valid_until && at >= *valid_until) return false;
  return true;
}

bool AnchorEntry::Matches(std::string_view dnskey_owner, std::string_view dnskey_rdata) const {
  if (LowerName(dnskey_owner) != LowerName(owner)) return false;
  if (kind == Kind::kDnskey) return dnskey_rdata == this->dnskey_rdata;
  if (KeyTag(dnskey_rdata) != key_tag || DnskeyAlgorithm(dnskey_rdata) != algorithm) return false;
  absl::StatusOr<std::string> d = DsDigest(dnskey_owner, dnskey_rdata, digest_type);
  return d.ok() && *d == digest;
}

std::string AnchorEntry::ToString() const {
  if (kind == Kind::kDs) {
    return Cat("DS ", int{key_tag}, " ", int{algorithm}, " ", int{digest_type}, " ", HexEncode(digest));
  }
  return Cat("DNSKEY ", int{DnskeyFlags(dnskey_rdata)}, " 3 ", int{algorithm}, " (tag ", int{key_tag}, ")");
}

absl::StatusOr<TrustAnchor> TrustAnchor::LoadFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<TrustAnchor> TrustAnchor::Parse(std::string_view content, const std::string& name) {
  const size_t first = content.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && content[first] == '<') return ParseXml(content, name);
  return ParseText(content, name);
}

absl::StatusOr<TrustAnchor> TrustAnchor::ParseText(std::string_view content, const std::string& name) {
  TrustAnchor anchor;
  std::string record;  // a logical record, parentheses joined
  int depth = 0;
  int record_line = 0;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    // Comments run from ';' to the end of the line (no quoted strings in DS/DNSKEY). '#'
    // starts a comment only at the beginning of a line (some anchor files use it).
    if (const size_t semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
    if (depth == 0) {
      const size_t b = line.find_first_not_of(" \t\r");
      if (b == std::string_view::npos || line[b] == '#') continue;
      if (line[b] == '$') continue;  // $TTL / $ORIGIN: anchors are written with absolute names
      record_line = line_no;
    }
    for (char c : line) {
      if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth < 0) return absl::InvalidArgumentError(Cat(name, ":", line_no, ": unbalanced ')'"));
      } else {
        record += c;
      }
    }
    record += ' ';
    if (depth > 0) continue;
    absl::StatusOr<AnchorEntry> e = ParseRecord(record);
    record.clear();
    if (!e.ok()) return absl::InvalidArgumentError(Cat(name, ":", record_line, ": ", std::string(e.status().message())));
    e->source = Cat(name, ":", record_line);
    anchor.entries_.push_back(*std::move(e));
  }
  if (depth > 0) return absl::InvalidArgumentError(Cat(name, ":", record_line, ": unclosed '('"));
  if (anchor.entries_.empty()) return absl::InvalidArgumentError(Cat(name, ": no DS or DNSKEY records"));
  return anchor;
}

absl::StatusOr<TrustAnchor> TrustAnchor::ParseXml(std::string_view content, const std::string& name) {
  CPtr<xmlDoc, xmlFreeDoc> doc(xmlReadMemory(content.data(), static_cast<int>(content.size()), name.c_str(),
                                                        nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return absl::InvalidArgumentError(Cat(name, ": not well-formed XML"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !IsElement(root, "TrustAnchor")) {
    return absl::InvalidArgumentError(Cat(name, ": root element is not <TrustAnchor>"));
  }
  std::string zone_name = kRoot;
  TrustAnchor anchor;
  for (const xmlNode* n = root->children; n != nullptr; n = n->next) {
    if (IsElement(n, "Zone")) {
      absl::StatusOr<std::string> z = NameFromText(ElementText(n), kRoot);
      if (!z.ok()) return absl::InvalidArgumentError(Cat(name, ": <Zone>: ", std::string(z.status().message())));
      zone_name = *z;
      continue;
    }
    if (!IsElement(n, "KeyDigest")) continue;
    const std::string where = Cat(name, " KeyDigest ", Attribute(n, "id").value_or(Cat("line ", int{n->line})));
    AnchorEntry e;
    e.kind = AnchorEntry::Kind::kDs;
    e.source = where;
    std::string tag, alg, dt, digest;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (IsElement(c, "KeyTag")) tag = ElementText(c);
      if (IsElement(c, "Algorithm")) alg = ElementText(c);
      if (IsElement(c, "DigestType")) dt = ElementText(c);
      if (IsElement(c, "Digest")) digest = ElementText(c);
    }
    absl::StatusOr<uint32_t> tag_v = ParseDecimal(tag, 0xffff, "KeyTag");
    absl::StatusOr<uint32_t> alg_v = ParseDecimal(alg, 0xff, "Algorithm");
    absl::StatusOr<uint32_t> dt_v = ParseDecimal(dt, 0xff, "DigestType");
    absl::StatusOr<std::string> digest_v = HexDecode(digest);
    for (const absl::Status& s : {tag_v.status(), alg_v.status(), dt_v.status(), digest_v.status()}) {
      if (!s.ok()) return absl::InvalidArgumentError(Cat(where, ": ", std::string(s.message())));
    }
    if (digest_v->empty()) return absl::InvalidArgumentError(Cat(where, ": empty Digest"));
    e.key_tag = static_cast<uint16_t>(*tag_v);
    e.algorithm = static_cast<uint8_t>(*alg_v);
    e.digest_type = static_cast<uint8_t>(*dt_v);
    e.digest = *std::move(digest_v);
    for (const char* attr : {"validFrom", "validUntil"}) {
      std::optional<std::string> v = Attribute(n, attr);
      if (!v) continue;
      absl::StatusOr<absl::Time> t = ParseXmlTime(*v);
      if (!t.ok()) return absl::InvalidArgumentError(Cat(where, ": ", attr, ": ", std::string(t.status().message())));
      (std::string_view(attr) == "validFrom" ? e.valid_from : e.valid_until) = *t;
    }
    anchor.entries_.push_back(std::move(e));
  }
  for (AnchorEntry& e : anchor.entries_) e.owner = zone_name;
  if (anchor.entries_.empty()) return absl::InvalidArgumentError(Cat(name, ": no <KeyDigest> elements"));
  return anchor;
}

}  // namespace rootd::zone
