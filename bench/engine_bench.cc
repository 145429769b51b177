// The engine over a root-like query mix, against the memcpy floor: the cost of copying the
// same number of response bytes from precompiled memory, measured first in the same run;
// the vs_memcpy_floor counter of BM_Engine (one query at a time) and BM_EngineBurst (bursts
// of 64) is the ratio. BM_EngineBurst with stats:1 also records every query in the one
// statistics path as the transports do; its vs_no_stats is the cost of counting.
//
// Mix: bench/root_like_mix.h, with and without DO.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>

#include "bench/root_like_mix.h"
#include "server/engine.h"
#include "server/stats.h"

namespace rootd::server {
namespace {

using Fixture = bench::RootFixture;
using bench::RootLikeMix;
const Fixture& LoadFixture() { return bench::LoadRootFixture(); }

constexpr size_t kMixSize = 8192;

// ns per query of the last floor run, per DO setting: the engine's runs (registered after
// it, so run after it) report their time as a ratio to it. Likewise the burst runs without
// statistics for those with.
double g_floor_ns[2] = {0, 0};
double g_burst_ns[2] = {0, 0};

double ElapsedNs(const benchmark::State& state, std::chrono::steady_clock::time_point start) {
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  return ns / static_cast<double>(state.iterations());
}
constexpr uint8_t kClient[4] = {192, 0, 2, 1};



// The floor: copy, per query, as many precompiled bytes as the engine's response to it.
void BM_MemcpyFloor(benchmark::State& state) {
  const Fixture& f = LoadFixture();
  const auto queries = RootLikeMix(f, state.range(0), kMixSize);
  Engine engine(EngineConfig{});
  std::vector<std::vector<uint8_t>> responses;
  for (const auto& q : queries) {
    std::vector<uint8_t> out(4096);
    QueryInfo info;
    Request request{q.data(), q.size(), Transport::kUdp, kClient, 4, 0};
    out.resize(engine.Answer(*f.image, request, out.data(), out.size(), &info));
    responses.push_back(std::move(out));
  }
  alignas(64) uint8_t out[4096];
  size_t i = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const auto& r = responses[i++ & (kMixSize - 1)];
    std::memcpy(out, r.data(), r.size());
    benchmark::DoNotOptimize(out);
  }
  state.counters["qps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  g_floor_ns[state.range(0)] = ElapsedNs(state, start);
}
BENCHMARK(BM_MemcpyFloor)->Arg(0)->Arg(1)->ArgName("do");

void BM_Engine(benchmark::State& state) {
  const Fixture& f = LoadFixture();
  const bool dnssec_ok = state.range(0);
  const auto queries = RootLikeMix(f, dnssec_ok, kMixSize);
  Engine engine(EngineConfig{});
  alignas(64) uint8_t out[4096];
  QueryInfo info;
  size_t i = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const auto& q = queries[i++ & (kMixSize - 1)];
    Request request{q.data(), q.size(), Transport::kUdp, kClient, 4, 0};
    bytes += engine.Answer(*f.image, request, out, sizeof out, &info);
    benchmark::DoNotOptimize(out);
  }
  state.counters["qps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes_per_q"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
  const double floor_ns = g_floor_ns[dnssec_ok];
  if (floor_ns > 0) state.counters["vs_memcpy_floor"] = ElapsedNs(state, start) / floor_ns;
}
BENCHMARK(BM_Engine)->Arg(0)->Arg(1)->ArgName("do");

// The same mix in bursts of Engine::kMaxBurst, as recvmmsg or a DPDK RX burst hands them
// over: each response into its own buffer of the batch (as the UDP service does), lookups
// overlapped by AnswerBurst. Times are per query, so vs_memcpy_floor compares with BM_Engine's.
void BM_EngineBurst(benchmark::State& state) {
  const Fixture& f = LoadFixture();
  const bool dnssec_ok = state.range(0);
  const bool with_stats = state.range(1);
  StatsRegistry registry;
  WorkerStats* stats = registry.Add();
  const uint64_t image_key = f.image->identity().StatsKey();
  const auto queries = RootLikeMix(f, dnssec_ok, kMixSize);
  Engine engine(EngineConfig{});
  constexpr size_t kBurst = Engine::kMaxBurst;
  constexpr size_t kOutSize = 2048;
  std::vector<uint8_t> out(kBurst * kOutSize);
  BurstQuery burst[kBurst];
  size_t i = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (size_t k = 0; k < kBurst; ++k) {
      const auto& q = queries[i++ & (kMixSize - 1)];
      burst[k].request = Request{q.data(), q.size(), Transport::kUdp, kClient, 4, 0};
      burst[k].out = out.data() + k * kOutSize;
      burst[k].out_capacity = kOutSize;
    }
    engine.AnswerBurst(*f.image, burst, kBurst);
    for (size_t k = 0; k < kBurst; ++k) {
      bytes += burst[k].response_size;
      if (with_stats) stats->Record(burst[k].request, burst[k].info, image_key);
    }
    benchmark::DoNotOptimize(out.data());
  }
  const double answered = static_cast<double>(state.iterations() * kBurst);
  state.counters["qps"] = benchmark::Counter(answered, benchmark::Counter::kIsRate);
  state.counters["bytes_per_q"] = static_cast<double>(bytes) / answered;
  const double floor_ns = g_floor_ns[dnssec_ok];
  const double ns = ElapsedNs(state, start) / kBurst;
  if (floor_ns > 0) state.counters["vs_memcpy_floor"] = ns / floor_ns;
  if (!with_stats) g_burst_ns[dnssec_ok] = ns;
  if (with_stats && g_burst_ns[dnssec_ok] > 0) state.counters["vs_no_stats"] = ns / g_burst_ns[dnssec_ok];
}
// Without statistics first, so that the runs with them have their baseline.
BENCHMARK(BM_EngineBurst)->ArgsProduct({{0, 1}, {0}})->ArgNames({"do", "stats"});
BENCHMARK(BM_EngineBurst)->ArgsProduct({{0, 1}, {1}})->ArgNames({"do", "stats"});

}  // namespace
}  // namespace rootd::server

BENCHMARK_MAIN();
