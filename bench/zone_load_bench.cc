// Loading the real root zone: ReadMasterFile (parse and node index) against ldns's own zone
// parser on the same file, measured in the same run. `vs_ldns` is our time over ldns's.
// BM_ZoneFromRecords times the node index (Zone::FromRecords) on its own.
#include <benchmark/benchmark.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/test_paths.h"
#include "zone/master_reader.h"

namespace rootd::zone {
namespace {

std::string RootZonePath() { return rootd::testing::SharedDataDir() + "/zones/root.zone"; }

// One full ldns parse of the file; false if ldns refuses it.
bool LdnsParse(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return false;
  ldns_rdf* origin = ldns_dname_new_frm_str(".");
  ldns_zone* zone = nullptr;
  const ldns_status status = ldns_zone_new_frm_fp(&zone, file, origin, 3600, LDNS_RR_CLASS_IN);
  std::fclose(file);
  ldns_rdf_deep_free(origin);
  if (status != LDNS_STATUS_OK) return false;
  benchmark::DoNotOptimize(ldns_zone_rr_count(zone));
  ldns_zone_deep_free(zone);
  return true;
}

// Best of a few ldns parses, in seconds, measured once per process: the baseline for the ratio.
double LdnsBaselineSeconds() {
  static const double seconds = [] {
    double best = 1e9;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      if (!LdnsParse(RootZonePath())) return 0.0;
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
  }();
  return seconds;
}

void BM_LdnsZoneParse(benchmark::State& state) {
  for (auto _ : state) {
    if (!LdnsParse(RootZonePath())) {
      state.SkipWithError("ldns cannot parse the root zone");
      return;
    }
  }
}
BENCHMARK(BM_LdnsZoneParse)->Unit(benchmark::kMillisecond);

void BM_ReadMasterFile(benchmark::State& state) {
  const double baseline = LdnsBaselineSeconds();
  double best = 1e9;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto zone = ReadMasterFile(RootZonePath());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!zone.ok()) {
      state.SkipWithError(std::string(zone.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(zone->records().size());
  }
  state.counters["best_ms"] = best * 1e3;
  state.counters["ldns_best_ms"] = baseline * 1e3;
  if (baseline > 0) state.counters["vs_ldns"] = best / baseline;
}
BENCHMARK(BM_ReadMasterFile)->Unit(benchmark::kMillisecond);

// The node index alone: Zone::FromRecords over the root zone's records (copying them in is
// not timed).
void BM_ZoneFromRecords(benchmark::State& state) {
  auto read = ReadMasterFile(RootZonePath());
  if (!read.ok()) {
    state.SkipWithError(std::string(read.status().message()).c_str());
    return;
  }
  const std::vector<Record>& records = read->records();
  double best = 1e9;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Record> copy = records;
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    auto zone = Zone::FromRecords({"root.zone"}, std::move(copy));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    benchmark::DoNotOptimize(zone->nodes().size());
  }
  state.counters["best_ms"] = best * 1e3;
}
BENCHMARK(BM_ZoneFromRecords)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rootd::zone

BENCHMARK_MAIN();
