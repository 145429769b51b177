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
  uint64_t lane;
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
    std::memcpy(&lane, data, 8);
    acc += lane;
    data += 8;
    size -= 8;
  }
  if (size > 0) {
    // The tail sits at the start of a zeroed lane: the same place it holds in the stream.
    // Fixed-size copies, so no call to memcpy for a variable size.
    uint8_t tail[8] = {};
    size_t at = 0;
    if (size & 4) {
      std::memcpy(tail, data, 4);
      at = 4;
    }
    if (size & 2) {
      std::memcpy(tail + at, data + at, 2);
      at += 2;
    }
    if (size & 1) tail[at] = data[at];
    std::memcpy(&lane, tail, 8);
    acc += lane;
  }
  // End-around carry: 2^64 == 1 modulo 2^64 - 1.
  uint64_t folded = static_cast<uint64_t>(acc) + static_cast<uint64_t>(acc >> 64);
  if (folded < static_cast<uint64_t>(acc >> 64)) ++folded;
  return folded;
}

// Adds one 16-bit field (host order) to a partial sum, as if it stood in the summed data.
inline uint64_t ChecksumAddWord(uint64_t sum, uint16_t value) {
  const uint8_t bytes[2] = {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  uint16_t native;
  std::memcpy(&native, bytes, 2);
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
  uint8_t header[12];
  std::memcpy(header, source, 4);
  std::memcpy(header + 4, destination, 4);
  header[8] = 0;
  header[9] = kIpProtocolUdp;
  header[10] = static_cast<uint8_t>(udp_length >> 8);
  header[11] = static_cast<uint8_t>(udp_length);
  return ChecksumAdd(0, header, sizeof header);
}

// The partial sum of the IPv6 UDP pseudo-header: source, destination, upper-layer length, next
// header.
inline uint64_t PseudoHeaderSum6(const uint8_t* source, const uint8_t* destination, uint16_t udp_length) {
  const uint64_t addresses = ChecksumAdd(ChecksumAdd(0, source, 16), destination, 16);
  return ChecksumAddWord(ChecksumAddWord(addresses, udp_length), kIpProtocolUdp);
}

}  // namespace rootd::dataplane
