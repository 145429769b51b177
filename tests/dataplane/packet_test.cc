// The dataplane's L2-L4 parser and reply builder (dataplane/packet.h) and its checksums
// (dataplane/checksum.h), against frames and checksums built independently (test_frames.h).
#include "dataplane/packet.h"

#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "dataplane/checksum.h"
#include "gtest/gtest.h"
#include "tests/dataplane/test_frames.h"

namespace rootd::dataplane {
namespace {

using testing::Bytes;
using testing::ChecksumMode;
using testing::ExtensionHeader;
using testing::FrameSpec;
using testing::ReferenceSum;

Bytes RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// A DNS query's worth of octets: ". SOA", ID 0x1234.
const Bytes kDnsQuery = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};

FrameSpec Query4() {
  FrameSpec spec;
  spec.payload = kDnsQuery;
  return spec;
}

FrameSpec Query6() {
  FrameSpec spec = Query4();
  spec.ipv6 = true;
  return spec;
}

struct Classified {
  Verdict verdict;
  Reason reason;
  QueryFrame query;
};

// Classifies a copy of `frame` in a heap buffer of exactly its size, so a read past the end is
// an ASan report in the sanitizer build.
Classified Classify(const Bytes& frame, const ClassifyOptions& options = {}) {
  auto copy = std::make_unique<uint8_t[]>(frame.size());
  if (!frame.empty()) std::memcpy(copy.get(), frame.data(), frame.size());
  Classified out{};
  out.reason = Reason::kCount;
  out.verdict =
      ClassifyFrame(copy.get(), frame.size(), testing::TestLocalAddresses(), options, &out.query, &out.reason);
  return out;
}

// --- Checksums ---

TEST(Checksum, MatchesThePlainSumAtEveryLengthAndAlignment) {
  const Bytes data = RandomBytes(600, 1);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t size = 0; size + offset <= data.size(); ++size) {
      SCOPED_TRACE("offset " + std::to_string(offset) + " size " + std::to_string(size));
      const Bytes slice(data.begin() + offset, data.begin() + offset + size);
      ASSERT_EQ(InternetChecksum(data.data() + offset, size), static_cast<uint16_t>(~ReferenceSum(slice)));
    }
  }
}

TEST(Checksum, CarriesOutOfEveryLane) {
  // All ones: every lane addition carries; the folded sum stays 0xffff.
  const Bytes ones(65536, 0xff);
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, ones.data(), ones.size())), 0xffff);
  Bytes mostly_ones = ones;
  mostly_ones[777] = 0xfe;
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, mostly_ones.data(), mostly_ones.size())), ReferenceSum(mostly_ones));
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, nullptr, 0)), 0);
}

TEST(Checksum, PartialSumsChain) {
  const Bytes data = RandomBytes(301, 2);
  for (size_t split = 0; split <= data.size(); split += 2) {
    SCOPED_TRACE(split);
    const uint64_t first = ChecksumAdd(0, data.data(), split);
    EXPECT_EQ(ChecksumFold(ChecksumAdd(first, data.data() + split, data.size() - split)), ReferenceSum(data));
  }
  EXPECT_EQ(ChecksumFold(ChecksumAddWord(ChecksumAdd(0, data.data(), 10), 0xabcd)),
            ReferenceSum(testing::Concat(Bytes(data.begin(), data.begin() + 10), {0xab, 0xcd})));
}

TEST(Checksum, PseudoHeaderSums) {
  for (uint16_t length : {8, 9, 520, 0xffff}) {
    SCOPED_TRACE(length);
    EXPECT_EQ(ChecksumFold(PseudoHeaderSum4(testing::kClient4.data(), testing::kServer4.data(), length)),
              ReferenceSum(testing::PseudoHeader(testing::kClient4, testing::kServer4, length)));
    EXPECT_EQ(ChecksumFold(PseudoHeaderSum6(testing::kClient6.data(), testing::kServer6.data(), length)),
              ReferenceSum(testing::PseudoHeader(testing::kClient6, testing::kServer6, length)));
  }
}

// --- ClassifyFrame ---

struct ClassifyCase {
  std::string name;
  FrameSpec spec;
  Verdict verdict;
  Reason reason;
  ClassifyOptions options = {};
};

// Options a Hop-by-Hop or Destination Options header may carry and be walked: PadN, and router
// alert (type 5: its two high bits say "skip if unknown").
const Bytes kSkippableOptions = {1, 2, 0, 0, 5, 2, 0, 0};
const Bytes kRouterAlert4 = {0x94, 4, 0, 0, 1, 1, 1, 0};  // IPv4 router alert, NOP, NOP, NOP, EOL
const Bytes kRoutingDone = {4, 0, 0, 0, 0, 0};            // segment routing, segments left 0
const Bytes kFragmentHeader = {0, 0, 0, 0, 0, 1};

// One row: a query of the family (4 or 6) with `edit` applied, and what it must get.
ClassifyCase Row(const char* name, int family, void (*edit)(FrameSpec&), Verdict verdict, Reason reason,
                 ClassifyOptions options = {}) {
  FrameSpec spec = family == 6 ? Query6() : Query4();
  edit(spec);
  return {name, spec, verdict, reason, options};
}

void NoEdit(FrameSpec&) {}

std::vector<ClassifyCase> ClassifyCases() {
  using enum Verdict;
  using enum Reason;
  constexpr ClassifyOptions kNicChecked{.udp_checksum_verified = true, .ip_checksum_verified = true};
  using S = FrameSpec;
  // One line a row reads best; clang-format would spread the lambdas over several.
  // clang-format off
  return {
      // Queries.
      Row("ipv4", 4, NoEdit, kQuery, kDnsQuery),
      Row("ipv6", 6, NoEdit, kQuery, kDnsQuery),
      Row("ipv4_vlan", 4, [](S& s) { s.vlan = 0x2064; }, kQuery, kDnsQuery),
      Row("ipv6_vlan", 6, [](S& s) { s.vlan = 7; }, kQuery, kDnsQuery),
      Row("ipv4_options", 4, [](S& s) { s.ipv4_options = kRouterAlert4; }, kQuery, kDnsQuery),
      Row("ipv4_padded", 4, [](S& s) { s.payload = {1, 2}; s.padding = 16; }, kQuery, kDnsQuery),
      Row("ipv6_padded", 6, [](S& s) { s.padding = 3; }, kQuery, kDnsQuery),
      Row("ipv4_no_udp_checksum", 4, [](S& s) { s.udp_checksum = ChecksumMode::kZero; }, kQuery, kDnsQuery),
      Row("ipv6_hop_by_hop", 6, [](S& s) { s.ipv6_extensions = {{0, kSkippableOptions}}; }, kQuery, kDnsQuery),
      Row("ipv6_destination_options", 6, [](S& s) { s.ipv6_extensions = {{60, {}}}; }, kQuery, kDnsQuery),
      Row("ipv6_routing_done", 6, [](S& s) { s.ipv6_extensions = {{43, kRoutingDone}}; }, kQuery, kDnsQuery),
      Row("ipv6_chain", 6, [](S& s) {
            s.ipv6_extensions = {{0, {}}, {60, kSkippableOptions}, {43, kRoutingDone}, {60, Bytes(30, 0)}};
          }, kQuery, kDnsQuery),
      Row("ipv6_eight_headers", 6, [](S& s) { s.ipv6_extensions.assign(8, {60, {}}); }, kQuery, kDnsQuery),
      Row("ipv4_bad_checksums_nic_verified", 4,
          [](S& s) { s.ip_checksum = s.udp_checksum = ChecksumMode::kCorrupt; }, kQuery, kDnsQuery, kNicChecked),
      Row("ipv6_zero_checksum_nic_verified", 6, [](S& s) { s.udp_checksum = ChecksumMode::kZero; }, kQuery,
          kDnsQuery, kNicChecked),
      // Not IP.
      Row("arp", 4, [](S& s) { s.ether_type = 0x0806; }, kException, kNotIp),
      Row("lldp", 4, [](S& s) { s.ether_type = 0x88cc; }, kException, kNotIp),
      Row("two_vlan_tags", 4, [](S& s) { s.vlan = 5; s.ether_type = 0x8100; }, kException, kNotIp),
      // Fragments.
      Row("ipv4_more_fragments", 4, [](S& s) { s.dont_fragment = false; s.more_fragments = true; }, kException,
          kIpFragment),
      Row("ipv4_fragment_offset", 4, [](S& s) { s.dont_fragment = false; s.fragment_offset = 185; }, kException,
          kIpFragment),
      Row("ipv6_fragment", 6, [](S& s) { s.ipv6_extensions = {{44, kFragmentHeader}}; }, kException, kIpFragment),
      Row("ipv6_fragment_after_options", 6, [](S& s) { s.ipv6_extensions = {{0, {}}, {44, kFragmentHeader}}; },
          kException, kIpFragment),
      // Extension headers not walked.
      Row("ipv6_ah", 6, [](S& s) { s.ipv6_extensions = {{51, Bytes(14, 0)}}; }, kException, kIpOptionsOrExt),
      Row("ipv6_esp", 6, [](S& s) { s.protocol = 50; }, kException, kIpOptionsOrExt),
      Row("ipv6_routing_segments_left", 6,
          [](S& s) { s.ipv6_extensions = {{43, testing::Concat({4, 1, 0, 0, 0, 0}, Bytes(16, 1))}}; }, kException,
          kIpOptionsOrExt),
      Row("ipv6_hop_by_hop_not_first", 6, [](S& s) { s.ipv6_extensions = {{60, {}}, {0, {}}}; }, kException,
          kIpOptionsOrExt),
      Row("ipv6_option_to_process", 6, [](S& s) { s.ipv6_extensions = {{60, {0xc2, 4, 0, 0, 0, 0}}}; }, kException,
          kIpOptionsOrExt),
      Row("ipv6_nine_headers", 6, [](S& s) { s.ipv6_extensions.assign(9, {60, {}}); }, kException, kIpOptionsOrExt),
      // Not UDP.
      Row("ipv4_tcp", 4, [](S& s) { s.protocol = 6; }, kException, kNotUdp),
      Row("ipv4_icmp", 4, [](S& s) { s.protocol = 1; }, kException, kNotUdp),
      Row("ipv6_icmpv6", 6, [](S& s) { s.protocol = 58; }, kException, kNotUdp),
      Row("ipv6_tcp_after_options", 6, [](S& s) { s.ipv6_extensions = {{0, {}}}; s.protocol = 6; }, kException,
          kNotUdp),
      Row("ipv6_no_next_header", 6, [](S& s) { s.protocol = 59; }, kException, kNotUdp),
      // Not our address.
      Row("ipv4_other_address", 4, [](S& s) { s.dst_ip = {192, 0, 2, 54}; }, kException, kNotOurAddress),
      Row("ipv4_broadcast", 4, [](S& s) { s.dst_ip = {255, 255, 255, 255}; }, kException, kNotOurAddress),
      Row("ipv4_multicast", 4, [](S& s) { s.dst_ip = {224, 0, 0, 251}; }, kException, kNotOurAddress),
      Row("ipv6_other_address", 6, [](S& s) { s.dst_ip = testing::kClient6; }, kException, kNotOurAddress),
      Row("ipv6_multicast", 6, [](S& s) { s.dst_ip = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}; },
          kException, kNotOurAddress),
      Row("ethernet_broadcast", 4, [](S& s) { s.dst_mac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; }, kException,
          kNotOurAddress),
      Row("ethernet_multicast", 6, [](S& s) { s.dst_mac = {0x33, 0x33, 0, 0, 0, 1}; }, kException, kNotOurAddress),
      // Not our port.
      Row("ipv4_other_port", 4, [](S& s) { s.dst_port = 5353; }, kException, kNotOurPort),
      Row("ipv6_other_port", 6, [](S& s) { s.dst_port = 123; }, kException, kNotOurPort),
      // Truncated, or lengths that disagree.
      Row("ipv4_total_length_past_frame", 4, [](S& s) { s.ip_length = 20 + 8 + 18; }, kDrop, kTruncated),
      Row("ipv4_total_length_under_header", 4, [](S& s) { s.ip_length = 19; }, kDrop, kTruncated),
      Row("ipv4_no_room_for_udp", 4, [](S& s) { s.ip_length = 20 + 7; }, kDrop, kTruncated),
      Row("ipv4_options_past_total_length", 4, [](S& s) { s.ip_length = 20; s.ipv4_options = {1, 1, 1, 1}; }, kDrop,
          kTruncated),
      Row("ipv6_payload_length_past_frame", 6, [](S& s) { s.ip_length = 8 + 18; }, kDrop, kTruncated),
      Row("udp_length_past_ip", 4, [](S& s) { s.udp_length = 8 + 18; }, kDrop, kTruncated),
      Row("udp_length_under_header", 6, [](S& s) { s.udp_length = 7; }, kDrop, kTruncated),
      Row("ipv6_extension_past_payload", 6, [](S& s) { s.ipv6_extensions = {{60, {}}}; s.ip_length = 7; }, kDrop,
          kTruncated),
      Row("ipv6_option_past_header", 6, [](S& s) { s.ipv6_extensions = {{60, {1, 5}}}; }, kDrop, kTruncated),
      // Checksums.
      Row("ipv4_bad_header_checksum", 4, [](S& s) { s.ip_checksum = ChecksumMode::kCorrupt; }, kDrop, kBadIpChecksum),
      Row("ipv4_bad_udp_checksum", 4, [](S& s) { s.udp_checksum = ChecksumMode::kCorrupt; }, kDrop, kBadUdpChecksum),
      Row("ipv6_bad_udp_checksum", 6, [](S& s) { s.udp_checksum = ChecksumMode::kCorrupt; }, kDrop, kBadUdpChecksum),
      Row("ipv6_no_udp_checksum", 6, [](S& s) { s.udp_checksum = ChecksumMode::kZero; }, kDrop, kBadUdpChecksum),
      Row("ipv4_bad_udp_checksum_ip_verified", 4, [](S& s) { s.udp_checksum = ChecksumMode::kCorrupt; }, kDrop,
          kBadUdpChecksum, {.ip_checksum_verified = true}),
      // Sources no reply may go to.
      Row("source_port_0", 4, [](S& s) { s.src_port = 0; }, kDrop, kBadSourcePort),
      Row("ipv4_source_0", 4, [](S& s) { s.src_ip = {0, 0, 0, 0}; }, kDrop, kBadSourceAddress),
      Row("ipv4_source_broadcast", 4, [](S& s) { s.src_ip = {255, 255, 255, 255}; }, kDrop, kBadSourceAddress),
      Row("ipv4_source_multicast", 4, [](S& s) { s.src_ip = {239, 1, 2, 3}; }, kDrop, kBadSourceAddress),
      Row("ipv4_source_loopback", 4, [](S& s) { s.src_ip = {127, 0, 0, 1}; }, kDrop, kBadSourceAddress),
      Row("ipv6_source_unspecified", 6, [](S& s) { s.src_ip = Bytes(16, 0); }, kDrop, kBadSourceAddress),
      Row("ipv6_source_loopback", 6, [](S& s) { s.src_ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}; }, kDrop,
          kBadSourceAddress),
      Row("ipv6_source_multicast", 6, [](S& s) { s.src_ip = {0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}; },
          kDrop, kBadSourceAddress),
      Row("source_mac_multicast", 4, [](S& s) { s.src_mac = {0x01, 0, 0x5e, 0, 0, 1}; }, kDrop, kBadSourceAddress),
      // Not an IP header.
      Row("ipv4_version_6", 4, [](S& s) { s.ip_version = 6; }, kDrop, kBadIpHeader),
      Row("ipv6_version_4", 6, [](S& s) { s.ip_version = 4; }, kDrop, kBadIpHeader),
      Row("ipv4_header_16_octets", 4, [](S& s) { s.ipv4_header_words = 4; }, kDrop, kBadIpHeader),
  };
  // clang-format on
}

TEST(ClassifyFrame, EveryCaseGetsItsVerdictAndReason) {
  for (const ClassifyCase& c : ClassifyCases()) {
    SCOPED_TRACE(c.name);
    const Classified got = Classify(c.spec.Build(), c.options);
    EXPECT_EQ(got.verdict, c.verdict);
    EXPECT_EQ(static_cast<int>(got.reason), static_cast<int>(c.reason));
  }
}

TEST(ClassifyFrame, CasesCoverEveryReason) {
  std::set<Reason> covered;
  for (const ClassifyCase& c : ClassifyCases()) covered.insert(c.reason);
  for (int r = 0; r < static_cast<int>(Reason::kCount); ++r) {
    EXPECT_TRUE(covered.count(static_cast<Reason>(r))) << "no case for reason " << r;
  }
}

TEST(ClassifyFrame, QueryFrameLocatesTheParts) {
  for (const ClassifyCase& c : ClassifyCases()) {
    if (c.verdict != Verdict::kQuery) continue;
    SCOPED_TRACE(c.name);
    const Bytes frame = c.spec.Build();
    const Classified got = Classify(frame, c.options);
    ASSERT_EQ(got.verdict, Verdict::kQuery);
    const QueryFrame& q = got.query;
    EXPECT_EQ(q.l2_size, c.spec.L2Size());
    EXPECT_EQ(q.l3_offset, c.spec.L2Size());
    EXPECT_EQ(q.dns_offset, c.spec.DnsOffset());
    EXPECT_EQ(q.udp_offset, q.dns_offset - 8);
    EXPECT_EQ(q.dns_size, c.spec.payload.size());
    EXPECT_EQ(q.ipv6, c.spec.ipv6);
    EXPECT_EQ(q.client_address_size, c.spec.Source().size());
  }
}

TEST(ClassifyFrame, ClientAddressPointsIntoTheFrame) {
  for (const FrameSpec& spec : {Query4(), Query6()}) {
    const Bytes frame = spec.Build();
    QueryFrame q;
    Reason reason;
    ASSERT_EQ(ClassifyFrame(frame.data(), frame.size(), testing::TestLocalAddresses(), {}, &q, &reason),
              Verdict::kQuery);
    EXPECT_EQ(Bytes(q.client_address, q.client_address + q.client_address_size), spec.Source());
    EXPECT_EQ(q.client_address, frame.data() + q.l3_offset + (spec.ipv6 ? 8 : 12));
  }
}

TEST(ClassifyFrame, HonoursTheConfiguredPortAndAddresses) {
  LocalAddresses local;
  local.ipv4 = {{10, 0, 0, 1}, {192, 0, 2, 53}};
  local.port = 5353;
  FrameSpec spec = Query4();
  spec.dst_port = 5353;
  const Bytes frame = spec.Build();
  QueryFrame q;
  Reason reason;
  EXPECT_EQ(ClassifyFrame(frame.data(), frame.size(), local, {}, &q, &reason), Verdict::kQuery);
  EXPECT_EQ(ClassifyFrame(frame.data(), frame.size(), testing::TestLocalAddresses(), {}, &q, &reason),
            Verdict::kException);
  EXPECT_EQ(reason, Reason::kNotOurPort);
  spec.ipv6 = true;
  const Bytes frame6 = spec.Build();
  EXPECT_EQ(ClassifyFrame(frame6.data(), frame6.size(), local, {}, &q, &reason), Verdict::kException);
  EXPECT_EQ(reason, Reason::kNotOurAddress);  // no IPv6 address configured
}

// Every prefix of every query frame of the table (VLAN, IPv4 options, IPv6 extension headers,
// Ethernet padding): never a query that would read past the prefix. A prefix that cuts the IP
// datagram is truncated; one that only cuts Ethernet padding is still the query.
TEST(ClassifyFrame, EveryPrefixOfAFrame) {
  for (const ClassifyCase& row : ClassifyCases()) {
    if (row.verdict != Verdict::kQuery) continue;
    const FrameSpec& spec = row.spec;
    const Bytes frame = spec.Build();
    const size_t datagram_end = frame.size() - spec.padding;
    for (size_t size = 0; size <= frame.size(); ++size) {
      SCOPED_TRACE(row.name + " prefix " + std::to_string(size));
      const Classified got = Classify(Bytes(frame.begin(), frame.begin() + size), row.options);
      if (size < datagram_end) {
        EXPECT_EQ(got.verdict, Verdict::kDrop);
        EXPECT_EQ(got.reason, Reason::kTruncated);
      } else {
        ASSERT_EQ(got.verdict, Verdict::kQuery);
        EXPECT_LE(got.query.dns_offset + got.query.dns_size, size);
        EXPECT_EQ(got.query.dns_size, spec.payload.size());
      }
    }
  }
}

// --- BuildReply ---

struct ReplyCase {
  FrameSpec query;
  ReplyOptions options;
  size_t response_size;
  std::string Name() const {
    return std::string(query.ipv6 ? "ipv6" : "ipv4") + (query.vlan ? " vlan" : "") +
           (query.ipv4_options.empty() && query.ipv6_extensions.empty() ? "" : " options") +
           (options.udp_checksum_offload ? " udp-offload" : "") + (options.ip_checksum_offload ? " ip-offload" : "") +
           " response " + std::to_string(response_size);
  }
};

std::vector<ReplyCase> ReplyCases() {
  std::vector<ReplyCase> cases;
  for (bool ipv6 : {false, true}) {
    for (bool vlan : {false, true}) {
      for (bool options : {false, true}) {
        FrameSpec query = ipv6 ? Query6() : Query4();
        if (vlan) query.vlan = 0xa123;  // priority 5, VLAN 0x123
        if (options && !ipv6) query.ipv4_options = kRouterAlert4;
        if (options && ipv6) query.ipv6_extensions = {{0, kSkippableOptions}, {60, Bytes(12, 0)}};
        // Header fields the reply must not copy.
        query.hop_limit = 3;
        query.traffic_class = 0xb9;
        query.flow_label = 0x12345;
        query.ip_id = 777;
        query.dont_fragment = false;
        for (const ReplyOptions& reply_options :
             {ReplyOptions{}, ReplyOptions{.udp_checksum_offload = true, .ip_checksum_offload = true},
              ReplyOptions{.ip_checksum_offload = true}, ReplyOptions{.udp_checksum_offload = true}}) {
          for (size_t response_size : {size_t{0}, size_t{1}, size_t{13}, size_t{100}, size_t{801}, kMaxReplyDnsSize}) {
            cases.push_back({query, reply_options, response_size});
          }
        }
      }
    }
  }
  return cases;
}

TEST(BuildReply, ByteExactAgainstTheExpectedFrame) {
  for (const ReplyCase& c : ReplyCases()) {
    SCOPED_TRACE(c.Name());
    Bytes buffer = c.query.Build();
    QueryFrame q;
    Reason reason;
    ASSERT_EQ(ClassifyFrame(buffer.data(), buffer.size(), testing::TestLocalAddresses(), {}, &q, &reason),
              Verdict::kQuery);
    const Bytes response = RandomBytes(c.response_size, static_cast<uint32_t>(c.response_size));
    buffer.resize(std::max(buffer.size(), q.dns_offset + response.size()));
    std::copy(response.begin(), response.end(), buffer.begin() + q.dns_offset);
    const BuiltReply built = BuildReply(buffer.data(), q, response.size(), c.options);

    FrameSpec expected_spec = c.query.ReplyTo();
    expected_spec.payload = response;
    if (c.options.udp_checksum_offload) expected_spec.udp_checksum = ChecksumMode::kPseudoHeaderOnly;
    if (c.options.ip_checksum_offload) expected_spec.ip_checksum = ChecksumMode::kZero;
    const Bytes expected = expected_spec.Build();
    EXPECT_EQ(built.frame_offset, c.query.DnsOffset() - expected_spec.DnsOffset());
    ASSERT_EQ(built.frame_size, expected.size());
    EXPECT_EQ(built.l2_size, c.query.L2Size());
    EXPECT_EQ(built.l3_size, c.query.ipv6 ? 40 : 20);
    ASSERT_LE(built.frame_offset + built.frame_size, buffer.size());
    Bytes reply(buffer.begin() + built.frame_offset, buffer.begin() + built.frame_offset + built.frame_size);
    EXPECT_EQ(reply, expected);

    // IPv6 has no header checksum: IPv4 header offload leaves an IPv6 reply complete.
    const bool offloaded = c.options.udp_checksum_offload || (c.options.ip_checksum_offload && !c.query.ipv6);
    EXPECT_EQ(testing::ReferenceChecksumsVerify(reply.data(), reply.size()), !offloaded);
    testing::FinishLikeTheNic(reply.data(), reply.size(), built, c.options);
    EXPECT_TRUE(testing::ReferenceChecksumsVerify(reply.data(), reply.size()));
    // The reply is a query to the client's address and port: it classifies as one.
    const Bytes client_address = c.query.Source();
    const LocalAddresses client = testing::AddressesOf(client_address.data(), client_address.size(), c.query.src_port);
    QueryFrame back;
    EXPECT_EQ(ClassifyFrame(reply.data(), reply.size(), client, {}, &back, &reason), Verdict::kQuery);
    EXPECT_EQ(back.dns_size, response.size());
  }
}

TEST(BuildReply, ACalculatedZeroChecksumIsSentAsAllOnes) {
  for (bool ipv6 : {false, true}) {
    SCOPED_TRACE(ipv6);
    const FrameSpec query = ipv6 ? Query6() : Query4();
    // A response whose last two octets make the UDP sum 0xffff, so its checksum computes to 0.
    Bytes response = RandomBytes(40, 9);
    response[38] = response[39] = 0;
    FrameSpec reply_spec = query.ReplyTo();
    reply_spec.payload = response;
    reply_spec.udp_checksum = ChecksumMode::kZero;
    const Bytes reply_frame = reply_spec.Build();
    const size_t udp = reply_spec.DnsOffset() - 8;
    const uint16_t sum =
        ReferenceSum(testing::Concat(testing::PseudoHeader(reply_spec.Source(), reply_spec.Destination(), 48),
                                     Bytes(reply_frame.begin() + udp, reply_frame.end())));
    const uint16_t filler = static_cast<uint16_t>(~sum);
    response[38] = static_cast<uint8_t>(filler >> 8);
    response[39] = static_cast<uint8_t>(filler);

    Bytes buffer = query.Build();
    QueryFrame q;
    Reason reason;
    ASSERT_EQ(ClassifyFrame(buffer.data(), buffer.size(), testing::TestLocalAddresses(), {}, &q, &reason),
              Verdict::kQuery);
    buffer.resize(q.dns_offset + response.size());
    std::copy(response.begin(), response.end(), buffer.begin() + q.dns_offset);
    const BuiltReply built = BuildReply(buffer.data(), q, response.size(), {});
    EXPECT_EQ(buffer[q.udp_offset + 6], 0xff);
    EXPECT_EQ(buffer[q.udp_offset + 7], 0xff);
    EXPECT_TRUE(testing::ReferenceChecksumsVerify(buffer.data() + built.frame_offset, built.frame_size));
  }
}

}  // namespace
}  // namespace rootd::dataplane
