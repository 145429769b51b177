// The one statistics path: WorkerStats::Record per query, merged by StatsRegistry::Snapshot.
#include "server/stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace rootd::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint8_t kV4[4] = {192, 0, 2, 1};
constexpr uint8_t kV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
constexpr uint64_t kImageA = uint64_t{2017082100} << 32 | 0x0000abcd;
constexpr uint64_t kImageB = uint64_t{2017082100} << 32 | 0x12345678;

Request From(Transport transport, bool v6) {
  Request r;
  r.transport = transport;
  r.client_address = v6 ? kV6 : kV4;
  r.client_address_size = v6 ? 16 : 4;
  return r;
}

QueryInfo Answered(uint8_t rcode, uint16_t query_size, uint16_t response_size) {
  QueryInfo info;
  info.rcode = rcode;
  info.query_size = query_size;
  info.response_size = response_size;
  return info;
}

TEST(StatsTest, RecordCountsByTransportFamilySizeRcodeAndImage) {
  StatsRegistry registry;
  WorkerStats* w = registry.Add();
  w->Record(From(Transport::kUdp, false), Answered(0, 40, 500), kImageA);
  w->Record(From(Transport::kUdp, true), Answered(3, 45, 700), kImageA);
  QueryInfo flagged = Answered(0, 60, 1400);
  flagged.truncated = flagged.edns = flagged.dnssec_ok = true;
  w->Record(From(Transport::kTcp, false), flagged, kImageB);
  QueryInfo dropped;
  dropped.dropped = true;
  dropped.query_size = 12;
  w->Record(From(Transport::kUdp, false), dropped, kImageB);

  const StatsSnapshot s = registry.Snapshot();
  EXPECT_EQ(s.queries[0][0], 2u);  // udp ipv4: one answered, one dropped
  EXPECT_EQ(s.queries[0][1], 1u);
  EXPECT_EQ(s.queries[1][0], 1u);
  EXPECT_EQ(s.queries[1][1], 0u);
  EXPECT_EQ(s.responses[0][0], 1u);
  EXPECT_EQ(s.TotalQueries(), 4u);
  EXPECT_EQ(s.TotalResponses(), 3u);
  EXPECT_EQ(s.Dropped(), 1u);
  EXPECT_EQ(s.query_bytes[0], 40u + 45u + 12u);  // a dropped query still arrived
  EXPECT_EQ(s.query_bytes[1], 60u);
  EXPECT_EQ(s.response_bytes[0], 1200u);
  EXPECT_EQ(s.response_bytes[1], 1400u);
  EXPECT_EQ(s.rcodes[0], 2u);
  EXPECT_EQ(s.rcodes[3], 1u);
  EXPECT_EQ(s.truncated, 1u);
  EXPECT_EQ(s.edns, 1u);
  EXPECT_EQ(s.dnssec_ok, 1u);
  // Answers per image; the dropped query was answered by none.
  EXPECT_EQ(s.answered_by_image, (std::map<uint64_t, uint64_t>{{kImageA, 2}, {kImageB, 1}}));
}

// A burst as the transports hand it over counts as its queries one by one would; the totals
// keep what the day slots (which hold the query, response and RCODE counts) gave up when they
// turned over to later days.
TEST(StatsTest, BurstsCountAsSingleQueriesAndTotalsOutliveTheirDays) {
  StatsRegistry by_burst_registry, by_query_registry;
  WorkerStats* by_burst = by_burst_registry.Add();
  WorkerStats* by_query = by_query_registry.Add();
  constexpr uint32_t kDay = 86400;
  for (uint32_t day = 0; day < 4; ++day) {
    BurstQuery burst[3];
    burst[0].request = From(Transport::kUdp, false);
    burst[0].info = Answered(0, 40, 500);
    burst[1].request = From(Transport::kUdp, true);
    burst[1].info = Answered(3, 45, 700);
    burst[1].info.truncated = true;
    burst[2].request = From(Transport::kUdp, false);
    burst[2].info.dropped = true;
    burst[2].info.query_size = 12;
    for (BurstQuery& q : burst) q.request.now = day * kDay;
    by_burst->RecordBurst(burst, 3, kImageA);
    for (const BurstQuery& q : burst) by_query->Record(q.request, q.info, kImageA);
  }
  for (const StatsSnapshot& s : {by_burst_registry.Snapshot(), by_query_registry.Snapshot()}) {
    EXPECT_EQ(s.TotalQueries(), 12u);
    EXPECT_EQ(s.queries[0][0], 8u);
    EXPECT_EQ(s.responses[0][1], 4u);
    EXPECT_EQ(s.Dropped(), 4u);
    EXPECT_EQ(s.rcodes[3], 4u);
    EXPECT_EQ(s.truncated, 4u);
    EXPECT_EQ(s.query_bytes[0], 4u * (40 + 45 + 12));
    EXPECT_EQ(s.response_bytes[0], 4u * 1200);
    EXPECT_EQ(s.answered_by_image, (std::map<uint64_t, uint64_t>{{kImageA, 8}}));
  }
  // Days 0 and 1 are gone from the slots; days 2 and 3 are held.
  EXPECT_FALSE(by_burst_registry.Daily(0).seen);
  EXPECT_EQ(by_burst_registry.Daily(3).TotalQueries(), 3u);
  EXPECT_EQ(by_burst_registry.DaysHeld(), (std::vector<int32_t>{2, 3}));
}

// A burst longer than WorkerStats::kMaxRun, with every flag set: sums taken over a run (the
// flags share one word, an octet each) must neither carry nor lose a run. Response sizes of
// 4096 and more are RSSAC002's last bucket, RCODEs above 22 its other slot, and a query
// without a source address is counted as IPv4 without one.
TEST(StatsTest, LongBurstsCountEveryFlagSizeAndRcode) {
  StatsRegistry registry;
  WorkerStats* w = registry.Add();
  constexpr size_t kQueries = 1000;
  static_assert(kQueries > 3 * WorkerStats::kMaxRun);
  std::vector<BurstQuery> burst(kQueries);
  const uint16_t kSizes[] = {4095, 4096, 65535, 500};
  const uint8_t kRcodes[] = {0, 16, 23, 200};
  for (size_t i = 0; i < kQueries; ++i) {
    burst[i].request = From(Transport::kUdp, false);
    if (i == kQueries - 1) burst[i].request = Request{};
    burst[i].info = Answered(kRcodes[i % 4], 40, kSizes[i % 4]);
    burst[i].info.truncated = burst[i].info.edns = burst[i].info.dnssec_ok = true;
  }
  w->RecordBurst(burst.data(), burst.size(), kImageA);

  const StatsSnapshot s = registry.Snapshot();
  EXPECT_EQ(s.queries[0][0], kQueries);
  EXPECT_EQ(s.responses[0][0], kQueries);
  EXPECT_EQ(s.truncated, kQueries);
  EXPECT_EQ(s.edns, kQueries);
  EXPECT_EQ(s.dnssec_ok, kQueries);
  EXPECT_EQ(s.query_bytes[0], 40 * kQueries);
  EXPECT_EQ(s.response_bytes[0], (4095u + 4096 + 65535 + 500) * kQueries / 4);
  EXPECT_EQ(s.response_sizes[0][4095 / 16], kQueries / 4);
  EXPECT_EQ(s.response_sizes[0][kResponseSizeBuckets - 1], kQueries / 2);  // 4096 and 65535
  EXPECT_EQ(s.response_sizes[0][500 / 16], kQueries / 4);
  EXPECT_EQ(s.rcodes[0], kQueries / 4);
  EXPECT_EQ(s.rcodes[16], kQueries / 4);
  EXPECT_EQ(s.rcodes[kOtherRcodeSlot], kQueries / 2);  // 23 and 200
  EXPECT_EQ(s.answered_by_image, (std::map<uint64_t, uint64_t>{{kImageA, kQueries}}));
  EXPECT_EQ(registry.Daily(0).sources[0], 1u);  // the one address; the last query had none
}

TEST(StatsTest, TrustAnchorSignalsCountedPerSetDayAndDnskeyRRset) {
  LabClock clock;
  clock.Set(absl::FromUnixSeconds(17403 * 86400 + 3600));  // 2017-08-25T01:00:00Z
  StatsRegistry registry(TaSignalLimits{}, &clock);
  WorkerStats* w = registry.Add();
  Request request = From(Transport::kUdp, false);
  request.now = static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now()));  // what the transports pass
  QueryInfo ta = Answered(3, 40, 100);
  ta.ta_query_tag_count = 2;
  ta.ta_query_tags[0] = 20326;
  ta.ta_query_tags[1] = 38696;
  w->Record(request, ta, kImageA);
  QueryInfo option = Answered(0, 50, 100);
  option.edns_key_tag_count = 3;
  option.edns_key_tags[0] = 38696;  // unsorted and repeated, as an option may come
  option.edns_key_tags[1] = 20326;
  option.edns_key_tags[2] = 38696;
  w->Record(request, option, kImageA);
  w->Record(request, option, kImageA);  // the same source again
  Request v6 = From(Transport::kTcp, true);
  v6.now = request.now;
  w->Record(v6, option, kImageB);
  QueryInfo noise = Answered(0, 50, 100);  // more tags than a trust-anchor set holds
  noise.edns_key_tag_count = TaSetKey::kMaxTags + 1;
  for (int i = 0; i <= TaSetKey::kMaxTags; ++i) noise.edns_key_tags[i] = static_cast<uint16_t>(i + 1);
  w->Record(request, noise, kImageA);
  const StatsSnapshot s = registry.Snapshot();
  EXPECT_EQ(s.ta_queries, 1u);
  EXPECT_EQ(s.edns_key_tag_queries, 4u);
  ASSERT_EQ(s.ta_signals.sets.size(), 3u);
  TaSetKey key;
  key.day = 17403;
  key.dnskey_id = 0x0000abcd;
  key.tag_count = 2;
  key.tags[0] = 20326;
  key.tags[1] = 38696;
  key.kind = SignalKind::kTaQuery;
  ASSERT_TRUE(s.ta_signals.sets.contains(key));
  EXPECT_EQ(s.ta_signals.sets.at(key).queries[0], 1u);
  key.kind = SignalKind::kKeyTagOption;
  ASSERT_TRUE(s.ta_signals.sets.contains(key));
  const TaSetCounts& counts = s.ta_signals.sets.at(key);
  EXPECT_EQ(counts.queries[0], 2u);
  EXPECT_EQ(counts.sources[0], 1u);
  EXPECT_EQ(counts.queries[1], 0u);
  EXPECT_FALSE(counts.estimated);
  key.dnskey_id = 0x12345678;
  ASSERT_TRUE(s.ta_signals.sets.contains(key));
  EXPECT_EQ(s.ta_signals.sets.at(key).sources[1], 1u);
  EXPECT_EQ(s.SignalOverflow(), 1u);
}

// Workers count on their own threads while the control thread merges: every snapshot is a
// consistent lower bound and the last one is exact (run under TSan in CI), though the day
// slots that hold the query counts turn over as they go.
TEST(StatsTest, SnapshotsMergeWorkersWhileTheyCount) {
  StatsRegistry registry;
  constexpr int kWorkers = 3;
  constexpr uint64_t kPerWorker = 20000;
  std::vector<WorkerStats*> workers;
  for (int i = 0; i < kWorkers; ++i) workers.push_back(registry.Add());
  std::vector<std::thread> threads;
  for (WorkerStats* w : workers) {
    threads.emplace_back([w] {
      QueryInfo signal = Answered(0, 40, 100);
      signal.edns_key_tag_count = 1;
      signal.edns_key_tags[0] = 20326;
      for (uint64_t i = 0; i < kPerWorker; ++i) {
        Request request = From(Transport::kUdp, i % 2);
        // A new day every 1000 queries: the day slots turn over while snapshots are read.
        request.now = static_cast<uint32_t>(i / 1000 * 86400);
        w->Record(request, i % 10 == 0 ? signal : Answered(0, 40, 100), kImageA);
      }
    });
  }
  uint64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    const uint64_t now = registry.Snapshot().TotalQueries();
    EXPECT_GE(now, last);
    last = now;
  }
  for (std::thread& t : threads) t.join();
  const StatsSnapshot s = registry.Snapshot();
  EXPECT_EQ(s.TotalQueries(), kWorkers * kPerWorker);
  EXPECT_EQ(s.queries[0][1], kWorkers * kPerWorker / 2);
  EXPECT_EQ(s.answered_by_image.at(kImageA), kWorkers * kPerWorker);
  // One trust-anchor set a day from one IPv4 source (i % 10 == 0 is always even: IPv4).
  ASSERT_EQ(s.ta_signals.sets.size(), kPerWorker / 1000);
  for (const auto& [set, signals] : s.ta_signals.sets) {
    EXPECT_EQ(signals.queries[0], kWorkers * 1000 / 10);
    EXPECT_EQ(signals.sources[0], 1u);
  }
}

TEST(StatsTest, JsonAndTextNameEveryCounter) {
  StatsRegistry registry;
  QueryInfo info = Answered(3, 40, 100);
  info.ta_query_tag_count = 1;
  info.ta_query_tags[0] = 20326;
  registry.Add()->Record(From(Transport::kTcp, true), info, kImageA);
  const StatsSnapshot s = registry.Snapshot();
  const std::string json = s.ToJson();
  EXPECT_THAT(json, HasSubstr("\"queries\":1,\"queries_udp_ipv4\":0,\"queries_udp_ipv6\":0,\"queries_tcp_ipv4\":0,"
                              "\"queries_tcp_ipv6\":1,\"responses\":1,\"dropped\":0,\"rcodes\":{\"NXDOMAIN\":1}"));
  EXPECT_THAT(json, HasSubstr("\"query_bytes_tcp\":40"));
  EXPECT_THAT(json, HasSubstr("\"rfc8145_ta_queries\":1,\"rfc8145_edns_key_tag_queries\":0,\"rfc8145_sets\":1,"
                              "\"rfc8145_overflow\":0,"));
  EXPECT_THAT(json, HasSubstr("\"answered_by_image\":{\"2017082100/0000abcd\":1}"));
  const std::string text = s.ToText();
  EXPECT_THAT(text, HasSubstr("  tcp ipv6         1\n"));
  EXPECT_THAT(text, HasSubstr("rcode NXDOMAIN     1\n"));
  EXPECT_THAT(text, HasSubstr("image 2017082100/0000abcd 1\n"));
  EXPECT_THAT(text, HasSubstr("rfc8145 sets       1\n"));
}

// Dataplane workers' frame counters merge like the rest; text and JSON show them only when a
// dataplane worker exists (JSON always carries the object, with 0 workers).
TEST(StatsTest, DataplaneCountersMergeAcrossLcores) {
  StatsRegistry registry;
  registry.Add()->Record(From(Transport::kUdp, false), Answered(0, 30, 90), kImageA);  // a socket worker
  EXPECT_THAT(registry.Snapshot().ToJson(), HasSubstr("\"dataplane\":{\"workers\":0,\"rx\":0,"));
  EXPECT_THAT(registry.Snapshot().ToText(), Not(HasSubstr("dpdk")));
  for (int lcore = 0; lcore < 2; ++lcore) {
    WorkerStats* w = registry.Add();
    w->dataplane_worker = true;
    Bump(w->dataplane.rx, 10);
    Bump(w->dataplane.tx, 6);
    Bump(w->dataplane.tx_dropped, 1);
    Bump(w->dataplane.to_kernel, 2);
    Bump(w->dataplane.from_kernel, 3);
    Bump(w->dataplane.truncated_to_fit, 1);
    Bump(w->dataplane.frames[0], 7);
    Bump(w->dataplane.frames[DataplaneCounters::kReasons - 1], 1);
  }
  const StatsSnapshot s = registry.Snapshot();
  EXPECT_EQ(s.dataplane_workers, 2u);
  EXPECT_EQ(s.dp_rx, 20u);
  EXPECT_EQ(s.dp_from_kernel, 6u);
  EXPECT_THAT(s.ToJson(), HasSubstr("\"dataplane\":{\"workers\":2,\"rx\":20,\"tx\":12,\"tx_dropped\":2,"
                                    "\"to_kernel\":4,\"from_kernel\":6,\"truncated_to_fit\":2,"
                                    "\"frames\":{\"dns_query\":14,\"not_ip\":0,"));
  EXPECT_THAT(s.ToJson(), HasSubstr("\"bad_ip_header\":2}}"));
  EXPECT_THAT(s.ToText(), HasSubstr("dpdk rx            20\n"));
  EXPECT_THAT(s.ToText(), HasSubstr("  dns_query        14\n"));
}

}  // namespace
}  // namespace rootd::server
