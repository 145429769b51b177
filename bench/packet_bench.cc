// The dataplane's L2-L4 work per frame (dataplane/packet.h): ClassifyFrame on a received query,
// then BuildReply on its response, against a baseline measured first in the same run: the
// plain swap of the same frame's MACs, IP addresses and ports, which any reflector does. Both
// first restore the query's headers and DNS message from a template (the reply overwrote them),
// so the vs_swap counter of BM_ClassifyReply is the cost of parsing, checks, checksums and
// lengths over that floor. Times are the thread's CPU time, not wall time: the machines this
// runs on are shared, and a run preempted half the time would otherwise double its ratio.
//
// Frames: IPv4 and IPv6 queries (". SOA" with EDNS, 28 octets of DNS) and responses of about
// 100 and 800 octets (a referral or NXDOMAIN without and with DNSSEC), with checksums in
// software (verified on receive, computed on transmit) or offloaded to the NIC both ways.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>

#include "bench/reflector.h"
#include "dataplane/packet.h"
#include "tests/dataplane/test_frames.h"

namespace rootd::dataplane {
namespace {

constexpr size_t kBufferSize = 2048;  // an mbuf's data room
constexpr int64_t kResponseSizes[] = {100, 800};

// ". SOA" with an EDNS OPT record.
const testing::Bytes kDnsQuery = {
    0xbe, 0xef, 1,  0,    0, 1, 0, 0, 0, 0, 0, 1,  // ID, RD, one question, one additional record
    0,    0,    6,  0,    1,                       // . SOA IN
    0,    0,    41, 0x10, 0, 0, 0, 0, 0, 0, 0      // OPT: 4096 octets, no flags, no options
};

struct Frame {
  alignas(64) uint8_t buffer[kBufferSize];
  testing::Bytes query;  // the query frame, restored before each round
  LocalAddresses local = testing::TestLocalAddresses();
};

void Prepare(Frame& f, bool ipv6, size_t response_size) {
  testing::FrameSpec spec;
  spec.ipv6 = ipv6;
  spec.payload = kDnsQuery;
  f.query = spec.Build();
  std::mt19937 rng(static_cast<uint32_t>(response_size));
  for (uint8_t& b : f.buffer) b = static_cast<uint8_t>(rng());  // the response's octets beyond the query
  std::memcpy(f.buffer, f.query.data(), f.query.size());
}

// CPU ns per frame of the last baseline run, per family (the swap does not touch the DNS
// message, so one size serves both): BM_ClassifyReply's runs (registered after it, so run
// after it) report their time as a ratio to it.
double g_baseline_ns[2] = {};

using bench::ThreadCpuNs;

double ElapsedNs(const benchmark::State& state, double start) {
  return (ThreadCpuNs() - start) / static_cast<double>(state.iterations());
}

// The baseline: restore the query, swap MACs, addresses and ports in place.
void BM_SwapBaseline(benchmark::State& state) {
  const bool ipv6 = state.range(0);
  Frame f;
  Prepare(f, ipv6, kResponseSizes[0]);
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    std::memcpy(f.buffer, f.query.data(), f.query.size());
    bench::Reflect(f.buffer, ipv6);
    benchmark::DoNotOptimize(f.buffer);
    benchmark::ClobberMemory();
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  g_baseline_ns[ipv6] = ElapsedNs(state, start);
}
BENCHMARK(BM_SwapBaseline)->Arg(0)->Arg(1)->ArgName("ipv6");

// Restore the query, classify it, build the reply to a response of the given size.
void BM_ClassifyReply(benchmark::State& state) {
  const bool ipv6 = state.range(0);
  const size_t response_size = static_cast<size_t>(state.range(1));
  const bool offload = state.range(2);
  Frame f;
  Prepare(f, ipv6, response_size);
  const ClassifyOptions classify_options{.udp_checksum_verified = offload, .ip_checksum_verified = offload};
  const ReplyOptions reply_options{.udp_checksum_offload = offload, .ip_checksum_offload = offload};
  QueryFrame q;
  Reason reason;
  if (ClassifyFrame(f.buffer, f.query.size(), f.local, classify_options, &q, &reason) != Verdict::kQuery) {
    state.SkipWithError("the benchmark's query frame does not classify as a query");
    return;
  }
  uint64_t sizes = 0;
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    std::memcpy(f.buffer, f.query.data(), f.query.size());
    if (ClassifyFrame(f.buffer, f.query.size(), f.local, classify_options, &q, &reason) == Verdict::kQuery) {
      sizes += BuildReply(f.buffer, q, response_size, reply_options).frame_size;
    }
    benchmark::DoNotOptimize(f.buffer);
    benchmark::ClobberMemory();
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["reply_octets"] = static_cast<double>(sizes) / static_cast<double>(state.iterations());
  const double baseline_ns = g_baseline_ns[ipv6];
  if (baseline_ns > 0) state.counters["vs_swap"] = ElapsedNs(state, start) / baseline_ns;
}
BENCHMARK(BM_ClassifyReply)
    ->ArgsProduct({{0, 1}, {kResponseSizes[0], kResponseSizes[1]}, {0, 1}})
    ->ArgNames({"ipv6", "dns", "offload"});

}  // namespace
}  // namespace rootd::dataplane

BENCHMARK_MAIN();
