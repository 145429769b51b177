// Finds DNS queries in captured frames: link layer, IPv4/IPv6, UDP (and optionally TCP
// segments that hold whole DNS messages), then the header and the one question. No reassembly:
// fragments and TCP messages split over segments are skipped and counted, since replaying load
// needs the bulk of the queries, not every last one.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rootd::tools {

enum class SkipReason {
  kUnsupportedLinkType,
  kNotIp,             // ARP, LLDP ... or an IP version that is neither 4 nor 6
  kTruncated,         // headers or the question cut short (snapshot length, damaged frame)
  kFragment,          // IPv4 fragment or IPv6 fragment header (no reassembly)
  kOtherProtocol,     // not UDP, or TCP without --tcp, or an IPv6 header chain we cannot walk
  kOtherPort,         // destination port is not the DNS port
  kTcpPartial,        // TCP segment that does not hold whole DNS messages (or none: SYN, ACK)
  kResponse,          // QR=1
  kOpcode,            // opcode other than QUERY (NOTIFY, UPDATE ...)
  kQuestionCount,     // QDCOUNT != 1
  kCompressedName,    // a compression pointer in the question
  kMalformed,         // bad label type, name over 255 octets
  kClassNotIn,        // CH / HS / ANY class (hostname.bind ...): dnsperf only asks class IN
};
inline constexpr int kSkipReasonCount = 13;
const char* SkipReasonName(SkipReason reason);

struct ExtractedQuery {
  std::string qname;  // uncompressed wire format, case as sent
  uint16_t qtype = 0;
};

struct ExtractOptions {
  uint16_t port = 53;
  bool tcp = false;
};

struct ExtractStats {
  uint64_t frames = 0;
  uint64_t queries = 0;
  std::array<uint64_t, kSkipReasonCount> skipped{};
};

class QueryExtractor {
 public:
  QueryExtractor(uint32_t link_type, ExtractOptions options) : link_type_(link_type), options_(options) {}

  // Appends the queries in one captured frame to `out`; every frame not yielding a query, and
  // every non-query DNS message in a TCP segment, is counted under one skip reason.
  void Extract(std::string_view frame, std::vector<ExtractedQuery>* out);
  const ExtractStats& stats() const { return stats_; }

 private:
  void Skip(SkipReason reason) { ++stats_.skipped[static_cast<int>(reason)]; }
  void FromNetwork(uint16_t ethertype, std::string_view packet, std::vector<ExtractedQuery>* out);
  void FromIpv4(std::string_view packet, std::vector<ExtractedQuery>* out);
  void FromIpv6(std::string_view packet, std::vector<ExtractedQuery>* out);
  void FromTransport(uint8_t protocol, std::string_view segment, std::vector<ExtractedQuery>* out);
  void FromDns(std::string_view message, std::vector<ExtractedQuery>* out);

  uint32_t link_type_;
  ExtractOptions options_;
  ExtractStats stats_;
};

// "name TYPE" for dnsperf: the name in presentation format, the type as a mnemonic dnsperf
// 2.10 knows, else TYPEnnn (RFC 3597), which it also accepts.
std::string DnsperfLine(const ExtractedQuery& query);
std::string QtypeMnemonic(uint16_t qtype);

}  // namespace rootd::tools
