// Query statistics: the one path every transport reports through. Each worker owns one
// WorkerStats (cache-line aligned, single writer, relaxed atomics so that the control thread
// may read while workers count) and hands it every query it handled, a burst at a time
// (RecordBurst) or one (Record); readers merge every worker's counters into a StatsSnapshot on
// demand. No lock and no shared cache line is written per query, and each query is counted
// once: queries, responses and RCODEs in its day's RSSAC002 slot (daily_traffic.h), whose
// running totals the snapshot reads; the rest once per burst where it can be summed first.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/daily_traffic.h"
#include "server/engine.h"
#include "server/json_writer.h"
#include "server/lab_clock.h"
#include "server/ta_signals.h"

namespace rootd::server {

// Counts per 64-bit key (image identities): a small open-addressing table with one writer;
// keys beyond its capacity are counted in `overflow`.
template <int kSlots>
class KeyCounter {
 public:
  void Add(uint64_t key, uint64_t count);
  void AddTo(std::map<uint64_t, uint64_t>* totals, uint64_t* overflow) const;

 private:
  struct Entry {
    std::atomic<uint64_t> key_plus_one{0};
    std::atomic<uint64_t> count{0};
  };
  Entry entries_[kSlots];
  std::atomic<uint64_t> overflow_{0};
};

enum class Family : uint8_t { kIpv4 = 0, kIpv6 = 1 };

// What counting RFC 8145 signals needs besides the query, the same for every worker: which
// day it is by rootd's clock, and the key of the source-address hash (shared, so that readers
// can merge the workers' distinct sources; secret, so that sources cannot be made to collide).
struct SignalContext {
  TaSignalLimits limits;
  const LabClock* clock = nullptr;  // null: real time
  uint8_t source_key[16] = {};
};

// The frame-level counters of one dataplane worker (a DPDK lcore and its queue pair), in the
// same per-worker record as its queries. `frames` is indexed by dataplane::Reason (the
// dataplane checks that its Reason count and order match kFrameReasonNames).
struct DataplaneCounters {
  static constexpr int kReasons = 13;
  static const char* const kFrameReasonNames[kReasons];

  std::atomic<uint64_t> rx = 0;            // frames received on the port
  std::atomic<uint64_t> tx = 0;            // frames sent on the port: replies and the kernel's frames
  std::atomic<uint64_t> tx_dropped = 0;    // frames a TX burst refused (either port), freed
  std::atomic<uint64_t> to_kernel = 0;     // frames sent to the exception port
  std::atomic<uint64_t> from_kernel = 0;   // frames received from the exception port
  std::atomic<uint64_t> truncated_to_fit = 0;  // responses cut (TC) to the room the mbuf or the MTU left
  std::atomic<uint64_t> frames[kReasons] = {};
};

struct alignas(64) WorkerStats {
  // Images one worker tells apart between two reads: the old and the new one of a swap, and a
  // few more swaps in quick succession (bundle tests); older ones are counted as overflow.
  static constexpr int kImageSlots = 8;

  // Everything a counter needs of one query: the transport, the source (Request: transport,
  // address and family, query size), what the engine did (QueryInfo: rcode, flags, sizes,
  // RFC 8145 signals) and which image answered (its ImageIdentity::StatsKey()).
  void Record(const Request& request, const QueryInfo& info, uint64_t image_key);
  // The queries of a burst Engine::AnswerBurst answered from one image, all of one transport
  // (the UDP service's and the dataplane's bursts are UDP).
  void RecordBurst(const BurstQuery* queries, size_t count, uint64_t image_key);

  explicit WorkerStats(const SignalContext& signals)
      : signal_context(signals), ta_signals(signals.limits), daily(signals.source_key) {}
  // RecordRun's queries at most, so that its octet-wide flag sums cannot carry.
  static constexpr size_t kMaxRun = 255;
  template <class QueryAt>
  void RecordRun(int t, size_t count, QueryAt query_at, uint64_t image_key);
  void RecordSignal(SignalKind kind, const uint16_t* tags, int count, int32_t day, const Request& request,
                    uint64_t image_key);
  // The day of rootd's clock at `request.now`, worked out once per second of it.
  int32_t Day(uint32_t now);

  // Queries, responses and RCODEs: `daily` (AddTotals).
  std::atomic<uint64_t> query_bytes[2] = {};     // [transport]
  std::atomic<uint64_t> response_bytes[2] = {};  // [transport]
  std::atomic<uint64_t> truncated = 0;
  // DNSKEY responses by size, the rollover watch: what fits 512 octets, the 1232 of DNS Flag
  // Day, a 1452-octet Ethernet path, 4096, and larger (TCP only).
  static constexpr uint16_t kDnskeySizeBounds[] = {512, 1232, 1452, 4096};
  static constexpr int kDnskeySizeBuckets = 5;
  std::atomic<uint64_t> dnskey_responses[kDnskeySizeBuckets] = {};
  std::atomic<uint64_t> dnskey_response_bytes = 0;
  std::atomic<uint64_t> edns = 0;
  std::atomic<uint64_t> dnssec_ok = 0;
  std::atomic<uint64_t> ta_queries = 0;            // RFC 8145 5: _ta- QNAMEs
  std::atomic<uint64_t> edns_key_tag_queries = 0;  // RFC 8145 4: EDNS KEY-TAG options
  const SignalContext& signal_context;
  TaSignalCounter ta_signals;
  DailyTraffic daily;  // RSSAC002
  // Day() of the last second seen; the worker's own, never read by readers.
  uint32_t day_second = 0;
  int32_t day_of_second = -1;
  KeyCounter<kImageSlots> answered_by_image;
  // Transport-level events.
  std::atomic<uint64_t> tcp_accepted = 0;
  std::atomic<uint64_t> tcp_closed_idle = 0;
  std::atomic<uint64_t> tcp_evicted = 0;
  std::atomic<uint64_t> tcp_closed_error = 0;
  std::atomic<uint64_t> udp_send_errors = 0;
  // Set once, before the worker starts, by a dataplane worker.
  bool dataplane_worker = false;
  DataplaneCounters dataplane;
};

// Totals over all workers (queries, responses and RCODEs: TrafficCounts).
struct StatsSnapshot : TrafficCounts {
  uint64_t query_bytes[2] = {}, response_bytes[2] = {};
  uint64_t truncated = 0, edns = 0, dnssec_ok = 0;
  uint64_t dnskey_responses[WorkerStats::kDnskeySizeBuckets] = {};  // by size, as WorkerStats
  uint64_t dnskey_response_bytes = 0;
  std::vector<uint64_t> worker_queries;  // per worker, in the order they were added: the load
  uint64_t ta_queries = 0, edns_key_tag_queries = 0;
  TaSignalTotals ta_signals;
  std::map<uint64_t, uint64_t> answered_by_image;  // image identity key -> responses
  uint64_t image_overflow = 0;
  uint64_t tcp_accepted = 0, tcp_closed_idle = 0, tcp_evicted = 0, tcp_closed_error = 0, udp_send_errors = 0;
  // Dataplane workers and their frame counters, summed (DataplaneCounters).
  uint64_t dataplane_workers = 0;
  uint64_t dp_rx = 0, dp_tx = 0, dp_tx_dropped = 0, dp_to_kernel = 0, dp_from_kernel = 0, dp_truncated_to_fit = 0;
  uint64_t dp_frames[DataplaneCounters::kReasons] = {};

  uint64_t SignalOverflow() const;  // signals in the overflow bucket
  std::string ToText() const;
  std::string ToJson() const;
  // ToJson's members without the braces, for a reply that adds its own.
  void WriteJsonFields(JsonWriter& json) const;
};

// Owns every worker's stats; workers get theirs once, at start.
class StatsRegistry {
 public:
  // A random source-hash key; `clock` (may be null: real time) must outlive the registry.
  explicit StatsRegistry(const TaSignalLimits& limits = {}, const LabClock* clock = nullptr);
  WorkerStats* Add();
  StatsSnapshot Snapshot() const;
  // RSSAC002: one day's counters summed over the workers; the days they hold.
  DailyTotals Daily(int32_t day) const;
  std::vector<int32_t> DaysHeld() const;
  // Today by rootd's clock.
  int32_t Today() const;

 private:
  SignalContext signal_context_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<WorkerStats>> workers_;
};

}  // namespace rootd::server
