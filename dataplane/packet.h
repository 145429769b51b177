// L2-L4 of the dataplane, on plain bytes (no DPDK types, so it is unit-tested and fuzzed
// without EAL): classify a received Ethernet frame as a UDP DNS query to one of our
// addresses, something for the kernel (the exception path), or something to drop; and turn
// the frame of a query whose DNS response has been written in place into the reply frame.
//
// Frame layout of a query, and of its reply built in the same buffer:
//   query:  [eth (+802.1Q)][IPv4 + options | IPv6 + extension headers][UDP][DNS query ...]
//   reply:            [eth (+802.1Q)][IPv4 (20) | IPv6 (40)][UDP][DNS response ..........]
// The DNS message stays where it is (the engine answers in place); the reply's headers are
// written immediately before it, without IPv4 options or IPv6 extension headers, so the reply
// frame may start later in the buffer than the query did (BuiltReply::frame_offset).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rootd::dataplane {

inline constexpr uint16_t kDnsPort = 53;

// The addresses the dataplane answers DNS for. Few (a server has one or two of each), so a
// linear scan of a flat array beats any hashing.
struct LocalAddresses {
  std::vector<std::array<uint8_t, 4>> ipv4;
  std::vector<std::array<uint8_t, 16>> ipv6;
  uint16_t port = kDnsPort;
};

enum class Verdict : uint8_t {
  kQuery,      // a UDP datagram to one of our addresses and our port: the engine answers it
  kException,  // anything else addressed to this host (ARP, ND, ICMP, TCP, fragments, other
               // ports, IPv6 with extension headers we do not walk): to the kernel via TAP
  kDrop,       // malformed or undeliverable (bad IPv4 header checksum, bad UDP checksum,
               // truncated headers, source port 0): dropped, counted
};

// Why a frame got its verdict; one counter per reason in the lcore statistics.
enum class Reason : uint8_t {
  kDnsQuery,
  kNotIp,            // ARP, LLDP, ... (exception)
  kIpFragment,       // IPv4 MF/offset or an IPv6 Fragment header (exception)
  kIpOptionsOrExt,   // IPv6 extension header not walked (exception)
  kNotUdp,           // TCP, ICMP, ICMPv6 (exception)
  kNotOurAddress,    // destination is not one of ours: multicast/broadcast included, and a
                     // query to our address in a multicast/broadcast Ethernet frame (exception)
  kNotOurPort,       // UDP to another port (exception: the kernel answers port unreachable)
  kTruncated,        // a header runs past the frame, or lengths disagree (drop)
  kBadIpChecksum,    // (drop)
  kBadUdpChecksum,   // (drop)
  kBadSourcePort,    // UDP source port 0 (drop)
  kBadSourceAddress, // a source no reply may go to (drop): IPv4 0/8, 127/8, multicast, 255.255.255.255;
                     // IPv6 ::, ::1, ff00::/8; or a multicast source MAC
  kBadIpHeader,      // IP version not the EtherType's, or IPv4 header length under 20 (drop)
  kCount,
};

// Where the parts of a query frame are. Offsets are from the start of the frame.
struct QueryFrame {
  uint16_t l2_size = 0;       // 14, or 18 with one 802.1Q tag
  uint16_t l3_offset = 0;     // the IP header
  uint16_t udp_offset = 0;    // the UDP header
  uint16_t dns_offset = 0;    // the DNS message (udp_offset + 8)
  uint16_t dns_size = 0;      // from the UDP length, not the frame length (Ethernet pads)
  bool ipv6 = false;
  // The client's address inside the frame (4 or 16 octets): Request::client_address. Valid
  // until the reply is built over it.
  const uint8_t* client_address = nullptr;
  uint8_t client_address_size = 0;
};

struct ClassifyOptions {
  // The NIC verified the UDP checksum (offload reported good): skip it in software.
  bool udp_checksum_verified = false;
  // The NIC verified the IPv4 header checksum.
  bool ip_checksum_verified = false;
};

// Reads `frame[0, size)`; on kQuery fills `query`.
Verdict ClassifyFrame(const uint8_t* frame, size_t size, const LocalAddresses& local, const ClassifyOptions& options,
                      QueryFrame* query, Reason* reason);

struct ReplyOptions {
  // The port computes the UDP checksum (RTE_MBUF_F_TX_UDP_CKSUM): the UDP checksum field
  // gets the pseudo-header sum the offload expects. Otherwise it is computed in full.
  bool udp_checksum_offload = false;
  // The port computes the IPv4 header checksum (RTE_MBUF_F_TX_IP_CKSUM): left 0.
  bool ip_checksum_offload = false;
};

struct BuiltReply {
  uint16_t frame_offset = 0;  // where the reply frame starts in the buffer (>= 0)
  uint16_t frame_size = 0;    // from frame_offset to the end of the DNS response
  uint16_t l2_size = 0, l3_size = 0;  // for the mbuf's l2_len / l3_len (offload)
};

// The largest DNS response BuildReply takes: its reply frame (at most 18 + 40 + 8 octets of
// headers) must fit BuiltReply's 16-bit sizes and an IP datagram.
inline constexpr size_t kMaxReplyDnsSize = 65535 - 18 - 40 - 8;

// The frame holds the query `query` describes, with its DNS response of `dns_size` octets
// already written at query.dns_offset. Writes the reply's headers right before it: MACs
// swapped, VLAN tag kept, addresses and ports swapped, IPv4 TTL 64 / IPv6 hop limit 64,
// lengths and checksums set, IPv4 identification 0 with DF, no options or extension headers.
// IPv4 TOS and IPv6 traffic class and flow label are 0. `dns_size` <= kMaxReplyDnsSize, and the
// buffer holds query.dns_offset + dns_size octets. No allocation, no failure.
BuiltReply BuildReply(uint8_t* frame, const QueryFrame& query, size_t dns_size, const ReplyOptions& options);

}  // namespace rootd::dataplane
