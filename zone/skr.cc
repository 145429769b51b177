#include "zone/skr.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "zone/c_ptr.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/file_io.h"
#include "zone/master_reader.h"
#include "zone/name.h"
#include "zone/rdata_text.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"
#include "zone/wire.h"
#include "zone/xml_fields.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

// What is read: a response (SKR) or a request (KSR). Both formats name their parts after it.
struct Kind {
  bool request;
  const char* xml_part;    // "Response" / "Request": <KSR>'s child, and the prefix of its policy and bundles
  const char* other_part;  // the other one, refused with `refusal`
  const char* refusal;
  std::string_view knot_header;  // Knot's snapshot header
  std::string_view other_knot_header;
};
constexpr Kind kResponse{false, "Response", "Request", "a KSR, not an SKR", ";; SignedKeyResponse 1.0 ",
                         ";; KeySigningRequest 1.0 "};
constexpr Kind kRequest{true, "Request", "Response", "an SKR, not a KSR", ";; KeySigningRequest 1.0 ",
                        ";; SignedKeyResponse 1.0 "};

// Both formats: a bundle must carry a DNSKEY RRset and (a response) its signature, or it cannot be
// served. A request's signatures (IANA's proof that the ZSK holder has the keys) are optional.
absl::Status CheckBundleComplete(const SkrBundle& bundle, const Kind& kind) {
  if (bundle.dnskeys.empty()) return absl::InvalidArgumentError("no DNSKEY");
  if (bundle.signatures.empty() && !kind.request) return absl::InvalidArgumentError("no RRSIG over the DNSKEY RRset");
  if (bundle.inception > bundle.expiration) {
    return absl::InvalidArgumentError(
        Cat("inception ", FormatUtc(bundle.inception), " after expiration ", FormatUtc(bundle.expiration)));
  }
  return absl::OkStatus();
}

// An absolute time as an RRSIG time field. The field is 32-bit serial arithmetic (RFC 4034
// 3.1.5), but a ceremony file writes absolute dates, so one outside 1970..2106 is an error
// rather than something to wrap.
absl::StatusOr<uint32_t> RrsigTimeField(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  if (seconds < 0 || seconds > int64_t{UINT32_MAX}) {
    return absl::InvalidArgumentError(Cat("time ", FormatUtc(t), " does not fit an RRSIG time field"));
  }
  return static_cast<uint32_t>(seconds);
}

// Base64 key or signature data: never empty.
absl::StatusOr<std::string> KeyBytes(std::string_view text) {
  absl::StatusOr<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) return absl::InvalidArgumentError(Cat("bad base64: ", bytes.status().message()));
  if (bytes->empty()) return absl::InvalidArgumentError("empty");
  return bytes;
}

// The IANA XML reader: every error names the file, the line and the element.
class XmlSkrReader {
 public:
  XmlSkrReader(std::string_view file, const Kind& kind) : file_(file), kind_(kind) {}

  absl::StatusOr<SignedKeyResponse> Read(std::string_view text);

 private:
  absl::Status Error(const xmlNode* node, std::string_view reason) const {
    return absl::InvalidArgumentError(
        Cat(file_, ":", xmlGetLineNo(node), ": <", reinterpret_cast<const char*>(node->name), ">: ", reason));
  }
  absl::Status Error(const xmlNode* node, const absl::Status& reason) const {
    return Error(node, std::string(reason.message()));
  }

  absl::StatusOr<const xmlNode*> Child(const xmlNode* parent, const char* name) const;
  // The text of child `name` of `parent` through `parse` (text -> StatusOr); errors name the child.
  template <typename Parse>
  auto Field(const xmlNode* parent, const char* name, Parse parse) const -> decltype(parse(std::string_view()));
  absl::StatusOr<uint32_t> Number(const xmlNode* parent, const char* name, uint32_t max) const;
  absl::StatusOr<uint32_t> NumberAttribute(const xmlNode* node, const char* name, uint32_t max) const;

  absl::StatusOr<SkrPolicy> Policy(const xmlNode* node) const;
  absl::StatusOr<SkrBundle> Bundle(const xmlNode* node) const;
  absl::Status Key(const xmlNode* node, SkrBundle& bundle) const;
  absl::Status Signature(const xmlNode* node, SkrBundle& bundle) const;

  std::string file_;
  const Kind& kind_;
};

absl::StatusOr<const xmlNode*> XmlSkrReader::Child(const xmlNode* parent, const char* name) const {
  const xmlNode* child = ChildElement(parent, name);
  if (child == nullptr) return Error(parent, Cat("missing <", name, ">"));
  return child;
}

template <typename Parse>
auto XmlSkrReader::Field(const xmlNode* parent, const char* name, Parse parse) const
    -> decltype(parse(std::string_view())) {
  absl::StatusOr<const xmlNode*> child = Child(parent, name);
  if (!child.ok()) return child.status();
  auto value = parse(ElementText(*child));
  if (!value.ok()) return Error(*child, value.status());
  return value;
}

absl::StatusOr<uint32_t> XmlSkrReader::Number(const xmlNode* parent, const char* name, uint32_t max) const {
  return Field(parent, name, [max](std::string_view text) { return ParseDecimal(text, max, "number"); });
}

absl::StatusOr<uint32_t> XmlSkrReader::NumberAttribute(const xmlNode* node, const char* name, uint32_t max) const {
  std::optional<std::string> text = Attribute(node, name);
  if (!text) return Error(node, Cat("missing attribute ", name));
  absl::StatusOr<uint32_t> v = ParseDecimal(*text, max, name);
  if (!v.ok()) return Error(node, v.status());
  return v;
}

absl::StatusOr<SignedKeyResponse> XmlSkrReader::Read(std::string_view text) {
  if (text.size() > INT_MAX) return absl::InvalidArgumentError(Cat(file_, ": too large for libxml2"));
  xmlResetLastError();  // the error reported below must be this parse's
  CPtr<xmlDoc, xmlFreeDoc> doc(
      xmlReadMemory(text.data(), static_cast<int>(text.size()), file_.c_str(), nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES));
  if (!doc) {
    const xmlError* error = xmlGetLastError();
    std::string reason = error != nullptr && error->message != nullptr ? error->message : "";
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return absl::InvalidArgumentError(
        Cat(file_, ":", error != nullptr ? error->line : 0, ": not well-formed XML: ", reason));
  }
  // The ceremony files have no DTD; refusing one keeps entity declarations (and their
  // expansion when the text is read) out.
  if (doc->intSubset != nullptr) return absl::InvalidArgumentError(Cat(file_, ": a DTD is not expected in an SKR"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return absl::InvalidArgumentError(Cat(file_, ": no root element"));
  if (!IsElement(root, "KSR")) return Error(root, "the root element is not <KSR>");
  SignedKeyResponse skr;
  skr.format = SignedKeyResponse::Format::kIanaXml;
  skr.file = file_;
  skr.id = Attribute(root, "id").value_or("");
  skr.domain = Attribute(root, "domain").value_or("");
  absl::StatusOr<uint32_t> serial = NumberAttribute(root, "serial", UINT32_MAX);
  if (!serial.ok()) return serial.status();
  skr.serial = *serial;
  if (const xmlNode* other = ChildElement(root, kind_.other_part)) return Error(other, kind_.refusal);
  absl::StatusOr<const xmlNode*> response = Child(root, kind_.xml_part);
  if (!response.ok()) return response.status();

  absl::StatusOr<const xmlNode*> policy = Child(*response, Cat(kind_.xml_part, "Policy").c_str());
  if (!policy.ok()) return policy.status();
  for (auto [name, out] : {std::pair{"KSK", &skr.ksk_policy}, std::pair{"ZSK", &skr.zsk_policy}}) {
    if (kind_.request && std::string_view(name) == "KSK") continue;  // the KSK side's to state
    absl::StatusOr<const xmlNode*> node = Child(*policy, name);
    if (!node.ok()) return node.status();
    absl::StatusOr<SkrPolicy> p = Policy(*node);
    if (!p.ok()) return p.status();
    *out = *p;
  }
  skr.has_policy = true;
  const std::string bundle_element = Cat(kind_.xml_part, "Bundle");
  for (const xmlNode* n = (*response)->children; n != nullptr; n = n->next) {
    if (!IsElement(n, bundle_element.c_str())) continue;
    absl::StatusOr<SkrBundle> bundle = Bundle(n);
    if (!bundle.ok()) return bundle.status();
    skr.bundles.push_back(*std::move(bundle));
  }
  if (skr.bundles.empty()) return Error(*response, Cat("no <", bundle_element, ">"));
  return skr;
}

absl::StatusOr<SkrPolicy> XmlSkrReader::Policy(const xmlNode* node) const {
  SkrPolicy p;
  for (const auto& [name, field] : kSkrPolicyDurations) {
    absl::StatusOr<absl::Duration> d = Field(node, name, ParseXsdDuration);
    if (!d.ok()) return d.status();
    p.*field = *d;
  }
  // The schema allows several <SignatureAlgorithm>s; the ceremonies write one, the first is kept.
  absl::StatusOr<const xmlNode*> algorithm = Child(node, "SignatureAlgorithm");
  if (!algorithm.ok()) return algorithm.status();
  absl::StatusOr<uint32_t> number = NumberAttribute(*algorithm, "algorithm", 0xff);
  if (!number.ok()) return number.status();
  p.algorithm = static_cast<uint8_t>(*number);
  if (const xmlNode* rsa = ChildElement(*algorithm, "RSA")) {
    absl::StatusOr<uint32_t> size = NumberAttribute(rsa, "size", UINT32_MAX);
    if (!size.ok()) return size.status();
    absl::StatusOr<uint32_t> exponent = NumberAttribute(rsa, "exponent", UINT32_MAX);
    if (!exponent.ok()) return exponent.status();
    p.rsa_size = *size;
    p.rsa_exponent = *exponent;
  } else if (const xmlNode* ecdsa = ChildElement(*algorithm, "ECDSA")) {
    absl::StatusOr<uint32_t> size = NumberAttribute(ecdsa, "size", UINT32_MAX);
    if (!size.ok()) return size.status();
    p.ecdsa_size = *size;
  } else {
    return Error(*algorithm, "missing <RSA> or <ECDSA>");
  }
  return p;
}

absl::StatusOr<SkrBundle> XmlSkrReader::Bundle(const xmlNode* node) const {
  SkrBundle bundle;
  bundle.line = static_cast<uint32_t>(xmlGetLineNo(node));
  std::optional<std::string> id = Attribute(node, "id");
  if (!id) return Error(node, "missing attribute id");
  bundle.id = *std::move(id);
  absl::StatusOr<absl::Time> inception = Field(node, "Inception", ParseXmlTime);
  if (!inception.ok()) return inception.status();
  absl::StatusOr<absl::Time> expiration = Field(node, "Expiration", ParseXmlTime);
  if (!expiration.ok()) return expiration.status();
  bundle.inception = *inception;
  bundle.expiration = *expiration;
  for (const xmlNode* n = node->children; n != nullptr; n = n->next) {
    absl::Status s = IsElement(n, "Key")         ? Key(n, bundle)
                     : IsElement(n, "Signature") ? Signature(n, bundle)
                                                 : absl::OkStatus();
    if (!s.ok()) return s;
  }
  if (absl::Status s = CheckBundleComplete(bundle, kind_); !s.ok()) return Error(node, s);
  return bundle;
}

absl::Status XmlSkrReader::Key(const xmlNode* node, SkrBundle& bundle) const {
  absl::StatusOr<uint32_t> stated_tag = NumberAttribute(node, "keyTag", 0xffff);
  if (!stated_tag.ok()) return stated_tag.status();
  absl::StatusOr<uint32_t> ttl = Number(node, "TTL", UINT32_MAX);
  if (!ttl.ok()) return ttl.status();
  absl::StatusOr<uint32_t> flags = Number(node, "Flags", 0xffff);
  if (!flags.ok()) return flags.status();
  absl::StatusOr<uint32_t> protocol = Number(node, "Protocol", 0xff);
  if (!protocol.ok()) return protocol.status();
  if (*protocol != 3) return Error(ChildElement(node, "Protocol"), "protocol is not 3 (RFC 4034 2.1.2)");
  absl::StatusOr<uint32_t> algorithm = Number(node, "Algorithm", 0xff);
  if (!algorithm.ok()) return algorithm.status();
  absl::StatusOr<std::string> key = Field(node, "PublicKey", KeyBytes);
  if (!key.ok()) return key.status();
  Record r{.owner = kRoot, .type = dns::kTypeDnskey, .rclass = dns::kClassIn, .ttl = *ttl};
  Put16(r.rdata, static_cast<uint16_t>(*flags));
  r.rdata += static_cast<char>(*protocol);
  r.rdata += static_cast<char>(*algorithm);
  r.rdata += *key;
  r.line = static_cast<uint32_t>(xmlGetLineNo(node));
  bundle.dnskeys.push_back(std::move(r));
  bundle.stated_key_tags.push_back(static_cast<uint16_t>(*stated_tag));
  bundle.key_identifiers.push_back(Attribute(node, "keyIdentifier").value_or(""));
  return absl::OkStatus();
}

absl::Status XmlSkrReader::Signature(const xmlNode* node, SkrBundle& bundle) const {
  absl::StatusOr<uint32_t> ttl = Number(node, "TTL", UINT32_MAX);
  if (!ttl.ok()) return ttl.status();
  absl::StatusOr<uint16_t> covered = Field(node, "TypeCovered", [](std::string_view text) -> absl::StatusOr<uint16_t> {
    if (ParseType(text) != dns::kTypeDnskey)
      return absl::InvalidArgumentError(Cat("type covered '", text, "' is not DNSKEY"));
    return dns::kTypeDnskey;
  });
  if (!covered.ok()) return covered.status();
  absl::StatusOr<uint32_t> algorithm = Number(node, "Algorithm", 0xff);
  if (!algorithm.ok()) return algorithm.status();
  absl::StatusOr<uint32_t> labels = Number(node, "Labels", 0xff);
  if (!labels.ok()) return labels.status();
  absl::StatusOr<uint32_t> original_ttl = Number(node, "OriginalTTL", UINT32_MAX);
  if (!original_ttl.ok()) return original_ttl.status();
  uint32_t times[2] = {};  // expiration, inception: their RDATA order
  absl::Time absolute[2];
  const char* time_names[2] = {"SignatureExpiration", "SignatureInception"};
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<absl::Time> t = Field(node, time_names[i], ParseXmlTime);
    if (!t.ok()) return t.status();
    absl::StatusOr<uint32_t> field = RrsigTimeField(*t);
    if (!field.ok()) return Error(ChildElement(node, time_names[i]), field.status());
    absolute[i] = *t;
    times[i] = *field;
  }
  if (absolute[1] > absolute[0]) {
    return Error(node,
                 Cat("signature inception ", FormatUtc(absolute[1]), " after its expiration ", FormatUtc(absolute[0])));
  }
  absl::StatusOr<uint32_t> key_tag = Number(node, "KeyTag", 0xffff);
  if (!key_tag.ok()) return key_tag.status();
  absl::StatusOr<std::string> signer =
      Field(node, "SignersName", [](std::string_view text) { return NameFromText(text, kRoot); });
  if (!signer.ok()) return signer.status();
  absl::StatusOr<std::string> signature = Field(node, "SignatureData", KeyBytes);
  if (!signature.ok()) return signature.status();

  Record r{.owner = kRoot, .type = dns::kTypeRrsig, .rclass = dns::kClassIn, .ttl = *ttl};
  Put16(r.rdata, *covered);
  r.rdata += static_cast<char>(*algorithm);
  r.rdata += static_cast<char>(*labels);
  Put32(r.rdata, *original_ttl);
  Put32(r.rdata, times[0]);
  Put32(r.rdata, times[1]);
  Put16(r.rdata, static_cast<uint16_t>(*key_tag));
  r.rdata += *signer;
  r.rdata += *signature;
  r.line = static_cast<uint32_t>(xmlGetLineNo(node));
  bundle.signatures.push_back(std::move(r));
  return absl::OkStatus();
}

// Knot's snapshot header: ";; SignedKeyResponse 1.0 <unix time> (<ISO time>) =====". The file
// ends with ";; SignedKeyResponse 1.0 generated at <ISO time> by Knot DNS <version>", which is
// not a snapshot. A KSR has the same layout with "KeySigningRequest" (Kind::knot_header).

struct KnotSnapshot {
  uint32_t line = 0;
  absl::Time inception;
};

// The snapshot headers of `text` in order; the other kind and directives are refused, naming the line.
absl::StatusOr<std::vector<KnotSnapshot>> KnotSnapshots(std::string_view text, std::string_view file,
                                                       const Kind& kind) {
  std::vector<KnotSnapshot> out;
  uint32_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.starts_with(kind.other_knot_header)) return SyntaxError(file, line_no, kind.refusal);
    // keymgr writes none, and $INCLUDE would make the master-file reader open other files.
    if (line.starts_with('$')) return SyntaxError(file, line_no, "no directives ($INCLUDE, $ORIGIN, $TTL) in an SKR");
    if (!line.starts_with(kind.knot_header)) continue;
    const std::string_view rest = line.substr(kind.knot_header.size());
    if (rest.starts_with("generated at ")) continue;
    const std::string_view stamp = rest.substr(0, rest.find(' '));
    absl::StatusOr<uint32_t> seconds = ParseDecimal(stamp, UINT32_MAX, "snapshot time");
    if (!seconds.ok()) return SyntaxError(file, line_no, std::string(seconds.status().message()));
    out.push_back({line_no, absl::FromUnixSeconds(*seconds)});
  }
  return out;
}

absl::StatusOr<SignedKeyResponse> ParseKnot(std::string_view text, std::string_view file_name, const Kind& kind) {
  absl::StatusOr<std::vector<KnotSnapshot>> snapshots = KnotSnapshots(text, file_name, kind);
  if (!snapshots.ok()) return snapshots.status();
  if (snapshots->empty()) {
    return absl::InvalidArgumentError(Cat(file_name, ": no \"", kind.knot_header, "<time>\" snapshot header"));
  }
  absl::StatusOr<Zone> records = ReadMasterText(text, std::string(file_name));
  if (!records.ok()) return records.status();

  SignedKeyResponse skr;
  skr.format = SignedKeyResponse::Format::kKnotText;
  skr.file = file_name;
  skr.domain = ".";
  for (const KnotSnapshot& s : *snapshots) {
    SkrBundle bundle;
    bundle.id = FormatUtc(s.inception);
    bundle.inception = s.inception;
    bundle.expiration = s.inception;
    bundle.line = s.line;
    skr.bundles.push_back(std::move(bundle));
  }
  for (const Record& r : records->records()) {
    // The snapshot a record belongs to is the last header above it.
    const auto after = std::upper_bound(snapshots->begin(), snapshots->end(), r.line,
                                        [](uint32_t line, const KnotSnapshot& s) { return line < s.line; });
    if (after == snapshots->begin()) return SyntaxError(file_name, r.line, "record before the first snapshot header");
    SkrBundle& bundle = skr.bundles[static_cast<size_t>(after - snapshots->begin()) - 1];
    if (r.owner != kRoot || r.rclass != dns::kClassIn)
      return SyntaxError(file_name, r.line, "not owned by '.' in class IN");
    if (r.type == dns::kTypeDnskey) {
      bundle.dnskeys.push_back(r);
      // The format states no tag outside comments: the computed one stands in.
      bundle.stated_key_tags.push_back(KeyTag(r.rdata));
      bundle.key_identifiers.emplace_back();
    } else if (r.type == dns::kTypeRrsig) {
      absl::StatusOr<RrsigFields> f = ParseRrsig(r.rdata);
      if (!f.ok()) return SyntaxError(file_name, r.line, std::string(f.status().message()));
      if (f->type_covered != dns::kTypeDnskey) {
        return SyntaxError(file_name, r.line, Cat("RRSIG covers ", TypeToText(f->type_covered), ", not DNSKEY"));
      }
      const absl::Time expiration = RrsigTime(f->expiration, bundle.inception);
      if (RrsigTime(f->inception, bundle.inception) > expiration) {
        return SyntaxError(file_name, r.line, "signature inception after its expiration");
      }
      // A bundle lasts as long as its longest-lived signature.
      bundle.expiration = std::max(bundle.expiration, expiration);
      bundle.signatures.push_back(r);
    } else {
      return SyntaxError(file_name, r.line, Cat(TypeToText(r.type), " record in an SKR"));
    }
  }
  for (const SkrBundle& bundle : skr.bundles) {
    if (absl::Status s = CheckBundleComplete(bundle, kind); !s.ok()) {
      return SyntaxError(file_name, bundle.line, std::string(s.message()));
    }
  }
  return skr;
}

// Either format, told from the first octets.
absl::StatusOr<SignedKeyResponse> ReadFile(const std::string& path, const Kind& kind) {
  absl::StatusOr<std::string> read = ReadWholeFile(path);
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '<') return XmlSkrReader(path, kind).Read(text);
  if (first != std::string::npos && text.compare(first, 2, ";;") == 0) return ParseKnot(text, path, kind);
  return absl::InvalidArgumentError(
      Cat(path, ": neither IANA ", kind.request ? "KSR" : "SKR", " XML nor a Knot ",
          kind.request ? "KeySigningRequest" : "SignedKeyResponse"));
}

}  // namespace

absl::StatusOr<SignedKeyResponse> ParseSkrXml(std::string_view text, std::string_view file_name) {
  return XmlSkrReader(file_name, kResponse).Read(text);
}

absl::StatusOr<SignedKeyResponse> ParseKnotSkr(std::string_view text, std::string_view file_name) {
  return ParseKnot(text, file_name, kResponse);
}

absl::StatusOr<SignedKeyResponse> ReadSkrFile(const std::string& path) { return ReadFile(path, kResponse); }

absl::StatusOr<SignedKeyResponse> ReadKsrFile(const std::string& path) { return ReadFile(path, kRequest); }

absl::StatusOr<absl::Duration> ParseXsdDuration(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(Cat("bad duration '", text, "': ", why));
  };
  if (!text.starts_with('P')) return bad("does not start with P");
  // Designators in the order xsd:duration requires them, days before 'T', the rest after.
  constexpr std::string_view kDateUnits = "D";
  constexpr std::string_view kTimeUnits = "HMS";
  const absl::Duration kDateScale[] = {absl::Hours(24)};
  const absl::Duration kTimeScale[] = {absl::Hours(1), absl::Minutes(1), absl::Seconds(1)};
  absl::Duration total;
  bool in_time = false;
  bool any = false;
  bool time_component = false;
  size_t next_unit = 0;  // index into the current unit list: no repeats, no going back
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad("two 'T's");
      in_time = true;
      next_unit = 0;
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i == text.size()) return bad("a number must be followed by a designator");
    absl::StatusOr<uint32_t> n = ParseDecimal(text.substr(start, i - start), UINT32_MAX, "number");
    if (!n.ok()) return bad(std::string(n.status().message()));
    const char unit = text[i++];
    if (!in_time && (unit == 'Y' || unit == 'M')) return bad("years and months have no fixed length");
    const std::string_view units = in_time ? kTimeUnits : kDateUnits;
    const size_t u = units.find(unit, next_unit);
    if (u == std::string_view::npos) return bad(Cat("unexpected '", unit, "'"));
    next_unit = u + 1;
    total += (in_time ? kTimeScale[u] : kDateScale[u]) * static_cast<int64_t>(*n);
    any = true;
    time_component = time_component || in_time;
  }
  if (!any) return bad("no components");
  if (in_time && !time_component) return bad("'T' without hours, minutes or seconds");
  return total;
}

}  // namespace rootd::zone
