// Per-worker query statistics. Each worker owns one WorkerStats (cache-line aligned, single
// writer, relaxed atomics so that the control thread may read while workers count); totals
// are summed on demand.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/engine.h"

namespace rootd::server {

enum class Family : uint8_t { kIpv4 = 0, kIpv6 = 1 };

// Counts of RFC 8145 key tags seen, by tag. A small open-addressing table with one writer;
// tags beyond its capacity are counted in `overflow`.
class TagCounter {
 public:
  static constexpr int kSlots = 64;
  void Add(uint16_t tag);
  void AddTo(std::map<uint16_t, uint64_t>* totals, uint64_t* overflow) const;

 private:
  struct Entry {
    std::atomic<uint32_t> tag_plus_one{0};
    std::atomic<uint64_t> count{0};
  };
  Entry entries_[kSlots];
  std::atomic<uint64_t> overflow_{0};
};

struct alignas(64) WorkerStats {
  // [transport][family]
  std::atomic<uint64_t> queries[2][2] = {};
  std::atomic<uint64_t> responses[2][2] = {};
  std::atomic<uint64_t> dropped = 0;
  std::atomic<uint64_t> rcodes[24] = {};  // index 23: anything above 22
  std::atomic<uint64_t> truncated = 0;
  std::atomic<uint64_t> edns = 0;
  std::atomic<uint64_t> dnssec_ok = 0;
  std::atomic<uint64_t> response_bytes = 0;
  std::atomic<uint64_t> ta_queries = 0;         // RFC 8145 5: _ta- QNAMEs
  std::atomic<uint64_t> edns_key_tag_queries = 0;  // RFC 8145 4: EDNS KEY-TAG options
  TagCounter ta_query_tags;
  TagCounter edns_key_tags;
  // Transport-level events.
  std::atomic<uint64_t> tcp_accepted = 0;
  std::atomic<uint64_t> tcp_closed_idle = 0;
  std::atomic<uint64_t> tcp_evicted = 0;
  std::atomic<uint64_t> tcp_closed_error = 0;
  std::atomic<uint64_t> udp_send_errors = 0;

  // One engine call's worth of counting.
  void Count(Transport transport, Family family, const QueryInfo& info);
};

// Totals over all workers.
struct StatsSnapshot {
  uint64_t queries[2][2] = {};
  uint64_t responses[2][2] = {};
  uint64_t dropped = 0;
  uint64_t rcodes[24] = {};
  uint64_t truncated = 0, edns = 0, dnssec_ok = 0, response_bytes = 0;
  uint64_t ta_queries = 0, edns_key_tag_queries = 0;
  std::map<uint16_t, uint64_t> ta_query_tags, edns_key_tags;
  uint64_t tag_overflow = 0;
  uint64_t tcp_accepted = 0, tcp_closed_idle = 0, tcp_evicted = 0, tcp_closed_error = 0, udp_send_errors = 0;

  uint64_t TotalQueries() const;
  uint64_t TotalResponses() const;
  std::string ToText() const;
  std::string ToJson() const;
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
