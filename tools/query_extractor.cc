#include "tools/query_extractor.h"

#include <net/ethernet.h>
#include <netinet/in.h>

#include <algorithm>

#include "tools/pcap_reader.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::tools {
namespace {

// IEEE 802.1ad service tags, and the pre-standard ones (the system headers name neither).
constexpr uint16_t kEtherTypeQinQ = 0x88a8;
constexpr uint16_t kEtherTypeQinQOld = 0x9100;
constexpr size_t kDnsHeaderSize = 12;

uint16_t U16(std::string_view s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]));
}

// Types dnsperf 2.10 accepts by name (checked against it: none draws "invalid qtype").
struct TypeName {
  uint16_t type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {1, "A"},         {2, "NS"},        {5, "CNAME"},      {6, "SOA"},      {10, "NULL"},     {11, "WKS"},
    {12, "PTR"},      {13, "HINFO"},    {15, "MX"},        {16, "TXT"},     {17, "RP"},       {18, "AFSDB"},
    {24, "SIG"},      {25, "KEY"},      {28, "AAAA"},      {29, "LOC"},     {30, "NXT"},      {33, "SRV"},
    {35, "NAPTR"},    {36, "KX"},       {37, "CERT"},      {38, "A6"},      {39, "DNAME"},    {42, "APL"},
    {43, "DS"},       {44, "SSHFP"},    {45, "IPSECKEY"},  {46, "RRSIG"},   {47, "NSEC"},     {48, "DNSKEY"},
    {49, "DHCID"},    {50, "NSEC3"},    {51, "NSEC3PARAM"}, {52, "TLSA"},   {53, "SMIMEA"},   {55, "HIP"},
    {59, "CDS"},      {60, "CDNSKEY"},  {61, "OPENPGPKEY"}, {62, "CSYNC"},  {63, "ZONEMD"},   {64, "SVCB"},
    {65, "HTTPS"},    {99, "SPF"},      {108, "EUI48"},    {109, "EUI64"},  {249, "TKEY"},    {250, "TSIG"},
    {251, "IXFR"},    {252, "AXFR"},    {253, "MAILB"},    {254, "MAILA"},  {255, "ANY"},     {256, "URI"},
    {257, "CAA"},     {32768, "TA"},    {32769, "DLV"},
};

}  // namespace

const char* SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kUnsupportedLinkType: return "unsupported_link_type";
    case SkipReason::kNotIp: return "not_ip";
    case SkipReason::kTruncated: return "truncated";
    case SkipReason::kFragment: return "fragment";
    case SkipReason::kOtherProtocol: return "other_protocol";
    case SkipReason::kOtherPort: return "other_port";
    case SkipReason::kTcpPartial: return "tcp_partial";
    case SkipReason::kResponse: return "response";
    case SkipReason::kOpcode: return "opcode";
    case SkipReason::kQuestionCount: return "qdcount";
    case SkipReason::kCompressedName: return "compressed_qname";
    case SkipReason::kMalformed: return "malformed";
    case SkipReason::kClassNotIn: return "class_not_in";
  }
  return "?";
}

std::string QtypeMnemonic(uint16_t qtype) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == qtype) return t.name;
  }
  return Cat("TYPE", qtype);
}

std::string DnsperfLine(const ExtractedQuery& query) {
  return Cat(zone::NameToText(query.qname), " ", QtypeMnemonic(query.qtype));
}

void QueryExtractor::Extract(std::string_view frame, std::vector<ExtractedQuery>* out) {
  ++stats_.frames;
  switch (link_type_) {
    case kLinkTypeEthernet: {
      if (frame.size() < 14) return Skip(SkipReason::kTruncated);
      size_t at = 12;
      uint16_t ethertype = U16(frame, at);
      // 802.1Q and 802.1ad tags, possibly stacked (QinQ).
      while (ethertype == ETHERTYPE_VLAN || ethertype == kEtherTypeQinQ || ethertype == kEtherTypeQinQOld) {
        at += 4;
        if (frame.size() < at + 2) return Skip(SkipReason::kTruncated);
        ethertype = U16(frame, at);
      }
      return FromNetwork(ethertype, frame.substr(at + 2), out);
    }
    case kLinkTypeNull: {
      if (frame.size() < 4) return Skip(SkipReason::kTruncated);
      // The address family in the capturing host's byte order: 2 is AF_INET everywhere; 24, 28
      // and 30 are AF_INET6 on the BSDs and macOS. The version nibble settles it either way.
      return FromNetwork(0, frame.substr(4), out);
    }
    case kLinkTypeRaw:
    case kLinkTypeRawDlt12:
    case kLinkTypeRawDlt14:
    case kLinkTypeIpv4:
    case kLinkTypeIpv6:
      return FromNetwork(0, frame, out);
    case kLinkTypeLinuxSll:
      if (frame.size() < 16) return Skip(SkipReason::kTruncated);
      return FromNetwork(U16(frame, 14), frame.substr(16), out);
    case kLinkTypeLinuxSll2:
      if (frame.size() < 20) return Skip(SkipReason::kTruncated);
      return FromNetwork(U16(frame, 0), frame.substr(20), out);
    default:
      return Skip(SkipReason::kUnsupportedLinkType);
  }
}

void QueryExtractor::FromNetwork(uint16_t ethertype, std::string_view packet, std::vector<ExtractedQuery>* out) {
  // ethertype 0: a link type without one; the IP version nibble decides.
  if (ethertype != 0 && ethertype != ETHERTYPE_IP && ethertype != ETHERTYPE_IPV6) return Skip(SkipReason::kNotIp);
  if (packet.empty()) return Skip(SkipReason::kTruncated);
  const int version = static_cast<uint8_t>(packet[0]) >> 4;
  if (version == 4 && ethertype != ETHERTYPE_IPV6) return FromIpv4(packet, out);
  if (version == 6 && ethertype != ETHERTYPE_IP) return FromIpv6(packet, out);
  return Skip(SkipReason::kNotIp);
}

void QueryExtractor::FromIpv4(std::string_view packet, std::vector<ExtractedQuery>* out) {
  if (packet.size() < 20) return Skip(SkipReason::kTruncated);
  const size_t header_length = (static_cast<uint8_t>(packet[0]) & 0x0f) * 4;
  const size_t total_length = U16(packet, 2);
  if (header_length < 20 || total_length < header_length) return Skip(SkipReason::kMalformed);
  if (packet.size() < header_length) return Skip(SkipReason::kTruncated);
  const uint16_t fragment = U16(packet, 6);
  if ((fragment & 0x2000) != 0 || (fragment & 0x1fff) != 0) return Skip(SkipReason::kFragment);
  // Ethernet pads short frames: the IP total length, not the frame, says where the packet ends.
  const size_t end = std::min(packet.size(), total_length);
  FromTransport(static_cast<uint8_t>(packet[9]), packet.substr(header_length, end - header_length), out);
}

void QueryExtractor::FromIpv6(std::string_view packet, std::vector<ExtractedQuery>* out) {
  if (packet.size() < 40) return Skip(SkipReason::kTruncated);
  const size_t payload_length = U16(packet, 4);
  // Payload length 0 is a jumbogram (RFC 2675): not DNS traffic, and not worth handling.
  std::string_view rest = packet.substr(40, std::min(packet.size() - 40, payload_length));
  uint8_t next = static_cast<uint8_t>(packet[6]);
  for (;;) {
    switch (next) {
      case 0:    // hop-by-hop options
      case 43:   // routing
      case 60: { // destination options
        if (rest.size() < 2) return Skip(SkipReason::kTruncated);
        const size_t length = (static_cast<uint8_t>(rest[1]) + 1) * 8;
        if (rest.size() < length) return Skip(SkipReason::kTruncated);
        next = static_cast<uint8_t>(rest[0]);
        rest.remove_prefix(length);
        continue;
      }
      case 51: {  // authentication header: length in 4-octet units, minus 2
        if (rest.size() < 2) return Skip(SkipReason::kTruncated);
        const size_t length = (static_cast<uint8_t>(rest[1]) + 2) * 4;
        if (rest.size() < length) return Skip(SkipReason::kTruncated);
        next = static_cast<uint8_t>(rest[0]);
        rest.remove_prefix(length);
        continue;
      }
      case 44: {  // fragment: only an atomic fragment (offset 0, no more fragments) is whole
        if (rest.size() < 8) return Skip(SkipReason::kTruncated);
        if ((U16(rest, 2) & 0xfff9) != 0) return Skip(SkipReason::kFragment);
        next = static_cast<uint8_t>(rest[0]);
        rest.remove_prefix(8);
        continue;
      }
      default:
        return FromTransport(next, rest, out);
    }
  }
}

void QueryExtractor::FromTransport(uint8_t protocol, std::string_view segment, std::vector<ExtractedQuery>* out) {
  if (protocol == IPPROTO_UDP) {
    if (segment.size() < 8) return Skip(SkipReason::kTruncated);
    if (U16(segment, 2) != options_.port) return Skip(SkipReason::kOtherPort);
    const size_t udp_length = U16(segment, 4);
    if (udp_length < 8) return Skip(SkipReason::kMalformed);
    return FromDns(segment.substr(8, udp_length - 8), out);
  }
  if (protocol != IPPROTO_TCP || !options_.tcp) return Skip(SkipReason::kOtherProtocol);
  if (segment.size() < 20) return Skip(SkipReason::kTruncated);
  if (U16(segment, 2) != options_.port) return Skip(SkipReason::kOtherPort);
  const size_t header_length = (static_cast<uint8_t>(segment[12]) >> 4) * 4;
  if (header_length < 20) return Skip(SkipReason::kMalformed);
  if (segment.size() < header_length) return Skip(SkipReason::kTruncated);
  std::string_view stream = segment.substr(header_length);
  // Whole messages only, each behind its 2-octet length (RFC 1035 4.2.2): a segment that starts
  // mid-message would be misread, so anything that does not add up exactly is skipped.
  size_t at = 0;
  while (at + 2 <= stream.size()) {
    const size_t length = U16(stream, at);
    if (length == 0 || at + 2 + length > stream.size()) break;
    at += 2 + length;
  }
  if (stream.empty() || at != stream.size()) return Skip(SkipReason::kTcpPartial);
  for (at = 0; at < stream.size();) {
    const size_t length = U16(stream, at);
    FromDns(stream.substr(at + 2, length), out);
    at += 2 + length;
  }
}

void QueryExtractor::FromDns(std::string_view message, std::vector<ExtractedQuery>* out) {
  if (message.size() < kDnsHeaderSize) return Skip(SkipReason::kTruncated);
  const uint8_t flags = static_cast<uint8_t>(message[2]);
  if (flags & 0x80) return Skip(SkipReason::kResponse);
  if (((flags >> 3) & 0x0f) != 0) return Skip(SkipReason::kOpcode);
  if (U16(message, 4) != 1) return Skip(SkipReason::kQuestionCount);
  ExtractedQuery query;
  size_t at = kDnsHeaderSize;
  for (;;) {
    if (at >= message.size()) return Skip(SkipReason::kTruncated);
    const uint8_t length = static_cast<uint8_t>(message[at]);
    if ((length & 0xc0) == 0xc0) return Skip(SkipReason::kCompressedName);
    if ((length & 0xc0) != 0) return Skip(SkipReason::kMalformed);  // RFC 6891 extended label types
    if (at + 1 + length > message.size()) return Skip(SkipReason::kTruncated);
    query.qname.append(message.substr(at, 1 + length));
    at += 1 + length;
    if (query.qname.size() > zone::kMaxNameLength) return Skip(SkipReason::kMalformed);
    if (length == 0) break;
  }
  if (at + 4 > message.size()) return Skip(SkipReason::kTruncated);
  query.qtype = U16(message, at);
  if (U16(message, at + 2) != dns::kClassIn) return Skip(SkipReason::kClassNotIn);
  ++stats_.queries;
  out->push_back(std::move(query));
}

}  // namespace rootd::tools
