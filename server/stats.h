// Query statistics: the one path every transport reports through. Each worker owns one
// WorkerStats (cache-line aligned, single writer, relaxed atomics so that the control thread
// may read while workers count) and calls Record() once per query it handled; readers merge
// every worker's counters into a StatsSnapshot on demand. No lock and no shared cache line is
// written per query.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/engine.h"
#include "server/json_writer.h"

namespace rootd::server {

// Counts per 16-bit or 64-bit key (RFC 8145 key tags, image identities): a small
// open-addressing table with one writer; keys beyond its capacity are counted in `overflow`.
template <int kSlots>
class KeyCounter {
 public:
  void Add(uint64_t key);
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
  // Distinct key tags one worker tells apart: a root zone has a few keys, and during a roll a
  // few more are reported (old, new, revoked, stand-by); 64 leaves room for lab keys and noise.
  static constexpr int kTagSlots = 64;
  // Images one worker tells apart between two reads: the old and the new one of a swap, and a
  // few more swaps in quick succession (bundle tests); older ones are counted as overflow.
  static constexpr int kImageSlots = 8;

  // Everything a counter needs of one query: the transport, the source (Request: transport,
  // address and family, query size), what the engine did (QueryInfo: rcode, flags, sizes,
  // RFC 8145 signals) and which image answered (its ImageIdentity::StatsKey()).
  void Record(const Request& request, const QueryInfo& info, uint64_t image_key);

  // [transport][family]
  std::atomic<uint64_t> queries[2][2] = {};
  std::atomic<uint64_t> responses[2][2] = {};
  std::atomic<uint64_t> query_bytes[2] = {};     // [transport]
  std::atomic<uint64_t> response_bytes[2] = {};  // [transport]
  std::atomic<uint64_t> dropped = 0;
  std::atomic<uint64_t> rcodes[24] = {};  // index 23: anything above 22
  std::atomic<uint64_t> truncated = 0;
  std::atomic<uint64_t> edns = 0;
  std::atomic<uint64_t> dnssec_ok = 0;
  std::atomic<uint64_t> ta_queries = 0;            // RFC 8145 5: _ta- QNAMEs
  std::atomic<uint64_t> edns_key_tag_queries = 0;  // RFC 8145 4: EDNS KEY-TAG options
  KeyCounter<kTagSlots> ta_query_tags;
  KeyCounter<kTagSlots> edns_key_tags;
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

// A counter of one worker, bumped by that worker only: a load and a store, no locked
// instruction on the query path.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Totals over all workers.
struct StatsSnapshot {
  uint64_t queries[2][2] = {};
  uint64_t responses[2][2] = {};
  uint64_t query_bytes[2] = {}, response_bytes[2] = {};
  uint64_t dropped = 0;
  uint64_t rcodes[24] = {};
  uint64_t truncated = 0, edns = 0, dnssec_ok = 0;
  uint64_t ta_queries = 0, edns_key_tag_queries = 0;
  std::map<uint64_t, uint64_t> ta_query_tags, edns_key_tags;
  uint64_t tag_overflow = 0;
  std::map<uint64_t, uint64_t> answered_by_image;  // image identity key -> responses
  uint64_t image_overflow = 0;
  uint64_t tcp_accepted = 0, tcp_closed_idle = 0, tcp_evicted = 0, tcp_closed_error = 0, udp_send_errors = 0;
  // Dataplane workers and their frame counters, summed (DataplaneCounters).
  uint64_t dataplane_workers = 0;
  uint64_t dp_rx = 0, dp_tx = 0, dp_tx_dropped = 0, dp_to_kernel = 0, dp_from_kernel = 0, dp_truncated_to_fit = 0;
  uint64_t dp_frames[DataplaneCounters::kReasons] = {};

  uint64_t TotalQueries() const;
  uint64_t TotalResponses() const;
  std::string ToText() const;
  std::string ToJson() const;
  // ToJson's members without the braces, for a reply that adds its own.
  void WriteJsonFields(JsonWriter& json) const;
};

// Owns every worker's stats; workers get theirs once, at start.
class StatsRegistry {
 public:
  WorkerStats* Add();
  StatsSnapshot Snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<WorkerStats>> workers_;
};

}  // namespace rootd::server
