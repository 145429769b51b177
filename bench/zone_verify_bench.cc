// Full verification of the real root zone (2,950 RSA-2048 RRSIGs, trust anchor, NSEC chain,
// ZONEMD check) against ldns-verify-zone on the same file, timed in the same run. The
// baseline spawns ldns-verify-zone, so it includes its parsing; BM_LoadAndVerify (zone read
// by the ldns-based test loader, then verified) is the like-for-like comparison, BM_Verify
// the verification alone.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/test_paths.h"
#include "zone/master_reader.h"
#include "zone/zone_verifier.h"

namespace rootd::zone {
namespace {

const absl::Time kAt = absl::FromCivil(absl::CivilSecond(2017, 8, 25, 0, 0, 0), absl::UTCTimeZone());

std::string ZonePath() { return rootd::testing::SharedDataDir() + "/zones/root.zone"; }
std::string KskPath() { return rootd::testing::SharedDataDir() + "/zones/root.zone.ksk"; }

double g_ldns_seconds = 0;  // mean wall time of one ldns-verify-zone run

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

void SetRatio(benchmark::State& state, double total_seconds) {
  const double mean = total_seconds / static_cast<double>(state.iterations());
  if (g_ldns_seconds > 0) state.counters["ratio_vs_ldns"] = mean / g_ldns_seconds;
}

void BM_LdnsVerifyZoneBaseline(benchmark::State& state) {
  const std::string command =
      "ldns-verify-zone -t 20170825000000 -k " + KskPath() + " " + ZonePath() + " >/dev/null 2>&1";
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const int rc = std::system(command.c_str());
    total += Seconds(std::chrono::steady_clock::now() - start);
    if (rc != 0) {
      state.SkipWithError("ldns-verify-zone failed");
      return;
    }
  }
  g_ldns_seconds = total / static_cast<double>(state.iterations());
}
BENCHMARK(BM_LdnsVerifyZoneBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_Verify(benchmark::State& state) {
  static const Zone* zone = new Zone(ReadMasterFile(ZonePath()).value());
  static const TrustAnchor* anchor = new TrustAnchor(TrustAnchor::LoadFile(KskPath()).value());
  VerifyOptions options;
  options.threads = static_cast<int>(state.range(0));
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const VerifyReport r = VerifyZone(*zone, anchor, kAt, options);
    total += Seconds(std::chrono::steady_clock::now() - start);
    if (!r.ok()) {
      state.SkipWithError("root zone did not verify");
      return;
    }
    benchmark::DoNotOptimize(r.signatures_verified);
  }
  state.counters["signatures"] = 2950;
  SetRatio(state, total);
}
BENCHMARK(BM_Verify)->ArgName("threads")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LoadAndVerify(benchmark::State& state) {
  const TrustAnchor anchor = TrustAnchor::LoadFile(KskPath()).value();
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const Zone zone = ReadMasterFile(ZonePath()).value();
    const VerifyReport r = VerifyZone(zone, &anchor, kAt);
    total += Seconds(std::chrono::steady_clock::now() - start);
    if (!r.ok()) {
      state.SkipWithError("root zone did not verify");
      return;
    }
  }
  SetRatio(state, total);
}
BENCHMARK(BM_LoadAndVerify)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rootd::zone

BENCHMARK_MAIN();
