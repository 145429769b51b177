// RFC 8145 signal counting (TaSignalCounter) and the trust-anchor report built on it.
#include "server/ta_signals.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/ta_report.h"

namespace rootd::server {
namespace {

using ::testing::HasSubstr;

constexpr int32_t k20170825 = 17403;

TaSetKey Set(std::vector<uint16_t> tags, int32_t day = k20170825, SignalKind kind = SignalKind::kKeyTagOption,
             uint32_t dnskey_id = 0x90ba1bb5) {
  TaSetKey key;
  EXPECT_TRUE(key.SetTags(tags.data(), static_cast<int>(tags.size())));
  key.day = day;
  key.kind = kind;
  key.dnskey_id = dnskey_id;
  return key;
}

// Source hashes as the keyed hash would give them: well mixed, here reproducible.
uint64_t Source(uint64_t n) {
  n += 0x9e3779b97f4a7c15ULL;
  n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9ULL;
  n = (n ^ (n >> 27)) * 0x94d049bb133111ebULL;
  return n ^ (n >> 31);
}

TEST(TaSetKeyTest, TagsAreSortedAndDistinctAndBounded) {
  TaSetKey key;
  const uint16_t reported[] = {38696, 20326, 38696};
  ASSERT_TRUE(key.SetTags(reported, 3));
  EXPECT_EQ(key.tag_count, 2);
  EXPECT_EQ(key.TagsText(), "20326 38696");
  EXPECT_TRUE(key.Trusts(20326));
  EXPECT_FALSE(key.Trusts(19036));
  const uint16_t nine[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_FALSE(key.SetTags(nine, 9));
  EXPECT_TRUE(key.SetTags(nine, 8));
}

TEST(TaSignalCounterTest, DistinctSourcesAreExactAcrossWorkersAndFamilies) {
  TaSignalCounter a(TaSignalLimits{}), b(TaSignalLimits{});
  const TaSetKey old_only = Set({20326});
  for (int i = 0; i < 10; ++i) a.Add(old_only, 0, Source(i));
  for (int i = 5; i < 15; ++i) b.Add(old_only, 0, Source(i));  // 5 of them seen by both workers
  b.Add(old_only, 1, Source(100));
  b.Add(old_only, 1, Source(100));
  const TaSignalTotals totals = TaSignalCounter::Merge({&a, &b});
  ASSERT_EQ(totals.sets.size(), 1u);
  const TaSetCounts& counts = totals.sets.at(old_only);
  EXPECT_EQ(counts.queries[0], 20u);
  EXPECT_EQ(counts.queries[1], 2u);
  EXPECT_EQ(counts.sources[0], 15u);
  EXPECT_EQ(counts.sources[1], 1u);
  EXPECT_FALSE(counts.estimated);
}

TEST(TaSignalCounterTest, SourcesBeyondTheExactBoundAreEstimatedAndSaySo) {
  TaSignalCounter counter(TaSignalLimits{.sets = 8, .exact_sources = 16});
  const TaSetKey both = Set({20326, 38696});
  constexpr int kSources = 5000;
  for (int i = 0; i < kSources; ++i) counter.Add(both, 0, Source(i));
  const TaSetCounts counts = TaSignalCounter::Merge({&counter}).sets.at(both);
  EXPECT_TRUE(counts.estimated);
  EXPECT_EQ(counts.queries[0], uint64_t{kSources});
  // HyperLogLog with 256 registers: 6.5% standard error; these hashes are fixed, so this is
  // a check of the estimator, not a gamble.
  EXPECT_NEAR(static_cast<double>(counts.sources[0]), kSources, kSources * 0.15);
}

TEST(TaSignalCounterTest, SmallCountsFromTheSketchAreNearExact) {
  SourceSketch sketch;
  for (int i = 0; i < 40; ++i) sketch.Add(Source(i));
  SourceSketch::Registers registers = {};
  sketch.MaxInto(&registers);
  EXPECT_NEAR(static_cast<double>(SourceSketch::Estimate(registers)), 40, 4);  // linear counting
}

TEST(TaSignalCounterTest, AFloodOfMadeUpSetsNeverEvictsWhatCameFirst) {
  TaSignalCounter counter(TaSignalLimits{.sets = 4, .exact_sources = 4});
  const TaSetKey real = Set({20326});
  counter.Add(real, 0, Source(1));
  constexpr int kJunk = 1000;
  for (int i = 0; i < kJunk; ++i) counter.Add(Set({static_cast<uint16_t>(1000 + i)}), 0, Source(i));
  counter.Add(real, 0, Source(2));
  const TaSignalTotals totals = TaSignalCounter::Merge({&counter});
  EXPECT_EQ(totals.sets.size(), 4u);  // bounded
  ASSERT_TRUE(totals.sets.contains(real));
  EXPECT_EQ(totals.sets.at(real).queries[0], 2u);  // still counted after the flood
  EXPECT_EQ(totals.sets.at(real).sources[0], 2u);
  uint64_t counted = totals.overflow.queries[0];
  for (const auto& [key, counts] : totals.sets) counted += counts.queries[0];
  EXPECT_EQ(counted, kJunk + 2u);  // nothing lost: what found no room is in the overflow
  EXPECT_EQ(totals.overflow.queries[0], kJunk - 3u);
  EXPECT_TRUE(totals.overflow.estimated);  // 997 sources, 4 counted exactly
}

TaSignalTotals RollTotals() {
  TaSignalCounter counter(TaSignalLimits{});
  for (int i = 0; i < 3; ++i) counter.Add(Set({20326}), 0, Source(i));
  counter.Add(Set({20326, 38696}), 1, Source(10));
  counter.Add(Set({20326}, k20170825 + 1), 0, Source(0));
  counter.Add(Set({38696}, k20170825 + 1), 0, Source(1));
  counter.Add(Set({20326}, k20170825, SignalKind::kTaQuery), 0, Source(0));
  return TaSignalCounter::Merge({&counter});
}

TEST(TaReportTest, SharesPerDayAndSignal) {
  const std::vector<TaReportDay> days = TaReportDays(RollTotals(), TaReportKeys{});
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].kind, SignalKind::kTaQuery);
  EXPECT_EQ(days[0].sources, 1u);
  EXPECT_EQ(days[0].old_only, 1u);
  EXPECT_EQ(days[1].kind, SignalKind::kKeyTagOption);
  EXPECT_EQ(days[1].sources, 4u);
  EXPECT_EQ(days[1].old_only, 3u);
  EXPECT_EQ(days[1].both, 1u);
  EXPECT_DOUBLE_EQ(days[1].Share(days[1].old_only), 0.75);
  EXPECT_EQ(days[2].day, k20170825 + 1);
  EXPECT_EQ(days[2].new_only, 1u);
}

TEST(TaReportTest, TextAndJson) {
  const TaSignalTotals totals = RollTotals();
  const std::string text = TaReportText(totals, TaReportKeys{});
  EXPECT_THAT(text, HasSubstr("(old KSK 20326, new KSK 38696; ~ marks an estimate)\n"));
  EXPECT_THAT(text, HasSubstr("\n2017-08-25  edns-key-tag\n  sources  queries  DNSKEY    key tags\n"
                              "        3        3  90ba1bb5  20326\n"
                              "        1        1  90ba1bb5  20326 38696\n"
                              "  4 sources: old only 75.0%, new only 0.0%, both 25.0%, neither 0.0%\n"));
  EXPECT_THAT(text, HasSubstr("\n2017-08-26  edns-key-tag\n"));
  EXPECT_THAT(text, HasSubstr("overflow (no room for the set): 0 queries, 0 sources\n"));
  const std::string json = TaReportJson(totals, TaReportKeys{.old_ksk = 19036, .new_ksk = 20326});
  EXPECT_THAT(json, HasSubstr("{\"old_ksk\":19036,\"new_ksk\":20326,\"days\":[{\"date\":\"2017-08-25\","
                              "\"signal\":\"ta_query\",\"sources\":1,\"sources_estimated\":false,\"old_only\":0.000,"
                              "\"new_only\":1.000,\"both\":0.000,\"neither\":0.000,\"sets\":[{\"tags\":[20326],"
                              "\"dnskey\":\"90ba1bb5\",\"queries\":1,\"queries_ipv4\":1,\"queries_ipv6\":0,"
                              "\"sources\":1,\"sources_ipv4\":1,\"sources_ipv6\":0,\"sources_estimated\":false}]}"));
  EXPECT_THAT(json, HasSubstr("\"overflow\":{\"queries\":0,"));
  EXPECT_EQ(TaReportText(TaSignalTotals{}, TaReportKeys{}).find("no signals yet\n") != std::string::npos, true);
}

}  // namespace
}  // namespace rootd::server
