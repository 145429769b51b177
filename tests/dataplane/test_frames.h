// Test frames for the dataplane: FrameSpec describes an Ethernet frame carrying a UDP datagram
// (or, with overrides, something that is not one) and Build() writes its bytes; ReplyTo() is the
// spec of the reply rootd must send to it. Checksums are computed here the plain way (RFC 1071,
// one 16-bit word at a time), independently of dataplane/checksum.h, so tests check the
// dataplane against something it does not share. Header-only: the packet tests, the packet
// fuzzer and the DPDK service tests use it.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dataplane/packet.h"

namespace rootd::dataplane::testing {

using Bytes = std::vector<uint8_t>;

// Documentation addresses (RFC 5737, RFC 3849): ours and a client's.
inline const Bytes kServer4 = {192, 0, 2, 53};
inline const Bytes kClient4 = {198, 51, 100, 7};
inline const Bytes kServer6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
inline const Bytes kClient6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
inline constexpr std::array<uint8_t, 6> kServerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x53};
inline constexpr std::array<uint8_t, 6> kClientMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x07};

// The addresses FrameSpec's defaults are sent to, on port 53.
inline LocalAddresses TestLocalAddresses() {
  LocalAddresses local;
  local.ipv4.push_back({192, 0, 2, 53});
  local.ipv6.push_back({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53});
  return local;
}

// One address (4 or 16 octets) and port as the local ones: to classify a reply as a query to
// the client it goes to.
inline LocalAddresses AddressesOf(const uint8_t* address, size_t size, uint16_t port) {
  LocalAddresses local;
  if (size == 4) {
    local.ipv4.push_back({});
    std::copy(address, address + 4, local.ipv4[0].begin());
  } else {
    local.ipv6.push_back({});
    std::copy(address, address + 16, local.ipv6[0].begin());
  }
  local.port = port;
  return local;
}

// The one's complement sum of `data` as 16-bit big-endian words, folded, not complemented.
inline uint16_t ReferenceSum(const Bytes& data) {
  uint32_t sum = 0;
  for (size_t i = 0; i < data.size(); i += 2) {
    sum += static_cast<uint32_t>(data[i] << 8 | (i + 1 < data.size() ? data[i + 1] : 0));
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

inline Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline void Put16(Bytes& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

// The UDP pseudo-header as bytes: IPv4 (RFC 768) or IPv6 (RFC 8200 8.1) by the address size.
inline Bytes PseudoHeader(const Bytes& source, const Bytes& destination, uint16_t udp_length) {
  Bytes out = Concat(source, destination);
  if (source.size() == 4) {
    out.insert(out.end(), {0, 17});
    Put16(out, udp_length);
  } else {
    out.insert(out.end(), {0, 0});
    Put16(out, udp_length);
    out.insert(out.end(), {0, 0, 0, 17});
  }
  return out;
}

// The checksum field of a UDP segment (whose own field is 0), as a sender computes it.
inline uint16_t ReferenceUdpChecksum(const Bytes& source, const Bytes& destination, const Bytes& segment) {
  const uint16_t sum =
      ReferenceSum(Concat(PseudoHeader(source, destination, static_cast<uint16_t>(segment.size())), segment));
  const uint16_t checksum = static_cast<uint16_t>(~sum);
  return checksum == 0 ? 0xffff : checksum;
}

enum class ChecksumMode {
  kCorrect,           // as a sender computes it
  kZero,              // 0: IPv4 UDP "no checksum"; the field left for IPv4 header checksum offload
  kCorrupt,           // a wrong value (never 0, never one equivalent to the right one)
  kPseudoHeaderOnly,  // UDP: the pseudo-header sum, not complemented, as transmit offload expects
};

inline uint16_t ChecksumField(ChecksumMode mode, uint16_t correct, uint16_t pseudo_header_sum) {
  switch (mode) {
    case ChecksumMode::kCorrect:
      return correct;
    case ChecksumMode::kZero:
      return 0;
    case ChecksumMode::kCorrupt:
      return correct == 0x1234 ? 0x4321 : 0x1234;
    case ChecksumMode::kPseudoHeaderOnly:
      return pseudo_header_sum;
  }
  return correct;
}

// An IPv6 extension header: Build() writes its Next Header and Hdr Ext Len octets, then
// `body`, padded with zeros (Pad1 options) to a multiple of 8 octets. A Fragment header (44)
// takes a 6-octet body.
struct ExtensionHeader {
  uint8_t type = 0;
  Bytes body;
};

struct FrameSpec {
  bool ipv6 = false;
  std::optional<uint16_t> vlan;  // the 802.1Q tag's TCI, if tagged
  std::array<uint8_t, 6> src_mac = kClientMac;
  std::array<uint8_t, 6> dst_mac = kServerMac;
  Bytes src_ip;  // empty: kClient4 / kClient6
  Bytes dst_ip;  // empty: kServer4 / kServer6
  uint16_t src_port = 40000;
  uint16_t dst_port = kDnsPort;
  Bytes ipv4_options;                            // a multiple of 4 octets
  std::vector<ExtensionHeader> ipv6_extensions;  // in order, before the UDP header
  Bytes payload;                                 // the DNS message
  uint8_t protocol = 17;                         // IPv4 protocol, or the last Next Header
  uint8_t hop_limit = 64;                        // IPv4 TTL, IPv6 hop limit
  uint8_t traffic_class = 0;                     // IPv4 TOS, IPv6 traffic class
  uint32_t flow_label = 0;
  uint16_t ip_id = 0;
  bool dont_fragment = true;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in 8-octet units
  ChecksumMode ip_checksum = ChecksumMode::kCorrect;
  ChecksumMode udp_checksum = ChecksumMode::kCorrect;
  size_t padding = 0;  // zero octets after the IP datagram, as Ethernet pads short frames
  // Overrides, for malformed frames.
  std::optional<uint16_t> ether_type;
  std::optional<uint8_t> ip_version;
  std::optional<uint8_t> ipv4_header_words;  // IHL
  std::optional<uint16_t> ip_length;         // IPv4 total length, IPv6 payload length
  std::optional<uint16_t> udp_length;

  Bytes Source() const { return !src_ip.empty() ? src_ip : ipv6 ? kClient6 : kClient4; }
  Bytes Destination() const { return !dst_ip.empty() ? dst_ip : ipv6 ? kServer6 : kServer4; }

  size_t L2Size() const { return vlan ? 18 : 14; }

  // Where the DNS message starts in Build()'s frame.
  size_t DnsOffset() const {
    size_t offset = L2Size() + (ipv6 ? 40 : 20 + ipv4_options.size()) + 8;
    for (const ExtensionHeader& h : ipv6_extensions) offset += ExtensionBytes(h).size();
    return offset;
  }

  static Bytes ExtensionBytes(const ExtensionHeader& h) {
    Bytes out = {0, 0};  // Next Header: set by Build()
    out.insert(out.end(), h.body.begin(), h.body.end());
    while (out.size() % 8 != 0) out.push_back(0);
    out[1] = static_cast<uint8_t>(out.size() / 8 - 1);
    if (h.type == 44) out[1] = 0;  // the Fragment header's is reserved: always 8 octets
    return out;
  }

  Bytes Build() const {
    const Bytes source = Source(), destination = Destination();
    Bytes frame(dst_mac.begin(), dst_mac.end());
    frame.insert(frame.end(), src_mac.begin(), src_mac.end());
    if (vlan) {
      Put16(frame, 0x8100);
      Put16(frame, *vlan);
    }
    Put16(frame, ether_type.value_or(ipv6 ? 0x86dd : 0x0800));

    Bytes udp;
    Put16(udp, src_port);
    Put16(udp, dst_port);
    Put16(udp, udp_length.value_or(static_cast<uint16_t>(8 + payload.size())));
    Put16(udp, 0);
    udp.insert(udp.end(), payload.begin(), payload.end());
    const Bytes pseudo = PseudoHeader(source, destination, static_cast<uint16_t>(udp[4] << 8 | udp[5]));
    const uint16_t udp_field =
        ChecksumField(udp_checksum, ReferenceUdpChecksum(source, destination, udp), ReferenceSum(pseudo));
    udp[6] = static_cast<uint8_t>(udp_field >> 8);
    udp[7] = static_cast<uint8_t>(udp_field);

    Bytes ip;
    if (!ipv6) {
      const uint8_t words = ipv4_header_words.value_or(static_cast<uint8_t>(5 + ipv4_options.size() / 4));
      ip.push_back(static_cast<uint8_t>(ip_version.value_or(4) << 4 | words));
      ip.push_back(traffic_class);
      Put16(ip, ip_length.value_or(static_cast<uint16_t>(20 + ipv4_options.size() + udp.size())));
      Put16(ip, ip_id);
      Put16(ip, static_cast<uint16_t>((dont_fragment ? 0x4000 : 0) | (more_fragments ? 0x2000 : 0) | fragment_offset));
      ip.push_back(hop_limit);
      ip.push_back(protocol);
      Put16(ip, 0);
      ip.insert(ip.end(), source.begin(), source.end());
      ip.insert(ip.end(), destination.begin(), destination.end());
      ip.insert(ip.end(), ipv4_options.begin(), ipv4_options.end());
      const uint16_t ip_field = ChecksumField(ip_checksum, static_cast<uint16_t>(~ReferenceSum(ip)), 0);
      ip[10] = static_cast<uint8_t>(ip_field >> 8);
      ip[11] = static_cast<uint8_t>(ip_field);
    } else {
      Bytes extensions;
      for (size_t i = 0; i < ipv6_extensions.size(); ++i) {
        Bytes h = ExtensionBytes(ipv6_extensions[i]);
        h[0] = i + 1 < ipv6_extensions.size() ? ipv6_extensions[i + 1].type : protocol;
        extensions.insert(extensions.end(), h.begin(), h.end());
      }
      ip.push_back(static_cast<uint8_t>(ip_version.value_or(6) << 4 | traffic_class >> 4));
      ip.push_back(static_cast<uint8_t>(traffic_class << 4 | (flow_label >> 16 & 0x0f)));
      Put16(ip, static_cast<uint16_t>(flow_label));
      Put16(ip, ip_length.value_or(static_cast<uint16_t>(extensions.size() + udp.size())));
      ip.push_back(ipv6_extensions.empty() ? protocol : ipv6_extensions.front().type);
      ip.push_back(hop_limit);
      ip.insert(ip.end(), source.begin(), source.end());
      ip.insert(ip.end(), destination.begin(), destination.end());
      ip.insert(ip.end(), extensions.begin(), extensions.end());
    }
    frame = Concat(Concat(frame, ip), udp);
    frame.resize(frame.size() + padding, 0);
    return frame;
  }

  // The reply rootd sends to this frame, with the same payload (set the response's): MACs,
  // addresses and ports swapped, VLAN tag kept, no IPv4 options or extension headers, TTL or
  // hop limit 64, TOS/traffic class and flow label 0, IPv4 ID 0 with DF, checksums correct.
  FrameSpec ReplyTo() const {
    FrameSpec reply;
    reply.ipv6 = ipv6;
    reply.vlan = vlan;
    reply.src_mac = dst_mac;
    reply.dst_mac = src_mac;
    reply.src_ip = Destination();
    reply.dst_ip = Source();
    reply.src_port = dst_port;
    reply.dst_port = src_port;
    reply.payload = payload;
    return reply;
  }
};

// Checks a frame with no IPv4 options or IPv6 extension headers the plain way: the IPv4 header
// checksum and the UDP checksum verify (a UDP field of 0 does not, in either family).
inline bool ReferenceChecksumsVerify(const uint8_t* frame, size_t size) {
  if (size < 14) return false;
  const size_t l3 = (frame[12] == 0x81 && frame[13] == 0x00) ? 18 : 14;
  if (size < l3 + 2) return false;
  const bool ipv6 = frame[l3 - 2] == 0x86 && frame[l3 - 1] == 0xdd;
  const size_t l3_size = ipv6 ? 40 : 20;
  const size_t address_size = ipv6 ? 16 : 4;
  if (size < l3 + l3_size + 8) return false;
  const uint8_t* ip = frame + l3;
  if (!ipv6 && ReferenceSum(Bytes(ip, ip + 20)) != 0xffff) return false;
  const uint8_t* udp = ip + l3_size;
  const size_t udp_length = static_cast<size_t>(udp[4] << 8 | udp[5]);
  if (udp_length < 8 || l3 + l3_size + udp_length > size || (udp[6] == 0 && udp[7] == 0)) return false;
  const uint8_t* source = ip + (ipv6 ? 8 : 12);
  const Bytes pseudo =
      PseudoHeader(Bytes(source, source + address_size), Bytes(source + address_size, source + 2 * address_size),
                   static_cast<uint16_t>(udp_length));
  return ReferenceSum(Concat(pseudo, Bytes(udp, udp + udp_length))) == 0xffff;
}

// What a NIC does to a reply BuildReply left to it (RTE_MBUF_F_TX_IP_CKSUM,
// RTE_MBUF_F_TX_UDP_CKSUM), the plain way: the IPv4 header checksum over the header, and the
// complement of the sum of the UDP segment whose checksum field holds the pseudo-header sum.
// `frame` and `size` are the reply frame's (from BuiltReply::frame_offset).
inline void FinishLikeTheNic(uint8_t* frame, size_t size, const BuiltReply& built, const ReplyOptions& options) {
  const size_t udp = built.l2_size + built.l3_size;
  if (options.ip_checksum_offload && built.l3_size == 20) {
    const uint16_t ip = static_cast<uint16_t>(~ReferenceSum(Bytes(frame + built.l2_size, frame + udp)));
    frame[built.l2_size + 10] = static_cast<uint8_t>(ip >> 8);
    frame[built.l2_size + 11] = static_cast<uint8_t>(ip);
  }
  if (options.udp_checksum_offload) {
    uint16_t sum = static_cast<uint16_t>(~ReferenceSum(Bytes(frame + udp, frame + size)));
    if (sum == 0) sum = 0xffff;
    frame[udp + 6] = static_cast<uint8_t>(sum >> 8);
    frame[udp + 7] = static_cast<uint8_t>(sum);
  }
}

}  // namespace rootd::dataplane::testing
