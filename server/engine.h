// The query engine: one DNS query in, one response out, over an immutable ZoneImage.
// Transport-agnostic: UDP and TCP call it, and so will the planned DPDK dataplane. It takes no
// lock, allocates nothing and does no I/O; it writes only into the caller's buffer, which may
// be the query's own (a DPDK reply goes out in the mbuf its query came in).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "zone/image.h"

namespace rootd::server {

enum class Transport : uint8_t { kUdp, kTcp };

struct EngineConfig {
  uint16_t max_udp_payload = 1232;  // DNS Flag Day 2020: fits the IPv6 minimum MTU unfragmented
  std::string nsid;                 // RFC 5001 NSID payload; empty: not sent
  std::string identity;             // CHAOS TXT hostname.bind / id.server; empty: REFUSED
  std::string version;              // CHAOS TXT version.bind / version.server; empty: REFUSED
  std::string cookie_secret;        // 16 bytes for RFC 9018 server cookies; empty: no cookies
};

struct Request {
  const uint8_t* data = nullptr;
  size_t size = 0;
  Transport transport = Transport::kUdp;
  const uint8_t* client_address = nullptr;  // 4 or 16 octets, for server cookies
  uint8_t client_address_size = 0;          // 4 or 16; 0 without an address
  uint32_t now = 0;  // seconds since the epoch, for server cookies
};

// What the caller needs to know of a query and its response, for statistics.
struct QueryInfo {
  static constexpr int kMaxTags = 16;

  bool dropped = false;  // no response is to be sent
  uint8_t rcode = 0;     // full (extended) RCODE
  bool truncated = false;  // the response has TC set
  bool edns = false;       // the query carried an OPT record (even one a FORMERR ignored)
  bool dnssec_ok = false;  // ... with the DO bit
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  uint16_t query_size = 0;
  uint16_t response_size = 0;
  // RFC 8145 signals: key tags of a `_ta-` QNAME (QTYPE NULL), and of an EDNS KEY-TAG option.
  uint8_t ta_query_tag_count = 0;
  uint8_t edns_key_tag_count = 0;
  uint16_t ta_query_tags[kMaxTags] = {};
  uint16_t edns_key_tags[kMaxTags] = {};

  bool operator==(const QueryInfo&) const = default;
};

// One query of a burst, with where its response goes and, once answered, what happened.
struct BurstQuery {
  Request request;
  uint8_t* out = nullptr;  // request.data (in place) or memory not overlapping the query
  size_t out_capacity = 0;
  size_t response_size = 0;  // set by AnswerBurst; 0: drop
  QueryInfo info;            // set by AnswerBurst
};

class Engine {
 public:
  // Queries answered together with their lookups interleaved; more are taken in runs of this
  // many. 64 covers a recvmmsg batch and the usual DPDK RX bursts (32 to 64), and keeps the
  // per-run state (about 20 KiB of parsed queries) on the stack and in L1/L2.
  static constexpr size_t kMaxBurst = 64;

  explicit Engine(EngineConfig config);

  // Writes the response for `request` into out[0, out_capacity) and returns its length; 0 when
  // the query is to be dropped (info->dropped). out_capacity must be at least 512; TCP callers
  // give 65535 so nothing is truncated. `out` may be request.data (the response replaces the
  // query: everything needed from the query is taken before the first octet is written);
  // otherwise it must not overlap the query.
  size_t Answer(const zone::ZoneImage& image, const Request& request, uint8_t* out, size_t out_capacity,
                QueryInfo* info) const;

  // Answers `count` queries as Answer() would, octet for octet, with the image's lookups of
  // the whole burst overlapped (ZoneImage::PrefetchTld): what recvmmsg or an RX burst hands over.
  void AnswerBurst(const zone::ZoneImage& image, BurstQuery* queries, size_t count) const;

  const EngineConfig& config() const { return config_; }

 private:
  EngineConfig config_;
};

}  // namespace rootd::server
