#include "server/engine.h"

#include <algorithm>
#include <cstring>

#include "server/siphash.h"
#include "zone/rr_types.h"

namespace rootd::server {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMinUdpPayload = 512;  // RFC 1035 / RFC 6891 6.2.5: never advertise less
constexpr size_t kMaxMessage = 65535;

constexpr uint8_t kRcodeNoError = 0;
constexpr uint8_t kRcodeFormErr = 1;
constexpr uint8_t kRcodeNotImp = 4;
constexpr uint8_t kRcodeRefused = 5;
constexpr uint8_t kRcodeNotAuth = 9;
constexpr uint8_t kRcodeBadVers = 16;
constexpr uint16_t kTypeTsig = 250;
constexpr uint16_t kTsigErrorBadKey = 17;

constexpr uint16_t kOptionNsid = 3;
constexpr uint16_t kOptionCookie = 10;
constexpr uint16_t kOptionKeyTag = 14;
constexpr size_t kClientCookieSize = 8;
constexpr size_t kServerCookieSize = 16;  // RFC 9018: version, reserved, timestamp, hash

// Header flag bits.
constexpr uint8_t kFlagQr = 0x80, kFlagAa = 0x04, kFlagTc = 0x02, kFlagRd = 0x01;  // byte 2
constexpr uint8_t kFlagCd = 0x10;                                                 // byte 3
constexpr uint16_t kEdnsFlagDo = 0x8000;

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Put32(uint8_t* p, uint32_t v) {
  Put16(p, static_cast<uint16_t>(v >> 16));
  Put16(p + 2, static_cast<uint16_t>(v));
}
inline uint8_t Lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// ASCII lowercase of eight octets at once (RFC 4343 folds A-Z only): a byte gets 0x20 when
// its high bit is clear and it lies in 'A'..'Z'. Each lane's sums stay below 0x100.
inline uint64_t LowerWord(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t low7 = x & (0x7f * kOnes);
  const uint64_t at_least_a = low7 + (0x80 - 'A') * kOnes;
  const uint64_t above_z = low7 + (0x80 - 'Z' - 1) * kOnes;
  return x | (((at_least_a ^ above_z) & ~x & (0x80 * kOnes)) >> 2);
}

// What parsing found; offsets are into the query.
struct Parsed {
  uint8_t opcode = 0;
  bool has_question = false;
  size_t question_end = kHeaderSize;  // past QTYPE and QCLASS
  size_t qname_end = kHeaderSize;
  int label_count = 0;
  // The last label, lowercase, zero-padded to a whole word (and its LabelKey).
  alignas(8) uint8_t tld[64];
  uint8_t tld_size = 0;
  uint64_t tld_key = 0;
  uint16_t qtype = 0, qclass = 0;

  bool edns = false;
  bool dnssec_ok = false;
  uint8_t edns_version = 0;
  uint16_t udp_payload = 0;
  bool nsid_requested = false;
  // Copied, not pointed to: the response may be written over the query.
  bool has_client_cookie = false;
  uint8_t client_cookie[8];

  // A TSIG record (RFC 8945), which rootd holds no key for: where its owner and the parts of
  // its RDATA an error response echoes lie in the query.
  bool tsig = false;
  size_t tsig_owner = 0, tsig_owner_size = 0;
  size_t tsig_algorithm = 0, tsig_algorithm_size = 0;  // followed by time signed and fudge
  size_t tsig_original_id = 0;
};

enum class Verdict { kAnswer, kDrop, kFormErr, kFormErrNoQuestion };

// Parses the question after the header: a QNAME without compression, labels of at most 63
// octets, at most 255 octets in all; then QTYPE and QCLASS. Keeps the last label, lowercased:
// the TLD the root answers for.
bool ParseQname(const uint8_t* q, size_t size, Parsed& p) {
  size_t pos = kHeaderSize;
  size_t last = 0;
  while (true) {
    if (pos >= size) return false;
    const uint8_t len = q[pos];
    if (len == 0) break;
    if (len > 63) return false;  // a pointer or an extended label type: not in a question
    last = pos;
    ++p.label_count;
    pos += 1 + len;
    if (pos - kHeaderSize >= 255) return false;
  }
  p.qname_end = pos + 1;
  if (p.label_count > 0) {
    p.tld_size = q[last];
    // Whole words straight from the query, the tail octet by octet (a variable-length
    // memcpy here costs more than the lookup it feeds).
    const uint8_t* label = q + last + 1;
    size_t w = 0;
    for (; 8 * w + 8 <= p.tld_size; ++w) {
      uint64_t word;
      std::memcpy(&word, label + 8 * w, 8);
      word = LowerWord(word);
      std::memcpy(p.tld + 8 * w, &word, 8);
    }
    if (const size_t rest = p.tld_size - 8 * w; rest > 0) {
      // The word that ends where the label ends lies inside the query (a header and a length
      // octet precede every label); shifting drops the octets before the tail.
      uint64_t word;
      std::memcpy(&word, label + p.tld_size - 8, 8);
      word = LowerWord(word >> (8 * (8 - rest)));
      std::memcpy(p.tld + 8 * w, &word, 8);
    }
    uint64_t first;
    std::memcpy(&first, p.tld, 8);
    p.tld_key = __builtin_bswap64(first);
  }
  if (p.qname_end + 4 > size) return false;
  p.qtype = Get16(q + p.qname_end);
  p.qclass = Get16(q + p.qname_end + 2);
  p.question_end = p.qname_end + 4;
  p.has_question = true;
  return true;
}

// Skips a possibly compressed name in the additional section.
bool SkipName(const uint8_t* q, size_t size, size_t& pos) {
  for (int guard = 0; guard < 128; ++guard) {
    if (pos >= size) return false;
    const uint8_t len = q[pos];
    if (len == 0) {
      ++pos;
      return true;
    }
    if ((len & 0xc0) == 0xc0) {
      if (pos + 2 > size) return false;
      pos += 2;
      return true;
    }
    if (len > 63) return false;
    pos += 1 + len;
  }
  return false;
}

bool ParseOptions(const uint8_t* rdata, size_t rdlength, Parsed& p, QueryInfo& info) {
  size_t pos = 0;
  while (pos < rdlength) {
    if (pos + 4 > rdlength) return false;
    const uint16_t code = Get16(rdata + pos), len = Get16(rdata + pos + 2);
    pos += 4;
    if (pos + len > rdlength) return false;
    const uint8_t* data = rdata + pos;
    switch (code) {
      case kOptionNsid:
        p.nsid_requested = true;
        break;
      case kOptionCookie:
        // RFC 7873 5.2.2: a client cookie alone (8) or with a server cookie (8 to 32).
        if (len != kClientCookieSize && (len < 16 || len > 40)) return false;
        p.has_client_cookie = true;
        std::memcpy(p.client_cookie, data, kClientCookieSize);
        break;
      case kOptionKeyTag:  // RFC 8145 4.1: a list of 16-bit key tags
        if (len == 0 || len % 2 != 0) return false;
        for (size_t i = 0; i < len && info.edns_key_tag_count < QueryInfo::kMaxTags; i += 2) {
          info.edns_key_tags[info.edns_key_tag_count++] = Get16(data + i);
        }
        break;
      default:  // unknown options are ignored and not echoed (RFC 6891 6.1.2)
        break;
    }
    pos += len;
  }
  return true;
}

// TSIG RDATA (RFC 8945 4.2): algorithm name (uncompressed), time signed (6), fudge (2), MAC size
// and MAC, original ID, error, other length and other data. Its owner is echoed as it was
// sent, so a compression pointer in it may only reach into the question, which the response
// repeats at the same place.
bool ParseTsig(const uint8_t* q, size_t owner, size_t rdata, size_t rdlength, Parsed& p) {
  size_t owner_end = owner;
  while (q[owner_end] != 0 && (q[owner_end] & 0xc0) != 0xc0) owner_end += 1 + q[owner_end];
  if (q[owner_end] != 0) {
    const size_t target = Get16(q + owner_end) & 0x3fff;
    if (target < kHeaderSize || target >= p.qname_end) return false;
    owner_end += 2;
  } else {
    owner_end += 1;
  }
  const uint8_t* r = q + rdata;
  size_t at = 0;
  while (at < rdlength && r[at] != 0) {
    if (r[at] > 63) return false;
    at += 1 + r[at];
  }
  const size_t algorithm_size = at + 1;
  // Names are at most 255 octets (RFC 1035 3.1); BadKey echoes both into a buffer of that size.
  if (algorithm_size > 255 || owner_end - owner > 255 || algorithm_size + 10 > rdlength) return false;
  const size_t mac_size = Get16(r + algorithm_size + 8);
  const size_t tail = algorithm_size + 10 + mac_size;
  if (tail + 6 > rdlength || tail + 6 + Get16(r + tail + 4) != rdlength) return false;
  p.tsig = true;
  p.tsig_owner = owner;
  p.tsig_owner_size = owner_end - owner;
  p.tsig_algorithm = rdata;
  p.tsig_algorithm_size = algorithm_size;
  p.tsig_original_id = rdata + tail;
  return true;
}

Verdict Parse(const uint8_t* q, size_t size, Parsed& p, QueryInfo& info) {
  if (size < kHeaderSize || (q[2] & kFlagQr)) return Verdict::kDrop;
  p.opcode = (q[2] >> 3) & 0x0f;
  const uint16_t qdcount = Get16(q + 4), ancount = Get16(q + 6), nscount = Get16(q + 8), arcount = Get16(q + 10);
  if (qdcount > 1) return Verdict::kFormErrNoQuestion;
  if (qdcount == 1 && !ParseQname(q, size, p)) return Verdict::kFormErrNoQuestion;
  if (ancount != 0 || nscount != 0) return Verdict::kFormErr;
  size_t pos = p.question_end;
  for (uint16_t i = 0; i < arcount; ++i) {
    const size_t owner = pos;
    if (!SkipName(q, size, pos) || pos + 10 > size) return Verdict::kFormErr;
    const uint16_t type = Get16(q + pos), rdlength = Get16(q + pos + 8);
    const uint8_t* rr = q + pos;
    pos += 10;
    if (pos + rdlength > size) return Verdict::kFormErr;
    if (type == dns::kTypeOpt) {
      // RFC 6891 6.1.1: one OPT, owned by the root.
      if (p.edns || pos - 10 - owner != 1) return Verdict::kFormErr;
      p.edns = true;
      p.udp_payload = Get16(rr + 2);
      p.edns_version = rr[5];
      p.dnssec_ok = Get16(rr + 6) & kEdnsFlagDo;
      if (!ParseOptions(q + pos, rdlength, p, info)) return Verdict::kFormErr;
    }
    if (type == kTypeTsig) {
      // RFC 8945 5.1: the last record, class ANY, TTL 0.
      if (i + 1 != arcount || Get16(rr + 2) != dns::kClassAny || Get16(rr + 4) != 0 || Get16(rr + 6) != 0) {
        return Verdict::kFormErr;
      }
      if (!ParseTsig(q, owner, pos, rdlength, p)) return Verdict::kFormErr;
    }
    pos += rdlength;
  }
  if (pos != size) return Verdict::kFormErr;  // trailing garbage
  return Verdict::kAnswer;
}

// RFC 8145 5: `_ta-` followed by one or more 4-hex-digit key tags joined by '-', ascending.
void ParseTrustAnchorLabel(const uint8_t* label, size_t size, QueryInfo& info) {
  if (size < 8 || (size - 3) % 5 != 0 || label[0] != '_' || Lower(label[1]) != 't' || Lower(label[2]) != 'a' ||
      label[3] != '-') {
    return;
  }
  uint16_t tags[QueryInfo::kMaxTags];
  uint8_t count = 0;
  for (size_t at = 4; at < size; at += 5) {
    if (at > 4 && label[at - 1] != '-') return;
    uint16_t tag = 0;
    for (size_t k = 0; k < 4; ++k) {
      const uint8_t c = Lower(label[at + k]);
      const int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (digit < 0) return;
      tag = static_cast<uint16_t>(tag << 4 | digit);
    }
    if (count > 0 && tag <= tags[count - 1]) return;
    if (count == QueryInfo::kMaxTags) return;
    tags[count++] = tag;
  }
  std::memcpy(info.ta_query_tags, tags, count * sizeof(uint16_t));
  info.ta_query_tag_count = count;
}

bool EqualsLowercase(const uint8_t* q, size_t size, const char* wire, size_t wire_size) {
  if (size != wire_size) return false;
  for (size_t i = 0; i < size; ++i) {
    if (Lower(q[i]) != static_cast<uint8_t>(wire[i])) return false;
  }
  return true;
}

// Builds the response in place: header, echoed question, body sections, OPT.
class ResponseWriter {
 public:
  ResponseWriter(const EngineConfig& config, const Request& request, const Parsed& parsed, uint8_t* out,
                 size_t capacity)
      : config_(config), request_(request), parsed_(parsed), out_(out), capacity_(std::min(capacity, kMaxMessage)) {
    // NSID is informational: a long one is left out rather than let the OPT record, behind a
    // long question, overflow the client's limit (every other part of the OPT always fits).
    nsid_ = parsed_.nsid_requested && !config_.nsid.empty();
    if (nsid_ && parsed_.question_end + OptSize() > Limit()) nsid_ = false;
  }

  size_t Header(uint8_t rcode, bool authoritative, bool with_question) {
    const uint8_t* q = request_.data;
    // RD (RFC 1035 4.1.1) and CD (RFC 4035 3.2.2) are echoed for QUERY only: their meaning is
    // defined for it, and a NOTIMP reply to an opcode we do not know must not claim them
    // (RFC 8906's unknown-opcode test; genreport's "opcodeflg"). Only opcode is copied then.
    const bool query = parsed_.opcode == 0;
    out_[0] = q[0];
    out_[1] = q[1];
    out_[2] = static_cast<uint8_t>(kFlagQr | (q[2] & (query ? 0x78 | kFlagRd : 0x78)) | (authoritative ? kFlagAa : 0));
    out_[3] = static_cast<uint8_t>((q[3] & (query ? kFlagCd : 0)) | (rcode & 0x0f));
    std::memset(out_ + 4, 0, 8);
    size_t pos = kHeaderSize;
    if (with_question && parsed_.has_question) {
      Put16(out_ + 4, 1);
      const size_t question_size = parsed_.question_end - kHeaderSize;
      if (out_ != q) std::memcpy(out_ + kHeaderSize, q + kHeaderSize, question_size);  // in place it is there
      pos += question_size;
    }
    return pos;
  }

  // The largest response the client takes: 512 without EDNS, its payload size clamped to
  // [512, configured maximum] with it; no limit but the message size over TCP.
  size_t Limit() const {
    if (request_.transport == Transport::kTcp) return capacity_;
    size_t limit = kMinUdpPayload;
    if (parsed_.edns) limit = std::clamp<size_t>(parsed_.udp_payload, kMinUdpPayload, config_.max_udp_payload);
    return std::min(limit, capacity_);
  }

  size_t OptSize() const {
    if (!parsed_.edns) return 0;
    size_t size = 11;
    if (nsid_) size += 4 + config_.nsid.size();
    if (CookieEnabled()) size += 4 + kClientCookieSize + kServerCookieSize;
    return size;
  }

  size_t AppendOpt(size_t pos, uint8_t extended_rcode) {
    if (!parsed_.edns) return pos;
    uint8_t* o = out_ + pos;
    // Owner ".", TYPE OPT, our payload size, extended RCODE, version 0, DO echoed.
    o[0] = 0;
    Put16(o + 1, dns::kTypeOpt);
    Put16(o + 3, config_.max_udp_payload);
    o[5] = extended_rcode;
    o[6] = 0;
    Put16(o + 7, parsed_.dnssec_ok ? kEdnsFlagDo : 0);
    size_t at = 11;
    if (nsid_) {
      Put16(o + at, kOptionNsid);
      Put16(o + at + 2, static_cast<uint16_t>(config_.nsid.size()));
      std::memcpy(o + at + 4, config_.nsid.data(), config_.nsid.size());
      at += 4 + config_.nsid.size();
    }
    if (CookieEnabled()) {
      Put16(o + at, kOptionCookie);
      Put16(o + at + 2, kClientCookieSize + kServerCookieSize);
      WriteCookie(o + at + 4);
      at += 4 + kClientCookieSize + kServerCookieSize;
    }
    Put16(o + 9, static_cast<uint16_t>(at - 11));
    Put16(out_ + 10, static_cast<uint16_t>(Get16(out_ + 10) + 1));
    return pos + at;
  }

  // RFC 8945 5.2, 5.3.2: a query signed with a key we do not have gets NOTAUTH and an
  // unsigned TSIG saying BADKEY, after the OPT (TSIG is always last). The TSIG record is
  // put together before anything is written: the response may overwrite the query's.
  size_t BadKey(QueryInfo& info) {
    const uint8_t* q = request_.data;
    const size_t rdlength = parsed_.tsig_algorithm_size + 8 + 2 + 6;
    const size_t record_size = parsed_.tsig_owner_size + 10 + rdlength;
    uint8_t record[255 + 10 + 255 + 16];  // owner and algorithm are names of at most 255 octets
    uint8_t* o = record;
    std::memcpy(o, q + parsed_.tsig_owner, parsed_.tsig_owner_size);
    o += parsed_.tsig_owner_size;
    Put16(o, kTypeTsig);
    Put16(o + 2, dns::kClassAny);
    Put32(o + 4, 0);
    Put16(o + 8, static_cast<uint16_t>(rdlength));
    o += 10;
    std::memcpy(o, q + parsed_.tsig_algorithm, parsed_.tsig_algorithm_size + 8);  // algorithm, time, fudge
    o += parsed_.tsig_algorithm_size + 8;
    Put16(o, 0);                                              // no MAC
    std::memcpy(o + 2, q + parsed_.tsig_original_id, 2);      // original ID
    Put16(o + 4, kTsigErrorBadKey);
    Put16(o + 6, 0);                                          // no other data
    const size_t pos = Empty(kRcodeNotAuth, true, info);
    if (pos + record_size > Limit()) {
      out_[2] |= kFlagTc;
      return pos;
    }
    std::memcpy(out_ + pos, record, record_size);
    Put16(out_ + 10, static_cast<uint16_t>(Get16(out_ + 10) + 1));
    return pos + record_size;
  }

  // A response with no records of its own: an error, REFUSED, BADVERS.
  size_t Empty(uint8_t rcode, bool with_question, QueryInfo& info) {
    size_t pos = Header(rcode, false, with_question);
    pos = AppendOpt(pos, static_cast<uint8_t>(rcode >> 4));
    info.rcode = rcode;
    return pos;
  }

  size_t Body(const zone::ResponseBody body, QueryInfo& info) {
    size_t pos = Header(body.rcode, body.authoritative, true);
    const size_t used = pos + OptSize();
    const size_t room = Limit() > used ? Limit() - used : 0;
    // Most responses fit whole; otherwise take the longest prefix that does.
    const zone::CutPoint* cut = &body.full();
    if (cut->length > room) {
      cut = nullptr;
      for (uint8_t i = 0; i < body.cut_count && body.cuts[i].length <= room; ++i) cut = &body.cuts[i];
    }
    if (cut == nullptr) {
      out_[2] |= kFlagTc;
    } else {
      std::memcpy(out_ + pos, body.bytes, cut->length);
      ShiftPointers(body, out_ + pos, cut->length);
      Put16(out_ + 6, cut->counts.answer);
      Put16(out_ + 8, cut->counts.authority);
      Put16(out_ + 10, cut->counts.additional);
      pos += cut->length;
    }
    info.rcode = body.rcode;
    return AppendOpt(pos, 0);
  }

  // A CHAOS TXT answer: the QNAME by pointer, TTL 0, one string.
  size_t ChaosTxt(const std::string& text, QueryInfo& info) {
    size_t pos = Header(kRcodeNoError, true, true);
    const size_t size = std::min<size_t>(text.size(), 255);
    info.rcode = kRcodeNoError;
    if (pos + 13 + size + OptSize() > Limit()) {
      out_[2] |= kFlagTc;
      return AppendOpt(pos, 0);
    }
    uint8_t* rr = out_ + pos;
    Put16(rr, 0xc000 | kHeaderSize);
    Put16(rr + 2, dns::kTypeTxt);
    Put16(rr + 4, dns::kClassCh);
    Put32(rr + 6, 0);
    Put16(rr + 10, static_cast<uint16_t>(size + 1));
    rr[12] = static_cast<uint8_t>(size);
    std::memcpy(rr + 13, text.data(), size);
    Put16(out_ + 6, 1);
    return AppendOpt(pos + 13 + size, 0);
  }

 private:
  // Moves compression pointers by how much longer the client's QNAME is than the one the
  // body was compiled for.
  void ShiftPointers(const zone::ResponseBody& body, uint8_t* at, size_t length) const {
    const uint16_t delta = static_cast<uint16_t>(parsed_.qname_end - body.nominal_question_end);
    if (delta == 0) return;
    // Pointers stay below 0x4000 after the shift (bodies are far shorter), so adding to the
    // whole big-endian word leaves the 0xc000 marker intact.
    uint16_t count = body.pointer_count;
    if (length < body.length) {
      while (count > 0 && body.pointer_offsets[count - 1] >= length) --count;
    }
    for (uint16_t i = 0; i < count; ++i) {
      uint8_t* p = at + body.pointer_offsets[i];
      uint16_t v;
      std::memcpy(&v, p, 2);
      v = __builtin_bswap16(static_cast<uint16_t>(__builtin_bswap16(v) + delta));
      std::memcpy(p, &v, 2);
    }
  }

  bool CookieEnabled() const { return parsed_.has_client_cookie && config_.cookie_secret.size() == 16; }

  // RFC 9018 4: client cookie, then version 1, three reserved octets, a timestamp and
  // SipHash-2-4(client cookie | version | reserved | timestamp | client address).
  void WriteCookie(uint8_t* o) const {
    std::memcpy(o, parsed_.client_cookie, kClientCookieSize);
    uint8_t* server = o + kClientCookieSize;
    server[0] = 1;
    server[1] = server[2] = server[3] = 0;
    Put32(server + 4, request_.now);
    uint8_t input[kClientCookieSize + 8 + 16];
    std::memcpy(input, o, kClientCookieSize + 8);
    const size_t address_size = std::min<size_t>(request_.client_address_size, 16);
    if (address_size > 0) std::memcpy(input + kClientCookieSize + 8, request_.client_address, address_size);
    const uint64_t hash = SipHash24(reinterpret_cast<const uint8_t*>(config_.cookie_secret.data()), input,
                                    kClientCookieSize + 8 + address_size);
    for (int i = 0; i < 8; ++i) server[8 + i] = static_cast<uint8_t>(hash >> (56 - 8 * i));
  }

  const EngineConfig& config_;
  const Request& request_;
  const Parsed& parsed_;
  uint8_t* out_;
  size_t capacity_;
  bool nsid_ = false;  // the response carries the NSID option
};

// What a query gets, decided from the query alone before anything is written: the response
// may be written over the query.
struct Plan {
  enum class Action : uint8_t { kDrop, kEmpty, kBadKey, kChaos, kLookup };
  Action action = Action::kDrop;
  uint8_t rcode = 0;           // kEmpty
  bool with_question = true;   // kEmpty
  const std::string* text = nullptr;  // kChaos
  zone::ImageQuery lookup;     // kLookup; its TLD points into Parsed
};

Plan Classify(const EngineConfig& config, const Request& request, size_t out_capacity, Parsed& p, QueryInfo& i) {
  using Action = Plan::Action;
  i = QueryInfo{};
  i.query_size = static_cast<uint16_t>(std::min<size_t>(request.size, kMaxMessage));
  const Verdict verdict = Parse(request.data, request.size, p, i);
  i.qtype = p.qtype;
  i.qclass = p.qclass;
  i.edns = p.edns;
  i.dnssec_ok = p.dnssec_ok;
  Plan plan;
  if (verdict == Verdict::kDrop || out_capacity < kMinUdpPayload) {
    i.dropped = true;
    return plan;
  }
  auto empty = [&plan](uint8_t rcode, bool with_question = true) {
    plan.action = Action::kEmpty;
    plan.rcode = rcode;
    plan.with_question = with_question;
    return plan;
  };
  if (verdict != Verdict::kAnswer) {
    // The OPT of a malformed query is not trusted: FORMERR goes back without one.
    p.edns = false;
    return empty(kRcodeFormErr, verdict == Verdict::kFormErr);
  }
  if (p.tsig) {
    plan.action = Action::kBadKey;
    return plan;
  }
  if (p.opcode != 0) return empty(kRcodeNotImp);
  if (p.edns && p.edns_version > 0) return empty(kRcodeBadVers);  // RFC 6891 6.1.3
  // RFC 7873 5.4: a query with only a COOKIE gets a cookie back.
  if (!p.has_question) return empty(p.has_client_cookie ? kRcodeNoError : kRcodeFormErr, false);
  if (p.qclass == dns::kClassIn) {
    // RFC 8145 5.1 asks for QTYPE NULL, but Unbound with QNAME minimisation (its default)
    // sends its signal as `_ta-XXXX. A`: the label is the signal, whatever the type.
    if (p.label_count == 1) ParseTrustAnchorLabel(p.tld, p.tld_size, i);
    switch (p.qtype) {
      case dns::kTypeAxfr:
      case dns::kTypeIxfr:
        return empty(kRcodeRefused);  // no zone transfers
      case dns::kTypeOpt:
      case 249:  // TKEY
      case 250:  // TSIG
        return empty(kRcodeFormErr);  // meta types only appear as records, never asked for
      case dns::kTypeMailb:
      case dns::kTypeMaila:
        return empty(kRcodeNotImp);
      default:
        plan.action = Action::kLookup;
        plan.lookup.tld = std::string_view(reinterpret_cast<const char*>(p.tld), p.tld_size);
        plan.lookup.tld_key = p.tld_key;
        plan.lookup.below_tld = p.label_count > 1;
        plan.lookup.qtype = p.qtype;
        plan.lookup.dnssec_ok = p.dnssec_ok;
        plan.lookup.tcp = request.transport == Transport::kTcp;
        return plan;
    }
  }
  if (p.qclass == dns::kClassCh && (p.qtype == dns::kTypeTxt || p.qtype == dns::kTypeAny)) {
    const uint8_t* qname = request.data + kHeaderSize;
    const size_t qname_size = p.qname_end - kHeaderSize;
    const std::string* text = nullptr;
    if (EqualsLowercase(qname, qname_size, "\010hostname\004bind", 15) ||
        EqualsLowercase(qname, qname_size, "\002id\006server", 11)) {
      text = &config.identity;
    } else if (EqualsLowercase(qname, qname_size, "\007version\004bind", 14) ||
               EqualsLowercase(qname, qname_size, "\007version\006server", 16)) {
      text = &config.version;
    }
    if (text == nullptr || text->empty()) return empty(kRcodeRefused);
    plan.action = Action::kChaos;
    plan.text = text;
    return plan;
  }
  return empty(kRcodeRefused);
}

// Writes what `plan` says; `body` is the located body of a kLookup plan.
size_t Respond(const EngineConfig& config, const Request& request, const Parsed& p, const Plan& plan,
               const uint64_t* body, uint8_t* out, size_t out_capacity, QueryInfo& i) {
  using Action = Plan::Action;
  if (plan.action == Action::kDrop) return 0;
  ResponseWriter w(config, request, p, out, out_capacity);
  size_t size = 0;
  switch (plan.action) {
    case Action::kEmpty:
      size = w.Empty(plan.rcode, plan.with_question, i);
      break;
    case Action::kBadKey:
      size = w.BadKey(i);
      break;
    case Action::kChaos:
      size = w.ChaosTxt(*plan.text, i);
      break;
    case Action::kLookup:
      size = w.Body(zone::ZoneImage::Body(body), i);
      break;
    case Action::kDrop:
      break;
  }
  i.truncated = (out[2] & kFlagTc) != 0;
  i.response_size = static_cast<uint16_t>(size);
  return size;
}

}  // namespace

Engine::Engine(EngineConfig config) : config_(std::move(config)) {
  config_.max_udp_payload = std::max<uint16_t>(config_.max_udp_payload, kMinUdpPayload);
}

size_t Engine::Answer(const zone::ZoneImage& image, const Request& request, uint8_t* out, size_t out_capacity,
                      QueryInfo* info) const {
  Parsed p;
  const Plan plan = Classify(config_, request, out_capacity, p, *info);
  const uint64_t* body = nullptr;
  if (plan.action == Plan::Action::kLookup) body = image.LocateBody(plan.lookup, image.LocateTld(plan.lookup));
  return Respond(config_, request, p, plan, body, out, out_capacity, *info);
}

void Engine::AnswerBurst(const zone::ZoneImage& image, BurstQuery* queries, size_t count) const {
  using Action = Plan::Action;
  // One pass per lookup step over the whole burst (see ZoneImage::PrefetchTld): by the time a
  // query's next step runs, the memory it needs has been loading while the others were handled.
  for (size_t base = 0; base < count; base += kMaxBurst) {
    const size_t n = std::min(kMaxBurst, count - base);
    BurstQuery* q = queries + base;
    Parsed parsed[kMaxBurst];
    Plan plans[kMaxBurst];
    size_t search_start[kMaxBurst];
    const uint64_t* bodies[kMaxBurst];
    for (size_t k = 0; k < n; ++k) {
      plans[k] = Classify(config_, q[k].request, q[k].out_capacity, parsed[k], q[k].info);
      if (plans[k].action == Action::kLookup) image.PrefetchTld(plans[k].lookup);
    }
    for (size_t k = 0; k < n; ++k) {
      if (plans[k].action == Action::kLookup) search_start[k] = image.LocateTld(plans[k].lookup);
    }
    for (size_t k = 0; k < n; ++k) {
      bodies[k] = plans[k].action == Action::kLookup ? image.LocateBody(plans[k].lookup, search_start[k]) : nullptr;
    }
    for (size_t k = 0; k < n; ++k) {
      q[k].response_size =
          Respond(config_, q[k].request, parsed[k], plans[k], bodies[k], q[k].out, q[k].out_capacity, q[k].info);
    }
  }
}

}  // namespace rootd::server
