#include "zone/rdata_text.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "zone/c_ptr.h"
#include "zone/encoding.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/type_bitmap.h"
#include "zone/zone.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

constexpr char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToUpper(a[i]) != ToUpper(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// Decimal digits only, no sign, at most `max`.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max) return std::nullopt;
  }
  return v;
}

// Appends the label of `text` starting at `pos` (no escapes in it); leaves `pos` at the
// '.' that ends it or at the end of the text.
const char* AppendPlainLabel(std::string_view text, size_t& pos, std::string& out) {
  const size_t dot = std::min(text.find('.', pos), text.size());
  const size_t length = dot - pos;
  if (length == 0) return "empty label in name";
  if (length > kMaxLabelLength) return "label longer than 63 octets in name";
  out.push_back(static_cast<char>(length));
  out.append(text.data() + pos, length);
  pos = dot;
  return nullptr;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decodes one `\X` or `\DDD` escape starting at text[i] (the backslash); advances `i` to the
// escape's last character. False for a dangling backslash or a value above 255.
bool DecodeEscape(std::string_view text, size_t& i, char& c) {
  if (i + 3 < text.size() && IsDigit(text[i + 1]) && IsDigit(text[i + 2]) && IsDigit(text[i + 3])) {
    const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
    if (v > 255) return false;
    c = static_cast<char>(v);
    i += 3;
    return true;
  }
  if (i + 1 >= text.size()) return false;
  c = text[++i];
  return true;
}

// As AppendPlainLabel, decoding `\X` and `\DDD` escapes (RFC 1035 5.1).
const char* AppendEscapedLabel(std::string_view text, size_t& pos, std::string& out) {
  const size_t length_at = out.size();
  out.push_back('\0');
  for (; pos < text.size() && text[pos] != '.'; ++pos) {
    char c = text[pos];
    if (c == '\\' && !DecodeEscape(text, pos, c)) return "bad escape in name";
    out.push_back(c);
  }
  const size_t length = out.size() - length_at - 1;
  if (length == 0) return "empty label in name";
  if (length > kMaxLabelLength) return "label longer than 63 octets in name";
  out[length_at] = static_cast<char>(length);
  return nullptr;
}

// The types rootd encodes itself, first in the mnemonic lookup since they make up root zones.
struct TypeName {
  std::string_view name;
  uint16_t type;
};
constexpr TypeName kNativeTypes[] = {
    {"NS", dns::kTypeNs},         {"DS", dns::kTypeDs},       {"RRSIG", dns::kTypeRrsig},
    {"A", dns::kTypeA},           {"AAAA", dns::kTypeAaaa},   {"NSEC", dns::kTypeNsec},
    {"DNSKEY", dns::kTypeDnskey}, {"SOA", dns::kTypeSoa},     {"ZONEMD", dns::kTypeZonemd},
    {"TXT", dns::kTypeTxt},       {"CNAME", dns::kTypeCname}, {"PTR", dns::kTypePtr},
    {"MX", dns::kTypeMx},         {"HINFO", dns::kTypeHinfo},
};

// Types that carry no data in a zone (RFC 6895 3.1): queries and transaction records only.
bool IsMetaOrQueryType(uint16_t type) { return type == dns::kTypeOpt || (type >= 249 && type <= 255); }

// DNSSEC algorithm mnemonics as ldns accepts them (RFC 4034 A.1 and later registrations).
constexpr TypeName kAlgorithms[] = {
    {"RSAMD5", 1},           {"DH", 2},
    {"DSA", 3},              {"RSASHA1", 5},
    {"DSA-NSEC3-SHA1", 6},   {"RSASHA1-NSEC3-SHA1", 7},
    {"RSASHA256", 8},        {"RSASHA512", 10},
    {"ECC-GOST", 12},        {"ECDSAP256SHA256", 13},
    {"ECDSAP384SHA384", 14}, {"ED25519", 15},
    {"ED448", 16},           {"INDIRECT", 252},
    {"PRIVATEDNS", 253},     {"PRIVATEOID", 254},
};


// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// An RRSIG time (RFC 4034 3.2): YYYYMMDDHHmmSS, or seconds since the epoch. Dates are taken
// modulo 2^32 (serial arithmetic); the field checks match ldns's so both accept the same text.
std::optional<uint32_t> ParseRrsigTime(std::string_view text) {
  if (text.size() != 14) {
    auto v = ParseDecimal(text, UINT32_MAX);
    if (!v) return std::nullopt;
    return static_cast<uint32_t>(*v);
  }
  auto field = [&](size_t pos, size_t len) { return ParseDecimal(text.substr(pos, len), 9999); };
  const auto year = field(0, 4), month = field(4, 2), day = field(6, 2);
  const auto hour = field(8, 2), minute = field(10, 2), second = field(12, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 59) {
    return std::nullopt;
  }
  const int64_t days = DaysFromCivil(static_cast<int64_t>(*year), static_cast<int64_t>(*month), static_cast<int64_t>(*day));
  const int64_t seconds = days * 86400 + static_cast<int64_t>(*hour * 3600 + *minute * 60 + *second);
  return static_cast<uint32_t>(seconds);
}

// Encodes the RDATA of one record field by field. Each field method appends to `out_` and
// returns false after recording the first error in `status_`, so encoders read as a chain.
class RdataEncoder {
 public:
  RdataEncoder(const RdataSource& source, std::string& out) : src_(source), out_(out) {}

  absl::Status Encode() {
    if (!src_.tokens.empty() && !src_.tokens[0].quoted && src_.tokens[0].text == "\\#") {
      Generic();
    } else {
      Native();
    }
    return status_;
  }

 private:
  bool Native() {
    switch (src_.type) {
      case dns::kTypeA: return Ipv4() && End();
      case dns::kTypeAaaa: return Ipv6() && End();
      case dns::kTypeNs:
      case dns::kTypeCname:
      case dns::kTypePtr: return Name("name") && End();
      case dns::kTypeMx: return Uint(2, "preference") && Name("exchange") && End();
      case dns::kTypeSoa:
        return Name("primary server") && Name("mailbox") && Uint(4, "serial") && Period("refresh") &&
               Period("retry") && Period("expire") && Period("minimum") && End();
      case dns::kTypeTxt: return CharStrings();
      case dns::kTypeHinfo: return CharString("CPU") && CharString("OS") && End();
      case dns::kTypeDs:
        return Uint(2, "key tag") && Algorithm() && Uint(1, "digest type") && HexRest("digest");
      case dns::kTypeDnskey:
        return Uint(2, "flags") && Uint(1, "protocol") && Algorithm() && Base64Rest("public key");
      case dns::kTypeRrsig:
        return TypeField() && Algorithm() && Uint(1, "labels") && Uint(4, "original TTL") &&
               Time("expiration") && Time("inception") && Uint(2, "key tag") && Name("signer name") &&
               Base64Rest("signature");
      case dns::kTypeNsec: return Name("next name") && TypeBitmap();
      case dns::kTypeZonemd:
        return Uint(4, "serial") && Uint(1, "scheme") && Uint(1, "hash algorithm") && HexRest("digest");
      // Ours rather than ldns's: ldns 1.8 leaks its gateway text on malformed input (found by
      // the Knot SKR fuzzer).
      case dns::kTypeIpseckey: return Ipseckey();
      default: return Ldns();
    }
  }

  // RFC 4025 2.3: precedence, gateway type, algorithm, the gateway (none, IPv4, IPv6 or a
  // name, by type) and an optional public key.
  bool Ipseckey() {
    if (!Uint(1, "precedence")) return false;
    const size_t gateway_type_at = out_.size();
    if (!Uint(1, "gateway type") || !Uint(1, "algorithm")) return false;
    switch (static_cast<uint8_t>(out_[gateway_type_at])) {
      case 0: {
        const Token* t = Take("gateway");
        if (t == nullptr) return false;
        if (t->text != ".") return Bad(*t, "gateway for gateway type 0 (no gateway: '.')");
        break;
      }
      case 1:
        if (!Ipv4()) return false;
        break;
      case 2:
        if (!Ipv6()) return false;
        break;
      case 3:
        if (!Name("gateway")) return false;
        break;
      default: return Fail(src_.line, Cat("IPSECKEY gateway type ", static_cast<int>(out_[gateway_type_at]), " is not 0-3"));
    }
    return next_ == src_.tokens.size() || Base64Rest("public key");
  }

  bool Fail(uint32_t line, std::string_view reason) {
    status_ = SyntaxError(src_.file, line, reason);
    return false;
  }
  bool Bad(const Token& token, std::string_view what) {
    return Fail(token.line, Cat("bad ", what, " '", token.text, "'"));
  }

  // The next token, or nullptr after reporting the missing field.
  const Token* Take(std::string_view what) {
    if (next_ < src_.tokens.size()) return &src_.tokens[next_++];
    Fail(src_.tokens.empty() ? src_.line : src_.tokens.back().line, Cat("missing ", what));
    return nullptr;
  }

  bool End() {
    if (next_ == src_.tokens.size()) return true;
    const Token& extra = src_.tokens[next_];
    return Fail(extra.line, Cat("trailing data '", extra.text, "'"));
  }

  bool Uint(int octets, std::string_view what) {
    const Token* t = Take(what);
    if (t == nullptr) return false;
    const uint64_t max = octets == 1 ? UINT8_MAX : octets == 2 ? UINT16_MAX : UINT32_MAX;
    const auto v = ParseDecimal(t->text, max);
    if (!v) return Bad(*t, what);
    for (int shift = 8 * (octets - 1); shift >= 0; shift -= 8) out_.push_back(static_cast<char>(*v >> shift));
    return true;
  }

  bool Algorithm() {
    const Token* t = Take("algorithm");
    if (t == nullptr) return false;
    if (const auto v = ParseDecimal(t->text, UINT8_MAX)) {
      out_.push_back(static_cast<char>(*v));
      return true;
    }
    for (const TypeName& a : kAlgorithms) {
      if (EqualsIgnoreCase(t->text, a.name)) {
        out_.push_back(static_cast<char>(a.type));
        return true;
      }
    }
    return Bad(*t, "algorithm");
  }

  bool Period(std::string_view what) {
    const Token* t = Take(what);
    if (t == nullptr) return false;
    const auto v = ParseTtl(t->text);
    if (!v) return Bad(*t, what);
    Put32(out_, *v);
    return true;
  }

  bool Time(std::string_view what) {
    const Token* t = Take(what);
    if (t == nullptr) return false;
    const auto v = ParseRrsigTime(t->text);
    if (!v) return Bad(*t, Cat(what, " time"));
    Put32(out_, *v);
    return true;
  }

  bool TypeField() {
    const Token* t = Take("type covered");
    if (t == nullptr) return false;
    const auto v = ParseType(t->text);
    if (!v) return Fail(t->line, Cat("unknown type '", t->text, "'"));
    Put16(out_, *v);
    return true;
  }

  bool Name(std::string_view what) {
    const Token* t = Take(what);
    if (t == nullptr) return false;
    if (const char* reason = AppendNameFromText(t->text, src_.origin, out_)) {
      return Fail(t->line, Cat(reason, " '", t->text, "'"));
    }
    return true;
  }

  bool Ipv4() { return Address(AF_INET, 4, "IPv4 address"); }
  bool Ipv6() { return Address(AF_INET6, 16, "IPv6 address"); }
  bool Address(int family, size_t octets, std::string_view what) {
    const Token* t = Take(what);
    if (t == nullptr) return false;
    char text[64];  // inet_pton wants a C string; longer input is not an address anyway
    if (t->text.size() >= sizeof text) return Bad(*t, what);
    std::memcpy(text, t->text.data(), t->text.size());
    text[t->text.size()] = '\0';
    unsigned char wire[16];
    if (inet_pton(family, text, wire) != 1) return Bad(*t, what);
    out_.append(reinterpret_cast<const char*>(wire), octets);
    return true;
  }

  // One <character-string> (RFC 1035 3.3), quoted or not, escapes decoded.
  bool CharString(std::string_view what) {
    const Token* t = Take(what);
    return t != nullptr && AppendCharString(*t);
  }
  bool AppendCharString(const Token& t) {
    const size_t length_at = out_.size();
    out_.push_back('\0');
    if (!t.escaped) {
      out_.append(t.text);
    } else {
      for (size_t i = 0; i < t.text.size(); ++i) {
        char c = t.text[i];
        if (c == '\\' && !DecodeEscape(t.text, i, c)) return Bad(t, "escape in string");
        out_.push_back(c);
      }
    }
    const size_t length = out_.size() - length_at - 1;
    if (length > 255) return Fail(t.line, "character string longer than 255 octets");
    out_[length_at] = static_cast<char>(length);
    return true;
  }
  bool CharStrings() {
    if (Take("text") == nullptr) return false;
    for (--next_; next_ < src_.tokens.size(); ++next_) {
      if (!AppendCharString(src_.tokens[next_])) return false;
    }
    return true;
  }

  // The remaining tokens as one base64 text (RFC 4034 2.2 allows blanks inside it).
  bool Base64Rest(std::string_view what) {
    if (Take(what) == nullptr) return false;
    Base64Decoder decoder(&out_, Base64Decoder::Padding::kRequired);
    for (--next_; next_ < src_.tokens.size(); ++next_) {
      if (!decoder.Add(src_.tokens[next_].text).ok()) return Bad(src_.tokens[next_], Cat("base64 in ", what));
    }
    return decoder.Finish().ok() || Bad(src_.tokens.back(), Cat("base64 in ", what));
  }

  // The remaining tokens as one hex string; blanks may split it anywhere between digits.
  bool HexRest(std::string_view what) {
    if (Take(what) == nullptr) return false;
    HexDecoder decoder(&out_);
    for (--next_; next_ < src_.tokens.size(); ++next_) {
      if (!decoder.Add(src_.tokens[next_].text).ok()) return Bad(src_.tokens[next_], Cat("hex in ", what));
    }
    return decoder.Finish().ok() || Bad(src_.tokens.back(), Cat("hex in ", what));
  }

  // The NSEC type bit maps (RFC 4034 4.1.2) of the remaining type mnemonics.
  bool TypeBitmap() {
    std::vector<uint16_t> types;
    types.reserve(src_.tokens.size() - next_);
    for (; next_ < src_.tokens.size(); ++next_) {
      const Token& t = src_.tokens[next_];
      const auto v = ParseType(t.text);
      if (!v) return Fail(t.line, Cat("unknown type '", t.text, "'"));
      types.push_back(*v);
    }
    out_ += EncodeTypeBitmap(std::move(types));
    return true;
  }

  // RFC 3597 5: `\# <length> <hex>`, for any type.
  bool Generic() {
    ++next_;
    const Token* t = Take("RDATA length");
    if (t == nullptr) return false;
    const auto length = ParseDecimal(t->text, UINT16_MAX);
    if (!length) return Bad(*t, "RDATA length");
    const size_t start = out_.size();
    if (next_ < src_.tokens.size() && !HexRest("generic RDATA")) return false;
    if (out_.size() - start != *length) {
      return Fail(t->line, Cat("RDATA length ", *length, " does not match ", out_.size() - start, " octets of data"));
    }
    return true;
  }

  // Types ldns knows but rootd has no encoder for: ldns parses the record text.
  bool Ldns() {
    const ldns_rr_descriptor* descriptor = ldns_rr_descript(src_.type);
    if (descriptor == nullptr || descriptor->_name == nullptr || descriptor->_type != src_.type) {
      return Fail(src_.line, Cat("type ", TypeToText(src_.type), " has no known presentation format; use \\# RDATA"));
    }
    // Owner, TTL and class are ours already; ldns only needs the type and the fields.
    std::string text = Cat(". 0 IN ", descriptor->_name);
    for (const Token& t : src_.tokens) {
      text += t.quoted ? Cat(" \"", t.text, "\"") : Cat(" ", t.text);
    }
    CPtr<ldns_rdf, ldns_rdf_deep_free> origin(
        ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, src_.origin.size(), src_.origin.data()));
    ldns_rr* rr = nullptr;
    const ldns_status s = ldns_rr_new_frm_str(&rr, text.c_str(), 0, origin.get(), nullptr);
    if (s != LDNS_STATUS_OK) {
      return Fail(src_.line, Cat("bad ", descriptor->_name, " RDATA: ", ldns_get_errorstr_by_id(s)));
    }
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
      const ldns_rdf* field = ldns_rr_rdf(rr, i);
      out_.append(reinterpret_cast<const char*>(ldns_rdf_data(field)), ldns_rdf_size(field));
    }
    ldns_rr_free(rr);
    return true;
  }

  const RdataSource& src_;
  std::string& out_;
  size_t next_ = 0;
  absl::Status status_;
};

}  // namespace

const char* AppendNameFromText(std::string_view text, std::string_view origin, std::string& out) {
  if (text.empty()) return "empty name";
  if (text == "@") {
    out.append(origin);
    return nullptr;
  }
  const size_t start = out.size();
  if (text == ".") {
    out.push_back('\0');
    return nullptr;
  }
  // Most names have no escapes: their labels are copied whole rather than octet by octet.
  const bool escaped = text.find('\\') != std::string_view::npos;
  bool absolute = false;
  for (size_t pos = 0; pos < text.size();) {
    const char* reason = escaped ? AppendEscapedLabel(text, pos, out) : AppendPlainLabel(text, pos, out);
    if (reason != nullptr) return reason;
    if (pos < text.size() && ++pos == text.size()) absolute = true;  // skip the '.'
  }
  if (absolute) {
    out.push_back('\0');
  } else {
    out.append(origin);
  }
  if (out.size() - start > kMaxNameLength) return "name longer than 255 octets";
  return nullptr;
}

std::optional<uint32_t> ParseTtl(std::string_view text) {
  if (text.empty() || !IsDigit(text[0])) return std::nullopt;
  uint64_t total = 0, number = 0;
  bool digits = false;
  for (char c : text) {
    if (IsDigit(c)) {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      if (number > UINT32_MAX) return std::nullopt;
      digits = true;
      continue;
    }
    uint64_t unit;
    switch (ToUpper(c)) {
      case 'S': unit = 1; break;
      case 'M': unit = 60; break;
      case 'H': unit = 3600; break;
      case 'D': unit = 86400; break;
      case 'W': unit = 604800; break;
      default: return std::nullopt;
    }
    if (!digits) return std::nullopt;
    total += number * unit;
    if (total > UINT32_MAX) return std::nullopt;
    number = 0;
    digits = false;
  }
  total += number;  // a trailing bare number counts as seconds ("1h30" is 3630, as in BIND)
  if (total > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(total);
}

std::optional<uint16_t> ParseType(std::string_view text) {
  for (const TypeName& t : kNativeTypes) {
    if (EqualsIgnoreCase(text, t.name)) return t.type;
  }
  if (StartsWithIgnoreCase(text, "TYPE") && text.size() > 4) {
    const auto v = ParseDecimal(text.substr(4), UINT16_MAX);
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v);
  }
  char name[32];  // ldns wants a C string; its mnemonics are all shorter
  if (text.size() >= sizeof name) return std::nullopt;
  std::memcpy(name, text.data(), text.size());
  name[text.size()] = '\0';
  const uint16_t type = ldns_get_rr_type_by_name(name);
  if (type == 0) return std::nullopt;
  return type;
}

std::optional<uint16_t> ParseClass(std::string_view text) {
  if (EqualsIgnoreCase(text, "IN")) return dns::kClassIn;
  if (EqualsIgnoreCase(text, "CH")) return dns::kClassCh;
  if (EqualsIgnoreCase(text, "HS")) return 4;
  if (EqualsIgnoreCase(text, "CS")) return 2;
  if (StartsWithIgnoreCase(text, "CLASS") && text.size() > 5) {
    const auto v = ParseDecimal(text.substr(5), UINT16_MAX);
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v);
  }
  return std::nullopt;
}

absl::Status EncodeRdata(const RdataSource& source, std::string& out) {
  if (IsMetaOrQueryType(source.type)) {
    return SyntaxError(source.file, source.line, Cat("type ", TypeToText(source.type), " cannot appear in zone data"));
  }
  return RdataEncoder(source, out).Encode();
}

}  // namespace rootd::zone
