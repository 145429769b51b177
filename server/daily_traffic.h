// RSSAC002's daily counters (traffic volume, sizes in 16-octet buckets, RCODEs, unique
// sources), per worker and per day of rootd's clock. Each worker keeps two day slots, today's
// and the day before, chosen by the day's parity: the first query of a new day clears the slot
// of two days ago and takes it over. Readers sum the slots tagged with the day they ask for;
// a day stays readable until the day after next begins (the RSSAC002 writer takes it at the
// turn of the day). Unique sources are HyperLogLog estimates (4096 registers: 1.6%).
//
// The slots also carry the running totals of queries, responses and RCODEs (stats.h reads them
// here rather than counting every query twice): a slot that turns over first adds what it held
// to the worker's retired counts, under a sequence count that tells readers to read again.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "server/hyperloglog.h"
#include "server/worker_counter.h"

namespace rootd::server {

// RSSAC002 v5's size histograms: requests 0-15 ... 272-287 and 288 or more; responses 0-15
// ... 4080-4095 and 4096 or more.
inline constexpr int kRequestSizeBuckets = 19;
inline constexpr int kResponseSizeBuckets = 257;
// RCODEs 0-22 by number; the last slot, kOtherRcodeSlot, counts anything above 22.
inline constexpr int kRcodeSlots = 24;
inline constexpr int kOtherRcodeSlot = kRcodeSlots - 1;

using DailySources = HyperLogLog<12>;

inline int TransportIndex(Transport transport) { return transport == Transport::kTcp ? 1 : 0; }

// 64 well-mixed bits of an IPv4 source under a 16-octet key (key[1] odd), for DailySources.
// With SSE4.2 (which DPDK's x86 build requires too) a CRC32C, a bijection of the 32-bit
// address, then one multiply to spread it over 64 bits: a third of Mix64's instructions. Over
// 1,000 keys, the estimates of 60,000 consecutive, per-/24, strided and random addresses
// spread by 1.55-1.78% (standard deviation), Mix64's by 1.56-1.66%, HyperLogLog's own being
// 1.63%; rssac002_test.cc checks 16 keys.
inline uint64_t Ipv4SourceHash(uint32_t v4, const uint64_t key[2]) {
#if defined(__SSE4_2__)
  const uint64_t crc = __builtin_ia32_crc32si(static_cast<uint32_t>(key[0]), v4);
  return (crc << 32 | crc) * key[1];
#else
  return Mix64(v4 ^ key[0]);
#endif
}

// A day as the counters number it (days since 1970-01-01, UTC), in `format` (absl::FormatTime).
std::string DayText(int32_t day, const char* format = "%Y-%m-%d");

// What a day counts, summed: queries and responses by transport and family, their sizes by
// transport, RCODEs.
struct TrafficCounts {
  uint64_t queries[2][2] = {};    // [transport][family]
  uint64_t responses[2][2] = {};  // [transport][family]
  uint64_t request_sizes[2][kRequestSizeBuckets] = {};    // [transport]
  uint64_t response_sizes[2][kResponseSizeBuckets] = {};  // [transport]
  uint64_t rcodes[kRcodeSlots] = {};

  void Add(const TrafficCounts& other);
  uint64_t TotalQueries() const;
  uint64_t TotalResponses() const;
  uint64_t Dropped() const { return TotalQueries() - TotalResponses(); }  // queries not answered
};

// The same, as one worker counts them: each query is one bump in a size histogram split by
// family too, and the query and response counts are the histograms' sums.
struct TrafficCounters {
  std::atomic<uint64_t> request_sizes[2][2][kRequestSizeBuckets] = {};    // [transport][family]
  std::atomic<uint64_t> response_sizes[2][2][kResponseSizeBuckets] = {};  // [transport][family]
  std::atomic<uint64_t> rcodes[kRcodeSlots] = {};

  void AddTo(TrafficCounts* totals) const;
  // By the owning worker only.
  void Add(const TrafficCounters& other);
  void Clear();
};

// One day of one worker.
struct DailySlot {
  std::atomic<int32_t> day{-1};  // days since 1970-01-01 by rootd's clock; -1: unused
  TrafficCounters traffic;
  DailySources sources[3];  // IPv4, IPv6, IPv6 /64 aggregates

  void Clear(int32_t new_day);
};

// Sums over workers for one day.
struct DailyTotals : TrafficCounts {
  int32_t day = -1;
  uint64_t sources[3] = {};  // estimated
  bool seen = false;         // some worker counted on that day
};

class DailyTraffic {
 public:
  // `source_key`: 16 octets keying the source hash (shared by every worker of a registry).
  explicit DailyTraffic(const uint8_t* source_key);

  // By the owning worker, once per query: the slot of the query's day, then the query
  // counted in it (inline: it is most of the cost of counting), `t` its transport's index
  // (0 UDP, 1 TCP). SlotFor takes a slot over for a new day; a burst's queries share one.
  DailySlot& SlotFor(int32_t day);
  void Count(DailySlot& slot, int t, const Request& request, const QueryInfo& info) const;
  void Record(int32_t day, const Request& request, const QueryInfo& info) {
    Count(SlotFor(day), TransportIndex(request.transport), request, info);
  }

  // Readers: every worker's slot for `day` summed (sources merged).
  static DailyTotals Sum(const std::vector<const DailyTraffic*>& workers, int32_t day);
  // The days some slot holds, for the writer to find finished days.
  void DaysHeld(std::vector<int32_t>* days) const;
  // Readers: this worker's counts since it started (every day, held or retired).
  void AddTotals(TrafficCounts* totals) const;

 private:
  // Takes `slot` over for `day`, its counts added to retired_ first.
  void TurnOver(DailySlot& slot, int32_t day);

  uint64_t key_[2];  // key_[1] odd (Ipv4SourceHash)
  std::unique_ptr<DailySlot[]> slots_;  // [day & 1]
  TrafficCounters retired_;  // what slots held before they turned over
  // Odd while a slot turns over: readers of the totals read again.
  std::atomic<uint32_t> turnovers_{0};
};

inline DailySlot& DailyTraffic::SlotFor(int32_t day) {
  DailySlot& slot = slots_[day & 1];
  if (slot.day.load(std::memory_order_relaxed) != day) [[unlikely]] TurnOver(slot, day);
  return slot;
}

[[gnu::always_inline]] inline void DailyTraffic::Count(DailySlot& slot, int t, const Request& request,
                                                       const QueryInfo& info) const {
  const int f = request.client_address_size == 16 ? 1 : 0;
  Bump(slot.traffic.request_sizes[t][f][std::min<size_t>(info.query_size / 16, kRequestSizeBuckets - 1)]);
  if (!info.dropped) {
    Bump(slot.traffic.response_sizes[t][f][std::min<size_t>(info.response_size / 16, kResponseSizeBuckets - 1)]);
    Bump(slot.traffic.rcodes[std::min<int>(info.rcode, kOtherRcodeSlot)]);
  }
  if (request.client_address == nullptr) return;
  if (f == 0) {
    uint32_t v4;
    std::memcpy(&v4, request.client_address, 4);
    slot.sources[0].Add(Ipv4SourceHash(v4, key_));
  } else {
    uint64_t prefix, host;
    std::memcpy(&prefix, request.client_address, 8);
    std::memcpy(&host, request.client_address + 8, 8);
    const uint64_t prefix_hash = Mix64(prefix ^ key_[0]);
    slot.sources[1].Add(Mix64(prefix_hash ^ host ^ key_[1]));
    slot.sources[2].Add(prefix_hash);
  }
}

}  // namespace rootd::server
