// The dataplane's queries per second on one lcore with no kernel in the way: a DPDK load
// generator and the lcore's work loop on the same core, over net_ring, against a plain
// reflector on the same setup measured first in the same run (the forwarding limit).
//
// Setup: EAL without hugepages; two net_ring ports made with rte_eth_from_rings and opened
// by Port::Open as rootd opens its ports: the dataplane port (its RX queue is a ring the
// generator enqueues to, its TX queue one the generator dequeues from) and an exception port
// whose rings stay empty (polled every burst, as the lcore polls its TAP). net_ring offers no
// checksum offloads: the dataplane verifies and computes checksums in software.
//
// One iteration is one burst of kLcoreBurst frames, single-threaded:
//   generator: allocate mbufs, copy query frames of the mix in, enqueue to the port's RX ring
//   -> PollOnce (dataplane/lcore_loop.h, the step RunLcore loops over): RX burst, ClassifyFrame,
//      Engine::AnswerBurst, BuildReply, TX burst; or, for BM_Reflector, RX burst, swap MACs,
//      IPv4 addresses and UDP ports in place, TX burst
//   -> generator: dequeue every reply from the port's TX ring, free the mbufs to the pool.
// The generator's share is the same in both, so vs_reflector (the dataplane's time per frame
// over the reflector's) is at least the ratio of the work loops alone. BM_EngineOnly answers
// the same DNS messages with Engine::AnswerBurst and no frames: its vs_dataplane is the
// engine's share of the dataplane's time per query (checksums in software).
//
// The goal (the issue that asked for this): pps of at least 5 million, and vs_reflector of at
// most 2. The engine alone (BM_EngineOnly, ~90 ns a query) is already several times the
// reflector's whole frame (~25 ns), so the second bound is the engine's to meet, not the
// frame handling's.
//
// Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID, and Google Benchmark's rates
// are per CPU second): the machines this runs on are shared. Pin it: taskset -c 1.
//
// Mix: bench/root_like_mix.h, IPv4 UDP from one client (source ports varied) to 192.0.2.53.
#include <benchmark/benchmark.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/reflector.h"
#include "bench/root_like_mix.h"
#include "dataplane/eal.h"
#include "dataplane/lcore_loop.h"
#include "dataplane/port.h"
#include "server/engine.h"
#include "server/image_publisher.h"
#include "server/stats.h"
#include "tests/dataplane/test_frames.h"

namespace rootd::dataplane {
namespace {

constexpr size_t kMixSize = 8192;  // frames per DO setting; a power of two
constexpr uint16_t kBurst = kLcoreBurst;
// Ring sizes (power of two, one slot unused): four bursts, far more than one ever holds.
constexpr unsigned kRingSize = 4 * kBurst * 2;
// The pool: the frames of one burst in flight plus the per-lcore cache; 2047 leaves room.
constexpr unsigned kPoolSize = 2047;
constexpr unsigned kPoolCache = 256;

using bench::ThreadCpuNs;

// EAL, the pool, the rings and both ports; made once in main, torn down before EAL cleanup.
struct Env {
  std::unique_ptr<Eal> eal;
  rte_mempool* pool = nullptr;
  rte_ring* port_rx = nullptr;  // generator -> port
  rte_ring* port_tx = nullptr;  // port -> generator
  rte_ring* exception_rx = nullptr;
  rte_ring* exception_tx = nullptr;
  std::unique_ptr<Port> port, exception;
  LocalAddresses local = testing::TestLocalAddresses();
  std::vector<testing::Bytes> frames[2];  // per DO setting

  ~Env() {
    port.reset();  // stopped and closed before their rings go
    exception.reset();
    for (rte_ring* r : {port_rx, port_tx, exception_rx, exception_tx}) rte_ring_free(r);
    rte_mempool_free(pool);
  }
};
Env* g_env = nullptr;

// A net_ring port ("net_ring_<name>") over a new RX ring and TX ring, opened as rootd opens a port.
absl::StatusOr<std::unique_ptr<Port>> RingPort(const std::string& name, rte_ring** rx, rte_ring** tx,
                                               rte_mempool* pool) {
  const unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
  *rx = rte_ring_create((name + "_rx").c_str(), kRingSize, static_cast<int>(rte_socket_id()), flags);
  *tx = rte_ring_create((name + "_tx").c_str(), kRingSize, static_cast<int>(rte_socket_id()), flags);
  if (*rx == nullptr || *tx == nullptr) return absl::ResourceExhaustedError("rte_ring_create " + name);
  if (rte_eth_from_rings(name.c_str(), rx, 1, tx, 1, rte_socket_id()) < 0)
    return absl::InternalError("rte_eth_from_rings " + name);
  PortOptions options;
  options.devargs = "net_ring_" + name;  // the vdev rte_eth_from_rings made
  options.pool = pool;
  return Port::Open(options);
}

absl::Status MakeEnv(Env& env) {
  // dpdk.md: no hugepages here, and --in-memory is refused with --no-huge.
  absl::StatusOr<std::unique_ptr<Eal>> eal =
      Eal::Init({"--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=warning"});
  if (!eal.ok()) return eal.status();
  env.eal = std::move(*eal);
  env.pool = rte_pktmbuf_pool_create("bench_mbufs", kPoolSize, kPoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                     static_cast<int>(rte_socket_id()));
  if (env.pool == nullptr) return absl::ResourceExhaustedError("mbuf pool");
  absl::StatusOr<std::unique_ptr<Port>> port = RingPort("dp", &env.port_rx, &env.port_tx, env.pool);
  if (!port.ok()) return port.status();
  env.port = std::move(*port);
  absl::StatusOr<std::unique_ptr<Port>> exception =
      RingPort("exception", &env.exception_rx, &env.exception_tx, env.pool);
  if (!exception.ok()) return exception.status();
  env.exception = std::move(*exception);

  const bench::RootFixture& f = bench::LoadRootFixture();
  for (int dnssec_ok = 0; dnssec_ok < 2; ++dnssec_ok) {
    const auto queries = bench::RootLikeMix(f, dnssec_ok, kMixSize);
    for (size_t i = 0; i < queries.size(); ++i) {
      testing::FrameSpec spec;
      spec.src_port = static_cast<uint16_t>(1024 + i);
      spec.payload = queries[i];
      env.frames[dnssec_ok].push_back(spec.Build());
    }
  }
  return absl::OkStatus();
}

// The generator's half of an iteration: one burst of the mix's frames onto the port's RX
// ring. Returns false (the state marked) if the pool or the ring runs short.
// `rx_flags`: the ol_flags a NIC would set on receive (checksums verified), or 0.
bool Generate(benchmark::State& state, const std::vector<testing::Bytes>& frames, size_t& next, uint64_t rx_flags) {
  rte_mbuf* burst[kBurst];
  if (rte_pktmbuf_alloc_bulk(g_env->pool, burst, kBurst) != 0) {
    state.SkipWithError("mbuf pool empty: a leak");
    return false;
  }
  for (rte_mbuf* m : burst) {
    const testing::Bytes& frame = frames[next++ & (kMixSize - 1)];
    std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), frame.data(), frame.size());
    m->data_len = static_cast<uint16_t>(frame.size());
    m->pkt_len = static_cast<uint32_t>(frame.size());
    m->ol_flags = rx_flags;
  }
  if (rte_ring_enqueue_bulk(g_env->port_rx, reinterpret_cast<void**>(burst), kBurst, nullptr) != kBurst) {
    rte_pktmbuf_free_bulk(burst, kBurst);
    state.SkipWithError("port RX ring full");
    return false;
  }
  return true;
}

// The generator's other half: every frame the port sent back, freed to the pool. Returns how
// many there were.
unsigned Drain() {
  rte_mbuf* replies[kRingSize];
  const unsigned n = rte_ring_dequeue_burst(g_env->port_tx, reinterpret_cast<void**>(replies), kRingSize, nullptr);
  rte_pktmbuf_free_bulk(replies, n);
  return n;
}

// CPU ns per frame of the last reflector run, and of the last dataplane run, per DO setting.
double g_reflector_ns = 0;
double g_dataplane_ns[2] = {};

// Sets the counters, and checks that every mbuf is back in the pool; returns the CPU ns per
// frame since `start`.
double Report(benchmark::State& state, double start, uint64_t sent, uint64_t replies) {
  if (rte_mempool_avail_count(g_env->pool) != kPoolSize) state.SkipWithError("mbufs not back in the pool: a leak");
  const double frames = static_cast<double>(state.iterations() * kBurst);
  const double ns = (ThreadCpuNs() - start) / frames;
  state.counters["pps"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["replied"] = sent > 0 ? static_cast<double>(replies) / static_cast<double>(sent) : 0;
  state.counters["ns_per_frame"] = ns;
  return ns;
}

// The baseline: RX burst, swap MACs, IPv4 addresses and UDP ports in place, TX burst.
void BM_Reflector(benchmark::State& state) {
  const uint16_t port = g_env->port->id();
  const auto& frames = g_env->frames[0];
  rte_mbuf* rx[kBurst];
  size_t next = 0;
  uint64_t sent = 0, replies = 0;
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    if (!Generate(state, frames, next, 0)) break;
    sent += kBurst;
    const uint16_t n = rte_eth_rx_burst(port, 0, rx, kBurst);
    for (uint16_t i = 0; i < n; ++i) {
      bench::Reflect(rte_pktmbuf_mtod(rx[i], uint8_t*), false);  // the generator's frames: IPv4
    }
    const uint16_t out = rte_eth_tx_burst(port, 0, rx, n);
    if (out < n) rte_pktmbuf_free_bulk(rx + out, n - out);
    replies += Drain();
  }
  g_reflector_ns = Report(state, start, sent, replies);
}
BENCHMARK(BM_Reflector);

// The dataplane: the lcore's own step, PollOnce, over a real engine, image reader and statistics.
// offload:1 models a NIC's checksum offloads, which net_ring lacks: the generator marks the
// frames' checksums verified as a NIC's RX would, and the lcore leaves the reply's to the
// port (BuildReply writes the pseudo-header sum; net_ring passes the frame on unfinished).
void BM_Dataplane(benchmark::State& state) {
  const bool dnssec_ok = state.range(0);
  const bool offload = state.range(1);
  const bench::RootFixture& f = bench::LoadRootFixture();
  server::ImagePublisher publisher(f.image);
  std::unique_ptr<server::ImagePublisher::Reader> reader = publisher.RegisterReader();
  server::StatsRegistry registry;
  server::Engine engine(server::EngineConfig{});
  LcoreContext x;
  x.port = g_env->port->id();
  x.exception = g_env->exception->id();
  x.queue = 0;
  x.offloads = g_env->port->offloads();
  if (offload) x.offloads = Offloads{true, true, true, true};
  const uint64_t rx_flags = offload ? RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD : 0;
  x.mtu = g_env->port->mtu();
  x.local = &g_env->local;
  x.engine = &engine;
  x.reader = reader.get();
  x.stats = registry.Add();
  x.stats->dataplane_worker = true;
  auto scratch = std::make_unique<LcoreScratch>();
  const auto& frames = g_env->frames[dnssec_ok];
  size_t next = 0;
  uint64_t sent = 0, replies = 0;
  reader->Online();
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    if (!Generate(state, frames, next, rx_flags)) break;
    sent += kBurst;
    PollOnce(x, *scratch);
    replies += Drain();
  }
  const double ns = Report(state, start, sent, replies);
  reader->Offline();
  // Every frame the generator sent was a query the engine answered and the port sent back.
  const server::DataplaneCounters& c = x.stats->dataplane;
  if (c.frames[static_cast<int>(Reason::kDnsQuery)].load() != sent || c.tx.load() != sent || replies != sent)
    state.SkipWithError("not every frame was answered: see the lcore counters");
  if (!offload) g_dataplane_ns[dnssec_ok] = ns;
  if (g_reflector_ns > 0) state.counters["vs_reflector"] = ns / g_reflector_ns;
}
BENCHMARK(BM_Dataplane)->ArgsProduct({{0, 1}, {0, 1}})->ArgNames({"do", "offload"});

// The engine alone over the same DNS messages, in bursts of the same size, each response into
// its own buffer: no frames, no rings.
void BM_EngineOnly(benchmark::State& state) {
  const bool dnssec_ok = state.range(0);
  const bench::RootFixture& f = bench::LoadRootFixture();
  const auto queries = bench::RootLikeMix(f, dnssec_ok, kMixSize);
  server::Engine engine(server::EngineConfig{});
  constexpr size_t kOutSize = 2048;
  std::vector<uint8_t> out(kBurst * kOutSize);
  server::BurstQuery burst[kBurst];
  static constexpr uint8_t kClient[4] = {198, 51, 100, 7};
  size_t next = 0;
  const double start = ThreadCpuNs();
  for (auto _ : state) {
    for (size_t k = 0; k < kBurst; ++k) {
      const auto& q = queries[next++ & (kMixSize - 1)];
      burst[k].request = server::Request{q.data(), q.size(), server::Transport::kUdp, kClient, 4, 0};
      burst[k].out = out.data() + k * kOutSize;
      burst[k].out_capacity = kOutSize;
    }
    engine.AnswerBurst(*f.image, burst, kBurst);
    benchmark::DoNotOptimize(out.data());
  }
  const double frames = static_cast<double>(state.iterations() * kBurst);
  state.counters["qps"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  const double ns = (ThreadCpuNs() - start) / frames;
  state.counters["ns_per_query"] = ns;
  if (g_dataplane_ns[dnssec_ok] > 0) state.counters["vs_dataplane"] = ns / g_dataplane_ns[dnssec_ok];
}
BENCHMARK(BM_EngineOnly)->Arg(0)->Arg(1)->ArgName("do");

}  // namespace
}  // namespace rootd::dataplane

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto env = std::make_unique<rootd::dataplane::Env>();
  if (absl::Status s = rootd::dataplane::MakeEnv(*env); !s.ok()) {
    fprintf(stderr, "dataplane_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  rootd::dataplane::g_env = env.get();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rootd::dataplane::g_env = nullptr;
  env.reset();  // ports, rings and pool, then EAL's cleanup
  return 0;
}
