// The whole zone pipeline on the real root zone (2.2 MB, 2,950 RRSIGs) against the peers'
// tools on the same file, timed in the same run:
//   read + verify + compile  vs  ldns-verify-zone (parse and verify every signature)
//   read + compile           vs  nsd-checkzone    (parse and check, no signatures)
#include <benchmark/benchmark.h>

#include "bench/command_baseline.h"
#include "tests/test_paths.h"
#include "zone/zone_loader.h"

namespace rootd::zone {
namespace {

std::string ZonePath() { return rootd::testing::SharedDataDir() + "/zones/root.zone"; }
std::string KskPath() { return rootd::testing::SharedDataDir() + "/zones/root.zone.ksk"; }

double g_ldns_verify_zone = 0;
double g_nsd_checkzone = 0;

void BM_LdnsVerifyZone(benchmark::State& state) {
  g_ldns_verify_zone = bench::TimeCommand(state, "ldns-verify-zone -t 20170825000000 -k " + KskPath() + " " + ZonePath());
}
BENCHMARK(BM_LdnsVerifyZone)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_NsdCheckzone(benchmark::State& state) {
  g_nsd_checkzone = bench::TimeCommand(state, "nsd-checkzone . " + ZonePath());
}
BENCHMARK(BM_NsdCheckzone)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);

void BM_ReadVerifyCompile(benchmark::State& state) {
  LoadOptions options{ZonePath(), KskPath(), absl::FromCivil(absl::CivilSecond(2017, 8, 25, 0, 0, 0), absl::UTCTimeZone())};
  size_t image_bytes = 0;
  bench::TimeAgainst(state, g_ldns_verify_zone, "vs_ldns_verify_zone", [&] {
    auto loaded = LoadZone(options);
    if (loaded.ok()) image_bytes = loaded->image->memory_bytes();
    return loaded.ok();
  });
  state.counters["image_MB"] = static_cast<double>(image_bytes) / 1e6;
}
BENCHMARK(BM_ReadVerifyCompile)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadCompile(benchmark::State& state) {
  LoadOptions options{ZonePath()};
  options.verify = false;
  bench::TimeAgainst(state, g_nsd_checkzone, "vs_nsd_checkzone", [&] { return LoadZone(options).ok(); });
}
BENCHMARK(BM_ReadCompile)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rootd::zone

BENCHMARK_MAIN();
