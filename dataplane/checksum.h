// The internet checksum (RFC 1071) for the dataplane's IPv4 header and UDP checksums, and the
// UDP pseudo-header sums (RFC 768, RFC 8200 section 8.1) that the software checksum starts from
// and that transmit offload (RTE_MBUF_F_TX_UDP_CKSUM) expects in the UDP checksum field.
//
// Speed: the one's complement sum is taken over 64-bit lanes of 8 octets in native byte order,
// with the carries kept in a 128-bit accumulator, and folded to 16 bits only at the end. This is
// the same sum as RFC 1071's 16-bit big-endian words because 2^16 - 1 divides 2^64 - 1 (a
// word's position inside the lane does not matter) and the sum commutes with byte swapping
// (RFC 1071 section 2(B)); ChecksumFold() swaps once to big-endian.
//
// A partial sum (uint64_t, "Sum" below) is only meaningful to these functions; a checksum or
// folded sum (uint16_t) is a number whose big-endian encoding is what goes on the wire.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rootd::dataplane {

// Adds `data[0, size)` to the partial sum `sum`. `data` must start at an even offset of what is
// being checksummed (every header and the UDP segment do); an odd `size` is padded with zero.
inline uint64_t ChecksumAdd(uint64_t sum, const uint8_t* data, size_t size) {
  unsigned __int128 acc = sum;
  // Four lanes a round: independent loads; the 128-bit adds are add/adc pairs.
  while (size >= 32) {
    uint64_t a, b, c, d;
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + 8, 8);
    std::memcpy(&c, data + 16, 8);
    std::memcpy(&d, data + 24, 8);
    acc += a;
    acc += b;
    acc += c;
    acc += d;
    data += 32;
    size -= 32;
  }
  while (size >= 8) {
    uint64_t lane;
    std::memcpy(&lane, data, 8);
    acc += lane;
    data += 8;
    size -= 8;
  }
  // The tail, in 16-bit-aligned pieces added as they are (their place in a lane does not
  // matter, see above): no byte-wise assembly in memory, whose 8-octet reload would stall
  // store forwarding. A last odd octet is the first of a word padded with zero.
  if (size & 4) {
    uint32_t piece;
    std::memcpy(&piece, data, 4);
    acc += piece;
    data += 4;
  }
  if (size & 2) {
    uint16_t piece;
    std::memcpy(&piece, data, 2);
    acc += piece;
    data += 2;
  }
  if (size & 1) acc += std::endian::native == std::endian::little ? data[0] : static_cast<uint64_t>(data[0]) << 8;
  // End-around carry: 2^64 == 1 modulo 2^64 - 1.
  uint64_t folded = static_cast<uint64_t>(acc) + static_cast<uint64_t>(acc >> 64);
  if (folded < static_cast<uint64_t>(acc >> 64)) ++folded;
  return folded;
}

// Adds one 16-bit field (host order) to a partial sum, as if it stood in the summed data. Sum a
// header being written from its fields this way: summing its octets right after storing them
// one by one reloads them wider, which stalls store forwarding.
inline uint64_t ChecksumAddWord(uint64_t sum, uint16_t value) {
  uint64_t native = value;
  if constexpr (std::endian::native == std::endian::little) native = static_cast<uint16_t>((value >> 8) | (value << 8));
  const uint64_t total = sum + native;
  return total + (total < sum);
}

// The one's complement sum of a partial sum, folded to 16 bits (not complemented).
inline uint16_t ChecksumFold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  const uint16_t native = static_cast<uint16_t>(sum);
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<uint16_t>((native >> 8) | (native << 8));
  } else {
    return native;
  }
}

// The checksum of `data` as it goes in a header: the complement of the folded sum.
inline uint16_t InternetChecksum(const uint8_t* data, size_t size) {
  return static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(0, data, size)));
}

inline constexpr uint8_t kIpProtocolUdp = 17;

// The partial sum of the IPv4 UDP pseudo-header: source, destination, protocol, UDP length.
inline uint64_t PseudoHeaderSum4(const uint8_t* source, const uint8_t* destination, uint16_t udp_length) {
  uint32_t s, d;
  std::memcpy(&s, source, 4);
  std::memcpy(&d, destination, 4);
  const uint64_t addresses = uint64_t{s} + d;  // no carry out of 64 bits
  return ChecksumAddWord(ChecksumAddWord(addresses, udp_length), kIpProtocolUdp);
}

// The partial sum of the IPv6 UDP pseudo-header: source, destination, upper-layer length, next
// header.
inline uint64_t PseudoHeaderSum6(const uint8_t* source, const uint8_t* destination, uint16_t udp_length) {
  const uint64_t addresses = ChecksumAdd(ChecksumAdd(0, source, 16), destination, 16);
  return ChecksumAddWord(ChecksumAddWord(addresses, udp_length), kIpProtocolUdp);
}

}  // namespace rootd::dataplane
