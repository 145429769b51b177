// RSSAC002 daily counters (DailyTraffic, per worker and day) and their YAML documents.
#include "server/rssac002.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace rootd::server {
namespace {

using ::testing::HasSubstr;

constexpr int32_t k20170825 = 17403;
constexpr uint8_t kKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

struct Query {
  Request request;
  QueryInfo info;
  uint8_t address[16] = {};

  Query(Transport transport, std::initializer_list<uint8_t> source, uint16_t query_size, uint16_t response_size,
        uint8_t rcode = 0) {
    std::copy(source.begin(), source.end(), address);
    request.transport = transport;
    request.client_address = address;
    request.client_address_size = static_cast<uint8_t>(source.size());
    info.query_size = query_size;
    info.response_size = response_size;
    info.rcode = rcode;
  }
};

TEST(DailyTrafficTest, CountsPerDayAcrossWorkers) {
  DailyTraffic a(kKey), b(kKey);
  Query v4(Transport::kUdp, {192, 0, 2, 1}, 40, 500);
  Query v4_other(Transport::kUdp, {192, 0, 2, 2}, 47, 4200, 3);
  Query v6(Transport::kTcp, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, 300, 1500);
  Query v6_same_64(Transport::kUdp, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}, 16, 0);
  v6_same_64.info.dropped = true;
  a.Record(k20170825, v4.request, v4.info);
  b.Record(k20170825, v4.request, v4.info);  // the same source on another worker
  b.Record(k20170825, v4_other.request, v4_other.info);
  a.Record(k20170825, v6.request, v6.info);
  a.Record(k20170825, v6_same_64.request, v6_same_64.info);
  b.Record(k20170825 + 1, v4.request, v4.info);  // the next day, in the other slot

  const DailyTotals t = DailyTraffic::Sum({&a, &b}, k20170825);
  EXPECT_TRUE(t.seen);
  EXPECT_EQ(t.queries[0][0], 3u);
  EXPECT_EQ(t.queries[0][1], 1u);
  EXPECT_EQ(t.queries[1][1], 1u);
  EXPECT_EQ(t.responses[0][1], 0u);  // the dropped one
  EXPECT_EQ(t.request_sizes[0][2], 3u);  // 40, 40 and 47: 32-47
  EXPECT_EQ(t.request_sizes[0][1], 1u);  // 16: 16-31
  EXPECT_EQ(t.request_sizes[1][kRequestSizeBuckets - 1], 1u);  // 300: 288 and more
  EXPECT_EQ(t.response_sizes[0][31], 2u);  // 500: 496-511
  EXPECT_EQ(t.response_sizes[0][kResponseSizeBuckets - 1], 1u);  // 4200: 4096 and more
  EXPECT_EQ(t.rcodes[0], 3u);
  EXPECT_EQ(t.rcodes[3], 1u);
  EXPECT_EQ(t.sources[0], 2u);  // HyperLogLog, near exact this small
  EXPECT_EQ(t.sources[1], 2u);
  EXPECT_EQ(t.sources[2], 1u);  // one /64

  // Two days on, the day's slot is taken over: it is gone, not mixed in.
  a.Record(k20170825 + 2, v4.request, v4.info);
  b.Record(k20170825 + 2, v4.request, v4.info);
  EXPECT_FALSE(DailyTraffic::Sum({&a, &b}, k20170825).seen);
  EXPECT_EQ(DailyTraffic::Sum({&a, &b}, k20170825 + 2).queries[0][0], 2u);
  std::vector<int32_t> days;
  b.DaysHeld(&days);
  EXPECT_THAT(days, ::testing::UnorderedElementsAre(k20170825 + 1, k20170825 + 2));
}

// RCODEs outside the two a root mostly sends are counted by RCODE (those above 22 as OTHER),
// beside NOERROR and NXDOMAIN, and every response once in the sizes.
TEST(DailyTrafficTest, EveryRcodeCountedOnce) {
  DailyTraffic worker(kKey);
  const uint8_t rcodes[] = {0, 3, 3, 5, 2, 1, 16, 30};
  for (uint8_t rcode : rcodes) {
    Query q(Transport::kUdp, {192, 0, 2, 1}, 40, 100, rcode);
    worker.Record(k20170825, q.request, q.info);
  }
  const DailyTotals t = DailyTraffic::Sum({&worker}, k20170825);
  uint64_t expected[kRcodeSlots] = {};
  expected[0] = 1, expected[3] = 2, expected[5] = 1, expected[2] = 1, expected[1] = 1, expected[16] = 1,
  expected[23] = 1;
  EXPECT_THAT(t.rcodes, ::testing::ElementsAreArray(expected));
  EXPECT_EQ(t.responses[0][0], 8u);
  EXPECT_EQ(t.response_sizes[0][6], 8u);  // 100: 96-111
}

// Unique sources at a realistic scale, from addresses as regular as a hash can be given
// (consecutive IPv4 addresses, one in every /24, every 1031st, random; IPv6 hosts 1-2 in
// 20,000 consecutive /64s), each under 16 keys: no estimate is off by more than five standard errors
// (5 x 1.625%, 4096 registers), and over the keys they are off by 1.3 standard errors at most
// (root mean square). A hash whose output keeps the input's regularity fails this; a one-key
// test did not catch one (an unwidened multiply, off by 15% RMS on consecutive addresses).
TEST(DailyTrafficTest, UniqueSourcesEstimatedWithinTheirStandardError) {
  constexpr double kStandardError = 1.04 / 64;
  constexpr int kKeys = 16;
  constexpr uint32_t kV4Sources = 60000, kV6Prefixes = 20000, kHostsPerPrefix = 2;
  std::mt19937_64 random(20170825);
  struct Pattern {
    const char* name;
    double squared_error_sum = 0;
  };
  Pattern v4_patterns[] = {{"consecutive"}, {"one per /24"}, {"every 1031st"}, {"random"}}, v6{"IPv6 /128"},
          v6_prefixes{"IPv6 /64"};
  auto check = [&](Pattern& pattern, uint64_t estimate, double truth, int key) {
    const double error = static_cast<double>(estimate) / truth - 1;
    EXPECT_LT(std::abs(error), 5 * kStandardError) << pattern.name << ", key " << key;
    pattern.squared_error_sum += error * error;
  };
  for (int k = 0; k < kKeys; ++k) {
    uint8_t key[16];
    for (uint8_t& octet : key) octet = static_cast<uint8_t>(random());
    for (int p = 0; p < 4; ++p) {
      DailyTraffic worker(key);
      const uint32_t base = static_cast<uint32_t>(random());
      for (uint32_t i = 0; i < kV4Sources; ++i) {
        const uint32_t a = p == 0 ? base + i : p == 1 ? base + (i << 8) : p == 2 ? base + i * 1031 : uint32_t(random());
        Query q(Transport::kUdp, {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8), uint8_t(a)}, 40, 100);
        worker.Record(k20170825, q.request, q.info);
      }
      check(v4_patterns[p], DailyTraffic::Sum({&worker}, k20170825).sources[0], kV4Sources, k);
    }
    DailyTraffic worker(key);
    for (uint32_t prefix = 0; prefix < kV6Prefixes; ++prefix) {
      for (uint8_t host = 1; host <= kHostsPerPrefix; ++host) {
        Query q(Transport::kUdp,
                {0x20, 0x01, 0x0d, 0xb8, 0, 0, static_cast<uint8_t>(prefix >> 8), static_cast<uint8_t>(prefix), 0, 0,
                 0, 0, 0, 0, 0, host},
                40, 100);
        worker.Record(k20170825, q.request, q.info);
      }
    }
    const DailyTotals t = DailyTraffic::Sum({&worker}, k20170825);
    check(v6, t.sources[1], kV6Prefixes * kHostsPerPrefix, k);
    check(v6_prefixes, t.sources[2], kV6Prefixes, k);
  }
  for (const Pattern* pattern : {&v4_patterns[0], &v4_patterns[1], &v4_patterns[2], &v4_patterns[3], &v6, &v6_prefixes}) {
    EXPECT_LT(std::sqrt(pattern->squared_error_sum / kKeys), 1.3 * kStandardError) << pattern->name;
  }
}

TEST(Rssac002Test, DocumentsAsRootOperatorsPublishThem) {
  DailyTotals t;
  t.day = k20170825;
  t.seen = true;
  t.queries[0][0] = 10;
  t.queries[1][1] = 2;
  t.responses[0][0] = 9;
  t.request_sizes[0][2] = 10;
  t.response_sizes[1][kResponseSizeBuckets - 1] = 2;
  t.rcodes[0] = 6;
  t.rcodes[3] = 5;
  t.sources[0] = 7;
  const std::vector<LoadEvent> loads = {
      {absl::FromUnixSeconds(int64_t{k20170825} * 86400 + 600), 2017082500, absl::Milliseconds(1500), 1100000},
      {absl::FromUnixSeconds(int64_t{k20170825 - 1} * 86400), 2017082400, absl::Seconds(1), 1000000}};
  EXPECT_EQ(Rssac002Document("traffic-volume", "lab1", t, loads),
            "---\nversion: rssac002v5\nservice: lab1\nstart-period: 2017-08-25T00:00:00Z\nmetric: traffic-volume\n"
            "dns-udp-queries-received-ipv4: 10\ndns-udp-queries-received-ipv6: 0\n"
            "dns-tcp-queries-received-ipv4: 0\ndns-tcp-queries-received-ipv6: 2\n"
            "dns-udp-responses-sent-ipv4: 9\ndns-udp-responses-sent-ipv6: 0\n"
            "dns-tcp-responses-sent-ipv4: 0\ndns-tcp-responses-sent-ipv6: 0\n");
  EXPECT_THAT(Rssac002Document("traffic-sizes", "lab1", t, loads),
              HasSubstr("metric: traffic-sizes\nudp-request-sizes:\n  32-47: 10\nudp-response-sizes: {}\n"
                        "tcp-request-sizes: {}\ntcp-response-sizes:\n  4096-: 2\n"));
  EXPECT_THAT(Rssac002Document("rcode-volume", "lab1", t, loads), HasSubstr("metric: rcode-volume\n0: 6\n3: 5\n"));
  EXPECT_THAT(Rssac002Document("unique-sources", "lab1", t, loads),
              HasSubstr("num-sources-ipv4: 7\nnum-sources-ipv6: 0\nnum-sources-ipv6-aggregate: 0\n"));
  // Only that day's loads; load time in whole seconds, rounded up.
  EXPECT_THAT(Rssac002Document("load-time", "lab1", t, loads), ::testing::EndsWith("metric: load-time\n2017082500: 2\n"));
  EXPECT_THAT(Rssac002Document("zone-size", "lab1", t, loads), ::testing::EndsWith("metric: zone-size\n2017082500: 1100000\n"));
  const std::string all = Rssac002Documents("lab1", t, loads);
  for (std::string_view metric : kRssac002Metrics) EXPECT_THAT(all, HasSubstr(std::string("metric: ") + std::string(metric) + "\n"));
}

}  // namespace
}  // namespace rootd::server
