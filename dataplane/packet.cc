// ClassifyFrame and BuildReply (packet.h): bounds-checked reads of the received frame, in the
// order headers come, each check before the first read it guards.
#include "dataplane/packet.h"

#include <net/ethernet.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "dataplane/checksum.h"

namespace rootd::dataplane {
namespace {

// Ethernet II: destination MAC, source MAC, EtherType; an 802.1Q tag (TPID 0x8100, TCI) goes
// before the EtherType.
constexpr size_t kMacSize = 6;
constexpr size_t kEthernetSize = 14;
constexpr size_t kVlanTagSize = 4;
// The EtherTypes we parse are ETHERTYPE_IP and ETHERTYPE_IPV6; any other is the kernel's (kNotIp).
constexpr size_t kIpv4MinHeaderSize = 20;  // without options: also the reply's
constexpr size_t kIpv6HeaderSize = 40;
constexpr size_t kUdpHeaderSize = 8;
constexpr uint8_t kReplyHopLimit = 64;  // Linux's default TTL and hop limit

// IPv6 Next Header values (IANA "Assigned Internet Protocol Numbers").
constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kDestinationOptions = 60;
// Extension headers we do not walk (RFC 8200 4.1, RFC 7045): ESP, AH, Mobility, HIP, Shim6 and
// the experimental 253/254. Anything else is an upper-layer protocol: not UDP.
constexpr uint8_t kOtherExtensionHeaders[] = {50, 51, 135, 139, 140, 253, 254};
// A bound on the walk, so a chain of empty headers cannot keep a core busy; real queries carry
// none, or one (a Destination Options header with padding, some tunnels add Hop-by-Hop).
constexpr int kMaxExtensionHeaders = 8;

uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

void Store16(uint8_t* p, uint16_t value) {
  p[0] = static_cast<uint8_t>(value >> 8);
  p[1] = static_cast<uint8_t>(value);
}

bool IsGroupMac(const uint8_t* mac) { return (mac[0] & 1) != 0; }

// Martian sources (as Linux's ip_route_input_slow and ip6_rcv_core treat them): a reply would go
// to no one, or to many.
bool IsBadSource4(const uint8_t* a) {
  return a[0] == 0 || a[0] == 127 || (a[0] & 0xf0) == 0xe0 ||
         (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

bool IsBadSource6(const uint8_t* a) {
  if (a[0] == 0xff) return true;  // multicast
  // :: (unspecified) and ::1 (loopback).
  static constexpr uint8_t kZero[15] = {};
  return std::memcmp(a, kZero, 15) == 0 && a[15] <= 1;
}

template <size_t N>
bool IsLocal(const uint8_t* address, const std::vector<std::array<uint8_t, N>>& locals) {
  for (const auto& local : locals) {
    if (std::memcmp(address, local.data(), N) == 0) return true;
  }
  return false;
}

Verdict Set(Reason* reason, Reason why, Verdict verdict) {
  *reason = why;
  return verdict;
}

// The options of a Hop-by-Hop or Destination Options header (RFC 8200 4.2): kSkippable if every
// one may be skipped (Pad1, PadN, or a type whose two high bits say "skip if unrecognized").
// Any other option asks for processing or an ICMP error: the kernel's job.
enum class OptionsWalk { kSkippable, kNotSkippable, kTruncated };
OptionsWalk WalkOptions(const uint8_t* p, size_t size) {
  size_t i = 0;
  while (i < size) {
    const uint8_t type = p[i];
    if (type == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 2 > size || i + 2 + p[i + 1] > size) return OptionsWalk::kTruncated;
    if (type != 1 && (type & 0xc0) != 0) return OptionsWalk::kNotSkippable;
    i += 2 + p[i + 1];
  }
  return OptionsWalk::kSkippable;
}

}  // namespace

Verdict ClassifyFrame(const uint8_t* frame, size_t size, const LocalAddresses& local, const ClassifyOptions& options,
                      QueryFrame* query, Reason* reason) {
  if (size < kEthernetSize) return Set(reason, Reason::kTruncated, Verdict::kDrop);
  size_t l3 = kEthernetSize;
  uint16_t ether_type = Load16(frame + 12);
  if (ether_type == ETHERTYPE_VLAN) {
    if (size < kEthernetSize + kVlanTagSize) return Set(reason, Reason::kTruncated, Verdict::kDrop);
    l3 += kVlanTagSize;
    ether_type = Load16(frame + 16);
  }
  const bool ipv6 = ether_type == ETHERTYPE_IPV6;
  if (!ipv6 && ether_type != ETHERTYPE_IP) return Set(reason, Reason::kNotIp, Verdict::kException);

  const uint8_t* ip = frame + l3;
  const uint8_t* source;
  const uint8_t* destination;
  size_t udp, ip_end;
  if (!ipv6) {
    if (size < l3 + kIpv4MinHeaderSize) return Set(reason, Reason::kTruncated, Verdict::kDrop);
    const size_t header_size = (ip[0] & 0x0f) * 4u;
    if ((ip[0] >> 4) != 4 || header_size < kIpv4MinHeaderSize) return Set(reason, Reason::kBadIpHeader, Verdict::kDrop);
    const size_t total_length = Load16(ip + 2);
    // The total length, not the frame's: Ethernet pads short frames to 60 octets.
    if (total_length < header_size || l3 + total_length > size) return Set(reason, Reason::kTruncated, Verdict::kDrop);
    if (!options.ip_checksum_verified && ChecksumFold(ChecksumAdd(0, ip, header_size)) != 0xffff) {
      return Set(reason, Reason::kBadIpChecksum, Verdict::kDrop);
    }
    if ((Load16(ip + 6) & 0x3fff) != 0) return Set(reason, Reason::kIpFragment, Verdict::kException);  // MF, offset
    if (ip[9] != kIpProtocolUdp) return Set(reason, Reason::kNotUdp, Verdict::kException);
    source = ip + 12;
    destination = ip + 16;
    if (!IsLocal(destination, local.ipv4)) return Set(reason, Reason::kNotOurAddress, Verdict::kException);
    if (IsBadSource4(source)) return Set(reason, Reason::kBadSourceAddress, Verdict::kDrop);
    udp = l3 + header_size;  // options, if any, skipped
    ip_end = l3 + total_length;
  } else {
    if (size < l3 + kIpv6HeaderSize) return Set(reason, Reason::kTruncated, Verdict::kDrop);
    if ((ip[0] >> 4) != 6) return Set(reason, Reason::kBadIpHeader, Verdict::kDrop);
    ip_end = l3 + kIpv6HeaderSize + Load16(ip + 4);
    if (ip_end > size) return Set(reason, Reason::kTruncated, Verdict::kDrop);
    uint8_t next = ip[6];
    udp = l3 + kIpv6HeaderSize;
    for (int walked = 0; next != kIpProtocolUdp; ++walked) {
      if (next == kFragment) return Set(reason, Reason::kIpFragment, Verdict::kException);
      const bool walkable = (next == kHopByHop && walked == 0) || next == kRouting || next == kDestinationOptions;
      if (!walkable || walked == kMaxExtensionHeaders) {
        const bool extension = next == kHopByHop || walkable ||
                               std::find(std::begin(kOtherExtensionHeaders), std::end(kOtherExtensionHeaders), next) !=
                                   std::end(kOtherExtensionHeaders);
        return extension ? Set(reason, Reason::kIpOptionsOrExt, Verdict::kException)
                         : Set(reason, Reason::kNotUdp, Verdict::kException);
      }
      if (udp + 8 > ip_end) return Set(reason, Reason::kTruncated, Verdict::kDrop);
      const uint8_t* header = frame + udp;
      const size_t header_size = (header[1] + 1u) * 8u;
      if (udp + header_size > ip_end) return Set(reason, Reason::kTruncated, Verdict::kDrop);
      if (next == kRouting) {
        // Segments left: we are a waypoint, not the destination (RFC 8200 4.4).
        if (header[3] != 0) return Set(reason, Reason::kIpOptionsOrExt, Verdict::kException);
      } else {
        const OptionsWalk walk = WalkOptions(header + 2, header_size - 2);
        if (walk == OptionsWalk::kTruncated) return Set(reason, Reason::kTruncated, Verdict::kDrop);
        if (walk == OptionsWalk::kNotSkippable) return Set(reason, Reason::kIpOptionsOrExt, Verdict::kException);
      }
      next = header[0];
      udp += header_size;
    }
    source = ip + 8;
    destination = ip + 24;
    if (!IsLocal(destination, local.ipv6)) return Set(reason, Reason::kNotOurAddress, Verdict::kException);
    if (IsBadSource6(source)) return Set(reason, Reason::kBadSourceAddress, Verdict::kDrop);
  }
  // Our address in a broadcast or multicast frame: not a query we answer by unicast.
  if (IsGroupMac(frame)) return Set(reason, Reason::kNotOurAddress, Verdict::kException);
  if (IsGroupMac(frame + kMacSize)) return Set(reason, Reason::kBadSourceAddress, Verdict::kDrop);

  if (udp + kUdpHeaderSize > ip_end) return Set(reason, Reason::kTruncated, Verdict::kDrop);
  const uint8_t* udp_header = frame + udp;
  const size_t udp_length = Load16(udp_header + 4);
  if (udp_length < kUdpHeaderSize || udp + udp_length > ip_end) return Set(reason, Reason::kTruncated, Verdict::kDrop);
  if (Load16(udp_header + 2) != local.port) return Set(reason, Reason::kNotOurPort, Verdict::kException);
  if (Load16(udp_header) == 0) return Set(reason, Reason::kBadSourcePort, Verdict::kDrop);
  if (!options.udp_checksum_verified) {
    const uint16_t field = Load16(udp_header + 6);
    // IPv4: 0 means the sender computed none (RFC 768). IPv6: 0 is not allowed (RFC 8200 8.1).
    if (field != 0 || ipv6) {
      const uint64_t pseudo = ipv6 ? PseudoHeaderSum6(source, destination, static_cast<uint16_t>(udp_length))
                                   : PseudoHeaderSum4(source, destination, static_cast<uint16_t>(udp_length));
      if (field == 0 || ChecksumFold(ChecksumAdd(pseudo, udp_header, udp_length)) != 0xffff) {
        return Set(reason, Reason::kBadUdpChecksum, Verdict::kDrop);
      }
    }
  }

  query->l2_size = static_cast<uint16_t>(l3);
  query->l3_offset = static_cast<uint16_t>(l3);
  query->udp_offset = static_cast<uint16_t>(udp);
  query->dns_offset = static_cast<uint16_t>(udp + kUdpHeaderSize);
  query->dns_size = static_cast<uint16_t>(udp_length - kUdpHeaderSize);
  query->ipv6 = ipv6;
  query->client_address = source;
  query->client_address_size = ipv6 ? 16 : 4;
  return Set(reason, Reason::kDnsQuery, Verdict::kQuery);
}

BuiltReply BuildReply(uint8_t* frame, const QueryFrame& query, size_t dns_size, const ReplyOptions& options) {
  // What the reply takes from the query's headers, read first: the reply's headers may be
  // written over them (at another offset when the query had IPv4 options or extension headers).
  // MACs, tag and ports are held in registers, and the checksums are summed from values, not
  // reread from the headers just written: a wide load of octets just stored one by one stalls.
  uint64_t client_mac = 0, server_mac = 0;
  std::memcpy(&server_mac, frame, kMacSize);
  std::memcpy(&client_mac, frame + kMacSize, kMacSize);
  uint16_t vlan_tci = 0;
  const bool vlan = query.l2_size == kEthernetSize + kVlanTagSize;
  if (vlan) std::memcpy(&vlan_tci, frame + 14, 2);  // after the TPID
  const size_t address_size = query.ipv6 ? 16 : 4;
  const size_t address_offset = query.l3_offset + (query.ipv6 ? 8 : 12);
  uint8_t client[16], server[16];
  std::memcpy(client, frame + address_offset, address_size);
  std::memcpy(server, frame + address_offset + address_size, address_size);
  uint16_t client_port, server_port;
  std::memcpy(&client_port, frame + query.udp_offset, 2);
  std::memcpy(&server_port, frame + query.udp_offset + 2, 2);

  const size_t l3_size = query.ipv6 ? kIpv6HeaderSize : kIpv4MinHeaderSize;
  const size_t udp = query.dns_offset - kUdpHeaderSize;
  const size_t l3 = udp - l3_size;
  const size_t start = l3 - query.l2_size;
  const uint16_t udp_length = static_cast<uint16_t>(kUdpHeaderSize + dns_size);

  uint8_t* eth = frame + start;
  std::memcpy(eth, &client_mac, kMacSize);  // to the client, from the MAC it sent to
  std::memcpy(eth + kMacSize, &server_mac, kMacSize);
  if (vlan) {
    Store16(eth + 12, ETHERTYPE_VLAN);
    std::memcpy(eth + 14, &vlan_tci, 2);
  }
  Store16(eth + query.l2_size - 2, query.ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);

  uint8_t* ip = frame + l3;
  uint64_t pseudo;
  if (query.ipv6) {
    Store16(ip, 0x6000);  // version 6, traffic class 0, flow label 0
    Store16(ip + 2, 0);
    Store16(ip + 4, udp_length);
    ip[6] = kIpProtocolUdp;
    ip[7] = kReplyHopLimit;
    std::memcpy(ip + 8, server, 16);
    std::memcpy(ip + 24, client, 16);
    pseudo = PseudoHeaderSum6(server, client, udp_length);
  } else {
    constexpr uint16_t kVersionSizeTos = 0x4500;  // version 4, 20 octets, TOS 0
    constexpr uint16_t kDontFragment = 0x4000;    // offset 0
    constexpr uint16_t kTtlAndProtocol = kReplyHopLimit << 8 | kIpProtocolUdp;
    const uint16_t total_length = static_cast<uint16_t>(kIpv4MinHeaderSize + udp_length);
    Store16(ip, kVersionSizeTos);
    Store16(ip + 2, total_length);
    Store16(ip + 4, 0);  // identification: unused with DF (RFC 6864)
    Store16(ip + 6, kDontFragment);
    Store16(ip + 8, kTtlAndProtocol);
    std::memcpy(ip + 12, server, 4);
    std::memcpy(ip + 16, client, 4);
    pseudo = PseudoHeaderSum4(server, client, udp_length);
    uint16_t header_checksum = 0;
    if (!options.ip_checksum_offload) {
      uint64_t sum = ChecksumAdd(ChecksumAdd(0, server, 4), client, 4);
      for (uint16_t word : {kVersionSizeTos, total_length, kDontFragment, kTtlAndProtocol}) {
        sum = ChecksumAddWord(sum, word);
      }
      header_checksum = static_cast<uint16_t>(~ChecksumFold(sum));
    }
    Store16(ip + 10, header_checksum);
  }

  uint8_t* udp_header = frame + udp;
  std::memcpy(udp_header, &server_port, 2);
  std::memcpy(udp_header + 2, &client_port, 2);
  Store16(udp_header + 4, udp_length);
  if (options.udp_checksum_offload) {
    // The NIC adds the UDP segment to what the field holds and stores the complement.
    Store16(udp_header + 6, ChecksumFold(pseudo));
  } else {
    // The UDP header's words (the ports in either order: the sum does not care), then the response.
    uint64_t sum = ChecksumAddWord(pseudo, udp_length);
    const uint64_t ports = uint64_t{client_port} + server_port;
    sum += ports;
    sum += sum < ports;
    const uint16_t checksum =
        static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(sum, frame + query.dns_offset, dns_size)));
    // A computed 0 goes out as 0xffff: 0 would mean "no checksum" (RFC 768), invalid in IPv6.
    Store16(udp_header + 6, checksum == 0 ? 0xffff : checksum);
  }

  BuiltReply reply;
  reply.frame_offset = static_cast<uint16_t>(start);
  reply.frame_size = static_cast<uint16_t>(query.l2_size + l3_size + udp_length);
  reply.l2_size = query.l2_size;
  reply.l3_size = static_cast<uint16_t>(l3_size);
  return reply;
}

}  // namespace rootd::dataplane
