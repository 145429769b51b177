// The engine over a root-like query mix, against the memcpy floor: the cost of copying the
// same number of response bytes from precompiled memory, measured first in the same run;
// the vs_memcpy_floor counter of BM_Engine (one query at a time) and BM_EngineBurst (bursts
// of 64) is the ratio. BM_EngineBurstStats alternates bursts without and with every query
// recorded in the one statistics path as the transports record them; its vs_no_stats is the
// cost of counting.
//
// Mix: bench/root_like_mix.h, with and without DO.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "bench/root_like_mix.h"
#include "bench/thread_cpu.h"
#include "server/engine.h"
#include "server/stats.h"

namespace rootd::server {
namespace {

using Fixture = bench::RootFixture;
using bench::RootLikeMix;
const Fixture& LoadFixture() { return bench::LoadRootFixture(); }

constexpr size_t kMixSize = 8192;

// ns per query of the last floor run, per DO setting: the engine's runs (registered after
// it, so run after it) report their time as a ratio to it.
double g_floor_ns[2] = {0, 0};

using bench::ThreadCpuNs;  // the ratios are of this thread's CPU time (bench/thread_cpu.h)

double ElapsedNs(const benchmark::State& state, double start) {
  return (ThreadCpuNs() - start) / static_cast<double>(state.iterations());
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
  const double start = ThreadCpuNs();
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
  const double start = ThreadCpuNs();
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

// The mix in bursts of Engine::kMaxBurst, as recvmmsg or a DPDK RX burst hands them over:
// each response into its own buffer of the batch (as the UDP service does), lookups overlapped
// by AnswerBurst, and, given a WorkerStats, every query recorded as the transports record it.
class BurstRunner {
 public:
  static constexpr size_t kBurst = Engine::kMaxBurst;

  BurstRunner(const Fixture& f, bool dnssec_ok)
      : f_(f), queries_(RootLikeMix(f, dnssec_ok, kMixSize)), engine_(EngineConfig{}), out_(kBurst * kOutSize) {}

  // The response bytes of the next burst.
  size_t Run(WorkerStats* stats) {
    for (size_t k = 0; k < kBurst; ++k) {
      const auto& q = queries_[next_++ & (kMixSize - 1)];
      burst_[k].request = Request{q.data(), q.size(), Transport::kUdp, kClient, 4, 0};
      burst_[k].out = out_.data() + k * kOutSize;
      burst_[k].out_capacity = kOutSize;
    }
    engine_.AnswerBurst(*f_.image, burst_, kBurst);
    if (stats != nullptr) stats->RecordBurst(burst_, kBurst, image_key_);
    benchmark::DoNotOptimize(out_.data());
    size_t bytes = 0;
    for (const BurstQuery& q : burst_) bytes += q.response_size;
    return bytes;
  }
  // The last burst, answered (its queries point into the runner's mix).
  const BurstQuery* burst() const { return burst_; }
  // Where in the mix the next burst starts; Seek goes back there, to answer the same again.
  size_t position() const { return next_; }
  void Seek(size_t position) { next_ = position; }

 private:
  static constexpr size_t kOutSize = 2048;
  const Fixture& f_;
  const std::vector<std::vector<uint8_t>> queries_;
  const Engine engine_;
  const uint64_t image_key_ = f_.image->identity().StatsKey();
  std::vector<uint8_t> out_;
  BurstQuery burst_[kBurst];
  size_t next_ = 0;
};

// Times are per query, so vs_memcpy_floor compares with BM_Engine's.
void BM_EngineBurst(benchmark::State& state) {
  const bool dnssec_ok = state.range(0);
  BurstRunner runner(LoadFixture(), dnssec_ok);
  size_t bytes = 0;
  const double start = ThreadCpuNs();
  for (auto _ : state) bytes += runner.Run(nullptr);
  const double answered = static_cast<double>(state.iterations() * BurstRunner::kBurst);
  state.counters["qps"] = benchmark::Counter(answered, benchmark::Counter::kIsRate);
  state.counters["bytes_per_q"] = static_cast<double>(bytes) / answered;
  const double floor_ns = g_floor_ns[dnssec_ok];
  if (floor_ns > 0) state.counters["vs_memcpy_floor"] = ElapsedNs(state, start) / BurstRunner::kBurst / floor_ns;
}
BENCHMARK(BM_EngineBurst)->Arg(0)->Arg(1)->ArgName("do");

// The cost of counting: chunks of bursts without and with the statistics, alternated, so that
// whatever else the machine does falls on both alike; vs_no_stats is the ratio of their CPU
// times. Both arms answer the same queries (a chunk is answered twice), and which goes first
// alternates, so that neither gets the easier half of the mix nor the caches the other warmed
// (with a recorder that does nothing, vs_no_stats measured 0.990-1.002; before both of these it
// was 0.984-0.988). One source address, as the engine runs use: its HyperLogLog register stays
// in cache.
void BM_EngineBurstStats(benchmark::State& state) {
  StatsRegistry registry;
  WorkerStats* stats = registry.Add();
  BurstRunner runner(LoadFixture(), state.range(0));
  constexpr int kBurstsPerChunk = 16;  // ~100 us: the clock reads are noise beside it
  double ns[2] = {0, 0};               // [with statistics]
  bool with_first = false;
  for (auto _ : state) {
    const size_t chunk = runner.position();
    for (int arm = 0; arm < 2; ++arm) {
      const bool with = (arm == 0) == with_first;
      runner.Seek(chunk);
      const double start = ThreadCpuNs();
      for (int b = 0; b < kBurstsPerChunk; ++b) runner.Run(with ? stats : nullptr);
      ns[with] += ThreadCpuNs() - start;
    }
    with_first = !with_first;
  }
  const double recorded = static_cast<double>(state.iterations() * kBurstsPerChunk * BurstRunner::kBurst);
  state.counters["qps_with_stats"] = recorded / (ns[1] * 1e-9);
  state.counters["vs_no_stats"] = ns[1] / ns[0];
  benchmark::DoNotOptimize(registry.Snapshot().TotalQueries());
}
BENCHMARK(BM_EngineBurstStats)->Arg(0)->Arg(1)->ArgName("do");

// Recording alone, over bursts answered beforehand: the statistics' own cost per query, for
// working on it (BM_EngineBurstStats gives it as a share of answering).
void BM_StatsRecordBurst(benchmark::State& state) {
  BurstRunner runner(LoadFixture(), state.range(0));
  constexpr size_t kBursts = 64;
  std::vector<std::array<BurstQuery, BurstRunner::kBurst>> bursts(kBursts);
  for (auto& burst : bursts) {
    runner.Run(nullptr);
    std::copy_n(runner.burst(), burst.size(), burst.begin());
  }
  StatsRegistry registry;
  WorkerStats* stats = registry.Add();
  const uint64_t image_key = LoadFixture().image->identity().StatsKey();
  size_t b = 0;
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    stats->RecordBurst(bursts[b].data(), BurstRunner::kBurst, image_key);
    b = (b + 1) % kBursts;
  }
  state.counters["ns_per_query"] = ElapsedNs(state, start) / BurstRunner::kBurst;
}
BENCHMARK(BM_StatsRecordBurst)->Arg(0)->Arg(1)->ArgName("do");

}  // namespace
}  // namespace rootd::server

BENCHMARK_MAIN();
