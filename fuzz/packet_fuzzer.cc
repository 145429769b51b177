// libFuzzer target for the dataplane's L2-L4 code (dataplane/packet.h): arbitrary bytes in as a
// received Ethernet frame, to our addresses of tests/dataplane/test_frames.h (192.0.2.53,
// 2001:db8::53, port 53); a query gets a fake DNS response written in place and its reply built.
//
// Input layout:
//   [0]     bit 0 the NIC verified the UDP checksum, bit 1 the IPv4 header checksum; bit 2 UDP
//           checksum offload on transmit, bit 3 IPv4 header checksum offload; bit 4 a large
//           response (up to kMaxReplyDnsSize octets, else up to 1232)
//   [1..2]  the response size, big-endian, modulo the limit of bit 4 plus one
//   [3..]   the frame
//
// The frame sits in a heap buffer of exactly its size, the reply in one of exactly the query's
// DNS offset plus the response size, so ASan catches a read or write past either. Besides
// what ASan and UBSan catch, every verdict must satisfy the invariants below (Fail() aborts,
// which libFuzzer reports as a crash), checked against test_frames.h's plain checksums.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dataplane/packet.h"
#include "tests/dataplane/test_frames.h"

namespace rootd::fuzz {
namespace {

using dataplane::BuiltReply;
using dataplane::ClassifyOptions;
using dataplane::QueryFrame;
using dataplane::Reason;
using dataplane::ReplyOptions;
using dataplane::Verdict;
using dataplane::testing::Bytes;
using dataplane::testing::ReferenceSum;

constexpr size_t kPrefixSize = 3;
constexpr size_t kUsualMaxResponse = 1232;  // the largest EDNS payload rootd offers by default

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "packet_fuzzer: %s\n", what);
  std::abort();
}

void Require(bool condition, const char* what) {
  if (!condition) Fail(what);
}

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// The verdict each reason belongs to (packet.h).
Verdict VerdictOf(Reason reason) {
  switch (reason) {
    case Reason::kDnsQuery:
      return Verdict::kQuery;
    case Reason::kNotIp:
    case Reason::kIpFragment:
    case Reason::kIpOptionsOrExt:
    case Reason::kNotUdp:
    case Reason::kNotOurAddress:
    case Reason::kNotOurPort:
      return Verdict::kException;
    default:
      return Verdict::kDrop;
  }
}

// A query the parser accepted, checked the plain way: lengths within the frame, the IPv4
// header and UDP checksums (unless the NIC was said to have verified them), our address and
// port, a unicast source.
void CheckQuery(const uint8_t* frame, size_t size, const QueryFrame& q, const ClassifyOptions& options) {
  Require(q.l2_size == 14 || q.l2_size == 18, "L2 size neither 14 nor 18");
  Require(q.l3_offset == q.l2_size, "IP header not right after L2");
  Require(q.dns_offset == q.udp_offset + 8, "DNS offset not after the UDP header");
  Require(q.dns_offset + q.dns_size <= size, "DNS message past the frame");
  Require(Get16(frame + q.udp_offset + 4) == q.dns_size + 8, "DNS size is not the UDP length's");
  Require(Get16(frame + q.udp_offset + 2) == dataplane::kDnsPort, "query to another port");
  Require(Get16(frame + q.udp_offset) != 0, "query from port 0");
  Require((frame[0] & 1) == 0 && (frame[6] & 1) == 0, "query in a multicast frame");
  const size_t address_size = q.ipv6 ? 16 : 4;
  Require(q.client_address_size == address_size, "client address size");
  Require(q.client_address == frame + q.l3_offset + (q.ipv6 ? 8 : 12), "client address not the IP source");
  const Bytes source(q.client_address, q.client_address + address_size);
  const Bytes destination(q.client_address + address_size, q.client_address + 2 * address_size);
  Require(destination == (q.ipv6 ? dataplane::testing::kServer6 : dataplane::testing::kServer4), "not our address");
  if (!q.ipv6) {
    Require(q.udp_offset - q.l3_offset >= 20 && (q.udp_offset - q.l3_offset) % 4 == 0, "IPv4 header size");
    Require(options.ip_checksum_verified || ReferenceSum(Bytes(frame + q.l3_offset, frame + q.udp_offset)) == 0xffff,
            "accepted a bad IPv4 header checksum");
    Require((Get16(frame + q.l3_offset + 6) & 0x3fff) == 0, "accepted a fragment");
  }
  const uint8_t* udp = frame + q.udp_offset;
  const bool unchecked = !q.ipv6 && udp[6] == 0 && udp[7] == 0;
  if (!options.udp_checksum_verified && !unchecked) {
    const Bytes pseudo = dataplane::testing::PseudoHeader(source, destination, static_cast<uint16_t>(q.dns_size + 8));
    Require(!(udp[6] == 0 && udp[7] == 0), "accepted an IPv6 UDP checksum of 0");
    Require(ReferenceSum(dataplane::testing::Concat(pseudo, Bytes(udp, udp + 8 + q.dns_size))) == 0xffff,
            "accepted a bad UDP checksum");
  }
}

// The reply in `buffer[0, buffer_size)`: where it must be, its checksums (finished as the NIC
// would where offloaded), the response untouched, and classified as a query to the client.
void CheckReply(uint8_t* buffer, size_t buffer_size, const QueryFrame& q, const BuiltReply& built,
                const ReplyOptions& options, const Bytes& response, const Bytes& client, uint16_t client_port) {
  Require(built.frame_offset + built.frame_size == buffer_size, "reply does not end with the response");
  Require(built.frame_offset <= q.dns_offset, "reply starts after the response");
  Require(built.l2_size == q.l2_size, "reply L2 size");
  Require(built.l3_size == (q.ipv6 ? 40 : 20), "reply L3 size");
  Require(built.frame_offset + built.l2_size + built.l3_size + 8 == q.dns_offset,
          "reply headers not before the response");
  Require(std::equal(response.begin(), response.end(), buffer + q.dns_offset), "response changed");
  uint8_t* reply = buffer + built.frame_offset;
  dataplane::testing::FinishLikeTheNic(reply, built.frame_size, built, options);
  Require(dataplane::testing::ReferenceChecksumsVerify(reply, built.frame_size), "reply checksums do not verify");
  QueryFrame back;
  Reason reason;
  const Verdict verdict = dataplane::ClassifyFrame(
      reply, built.frame_size, dataplane::testing::AddressesOf(client.data(), client.size(), client_port), {}, &back,
      &reason);
  Require(verdict == Verdict::kQuery, "the reply is not a UDP datagram to the client");
  Require(back.dns_offset == q.dns_offset - built.frame_offset && back.dns_size == response.size(),
          "the reply's DNS message is not the response");
}

}  // namespace
}  // namespace rootd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootd;
  using namespace rootd::fuzz;
  if (size < kPrefixSize) return 0;
  const uint8_t flags = data[0];
  const ClassifyOptions classify_options{.udp_checksum_verified = (flags & 1) != 0,
                                         .ip_checksum_verified = (flags & 2) != 0};
  const ReplyOptions reply_options{.udp_checksum_offload = (flags & 4) != 0, .ip_checksum_offload = (flags & 8) != 0};
  const size_t limit = (flags & 16) ? dataplane::kMaxReplyDnsSize : kUsualMaxResponse;
  const size_t response_size = Get16(data + 1) % (limit + 1);
  const size_t frame_size = size - kPrefixSize;
  auto frame = std::make_unique<uint8_t[]>(frame_size);
  std::memcpy(frame.get(), data + kPrefixSize, frame_size);

  static const dataplane::LocalAddresses local = dataplane::testing::TestLocalAddresses();
  QueryFrame q;
  Reason reason = Reason::kCount;
  const Verdict verdict = dataplane::ClassifyFrame(frame.get(), frame_size, local, classify_options, &q, &reason);
  Require(reason < Reason::kCount, "no reason given");
  Require(VerdictOf(reason) == verdict, "reason of another verdict");
  Require(std::equal(data + kPrefixSize, data + size, frame.get()), "the frame changed");
  if (verdict != Verdict::kQuery) return 0;
  CheckQuery(frame.get(), frame_size, q, classify_options);

  // The engine writes its response over the query, in a buffer sized to the response.
  const Bytes client(q.client_address, q.client_address + q.client_address_size);
  const uint16_t client_port = Get16(frame.get() + q.udp_offset);
  const size_t buffer_size = q.dns_offset + response_size;
  auto buffer = std::make_unique<uint8_t[]>(buffer_size);
  std::memcpy(buffer.get(), frame.get(), std::min<size_t>(q.dns_offset, frame_size));
  Bytes response(response_size);
  for (size_t i = 0; i < response_size; ++i) response[i] = static_cast<uint8_t>(i * 131 + flags);
  std::copy(response.begin(), response.end(), buffer.get() + q.dns_offset);
  // QueryFrame's offsets hold for the copy; its client_address would point into `frame`.
  const BuiltReply built = dataplane::BuildReply(buffer.get(), q, response_size, reply_options);
  CheckReply(buffer.get(), buffer_size, q, built, reply_options, response, client, client_port);
  return 0;
}
