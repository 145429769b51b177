// Verification alone of the real root zone (2,950 RSA-2048 RRSIGs, trust anchor, NSEC chain,
// ZONEMD check) against ldns-verify-zone on the same file, timed in the same run. The
// baseline includes ldns's parsing; zone_pipeline_bench compares the whole pipeline.
#include <benchmark/benchmark.h>

#include "bench/command_baseline.h"
#include "tests/test_paths.h"
#include "zone/master_reader.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {
namespace {

const absl::Time kAt = absl::FromCivil(absl::CivilSecond(2017, 8, 25, 0, 0, 0), absl::UTCTimeZone());

std::string ZonePath() { return rootd::testing::SharedDataDir() + "/zones/root.zone"; }
std::string KskPath() { return rootd::testing::SharedDataDir() + "/zones/root.zone.ksk"; }

double g_ldns_seconds = 0;  // mean wall time of one ldns-verify-zone run

void BM_LdnsVerifyZoneBaseline(benchmark::State& state) {
  g_ldns_seconds = bench::TimeCommand(state, "ldns-verify-zone -t 20170825000000 -k " + KskPath() + " " + ZonePath());
}
BENCHMARK(BM_LdnsVerifyZoneBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_Verify(benchmark::State& state) {
  static const Zone* zone = new Zone(ReadMasterFile(ZonePath()).value());
  static const TrustAnchor* anchor = new TrustAnchor(TrustAnchor::LoadFile(KskPath()).value());
  VerifyOptions options;
  options.threads = static_cast<int>(state.range(0));
  bench::TimeAgainst(state, g_ldns_seconds, "ratio_vs_ldns", [&] { return VerifyZone(*zone, anchor, kAt, options).ok(); });
  state.counters["signatures"] = 2950;
}
BENCHMARK(BM_Verify)->ArgName("threads")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rootd::zone

BENCHMARK_MAIN();
