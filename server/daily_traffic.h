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
// A worker's counters take about 460 KiB, most of it response sizes (TransportCounters).
#pragma once
#include <algorithm>
#include <array>
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
// What became of a query, as a worker counts it: its RCODE slot, or kDroppedOutcome.
inline constexpr int kDroppedOutcome = kRcodeSlots;
inline constexpr int kOutcomes = kRcodeSlots + 1;

using DailySources = HyperLogLog<12>;

inline int TransportIndex(Transport transport) { return transport == Transport::kTcp ? 1 : 0; }

// The key of the source hashes: 16 octets shared by every worker of a registry (k1 made odd),
// and what Ipv4SourceHash multiplies by, worked out from them once.
struct SourceHashKey {
  explicit SourceHashKey(const uint8_t* octets);
  uint64_t k0, k1;
  uint64_t v4_multiplier;  // k1 * (2^32 + 1)
};

// 64 well-mixed bits of an IPv4 source, for DailySources. With SSE4.2 (which DPDK's x86 build
// requires too) a CRC32C, a bijection of the 32-bit address, then (crc << 32 | crc) * k1, one
// multiply to spread it over 64 bits: a third of Mix64's instructions. Over 1,000 keys, the
// estimates of 60,000 consecutive, per-/24, strided and random addresses spread by 1.55-1.78%
// (standard deviation), Mix64's by 1.56-1.66%, HyperLogLog's own being 1.63%;
// rssac002_test.cc checks 16 keys.
inline uint64_t Ipv4SourceHash(uint32_t v4, const SourceHashKey& key) {
#if defined(__SSE4_2__)
  const uint64_t crc = __builtin_ia32_crc32si(static_cast<uint32_t>(key.k0), v4);
  return crc * key.v4_multiplier;
#else
  return Mix64(v4 ^ key.k0);
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

// The same, as one worker counts them for one transport. Each query is one bump in `requests`,
// its request size split by family and by outcome, so that the one bump counts its size, its
// RCODE and the query itself (they are the histogram's sums); each response is one more, in
// `responses`, which has a slot for every size a message can have (a clamp fewer per query,
// for 64 KiB a family): sizes of 4096 and more are summed into RSSAC002's last bucket when read.
inline constexpr int kResponseSizeSlots = 65536 / 16;
struct TransportCounters {
  // [family][outcome * kRequestSizeBuckets + request size bucket]
  std::atomic<uint64_t> requests[2][kOutcomes * kRequestSizeBuckets] = {};
  std::atomic<uint64_t> responses[2][kResponseSizeSlots] = {};             // [family][size / 16]
};

struct TrafficCounters {
  TransportCounters transports[2];

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

// Counting queries into one day slot, for one transport: the slot's arrays and the source-hash
// key held in the writer itself, so that they stay in registers over a burst (the compiler
// must otherwise assume that every counter's store may have changed them). Inline: it is
// most of the cost of counting.
class DailySlotWriter {
 public:
  DailySlotWriter(DailySlot& slot, int t, const SourceHashKey& key)
      : counters_(&slot.traffic.transports[t]), sources_(slot.sources), key_(key) {}

  // A query answered, and one dropped (info.dropped): its size, the response's and the RCODE
  // (when answered), its source.
  [[gnu::always_inline]] void CountAnswered(const Request& request, const QueryInfo& info) const { Count<true>(request, info); }
  [[gnu::always_inline]] void CountDropped(const Request& request, const QueryInfo& info) const { Count<false>(request, info); }

 private:
  template <bool kAnswered>
  [[gnu::always_inline]] void Count(const Request& request, const QueryInfo& info) const;
  // The request's size and the response's, of family index `f` (0 IPv4, 1 IPv6).
  template <bool kAnswered>
  [[gnu::always_inline]] void CountSizes(int f, const QueryInfo& info) const;

  TransportCounters* counters_;
  DailySources* sources_;
  SourceHashKey key_;
};

class DailyTraffic {
 public:
  // `source_key`: 16 octets keying the source hash (shared by every worker of a registry).
  explicit DailyTraffic(const uint8_t* source_key);

  // By the owning worker: a writer for the slot of `day` and transport index `t` (0 UDP, 1
  // TCP), the slot taken over first if it holds another day. A burst's queries share one.
  DailySlotWriter WriterFor(int32_t day, int t);
  void Record(int32_t day, const Request& request, const QueryInfo& info) {
    const DailySlotWriter writer = WriterFor(day, TransportIndex(request.transport));
    info.dropped ? writer.CountDropped(request, info) : writer.CountAnswered(request, info);
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

  const SourceHashKey key_;
  std::unique_ptr<DailySlot[]> slots_;  // [day & 1]
  TrafficCounters retired_;  // what slots held before they turned over
  // Odd while a slot turns over: readers of the totals read again.
  std::atomic<uint32_t> turnovers_{0};
};

inline DailySlotWriter DailyTraffic::WriterFor(int32_t day, int t) {
  DailySlot& slot = slots_[day & 1];
  if (slot.day.load(std::memory_order_relaxed) != day) [[unlikely]] TurnOver(slot, day);
  return DailySlotWriter(slot, t, key_);
}

// The family is a branch rather than an index, so that each side's counters are at constant
// offsets from the slot's arrays; the address size tells both the family and whether there is
// an address to count.
template <bool kAnswered>
inline void DailySlotWriter::Count(const Request& request, const QueryInfo& info) const {
  if (request.client_address_size == 4) [[likely]] {
    CountSizes<kAnswered>(0, info);
    uint32_t v4;
    std::memcpy(&v4, request.client_address, 4);
    sources_[0].Add(Ipv4SourceHash(v4, key_));
  } else if (request.client_address_size == 16) {
    CountSizes<kAnswered>(1, info);
    uint64_t prefix, host;
    std::memcpy(&prefix, request.client_address, 8);
    std::memcpy(&host, request.client_address + 8, 8);
    const uint64_t prefix_hash = Mix64(prefix ^ key_.k0);
    sources_[1].Add(Mix64(prefix_hash ^ host ^ key_.k1));
    sources_[2].Add(prefix_hash);
  } else {
    CountSizes<kAnswered>(0, info);
  }
}

// The RCODE's row of `requests` as an offset, for each RCODE a QueryInfo can hold: a load
// where clamping and multiplying would take five instructions.
inline constexpr auto kRcodeRowOffsets = [] {
  std::array<uint16_t, 256> offsets{};
  for (int rcode = 0; rcode < 256; ++rcode) offsets[rcode] = std::min(rcode, kOtherRcodeSlot) * kRequestSizeBuckets;
  return offsets;
}();

template <bool kAnswered>
inline void DailySlotWriter::CountSizes(int f, const QueryInfo& info) const {
  const size_t request_bucket = std::min<size_t>(size_t{info.query_size} / 16, kRequestSizeBuckets - 1);
  if (kAnswered) {
    Bump(counters_->requests[f][kRcodeRowOffsets[info.rcode] + request_bucket]);
    Bump(counters_->responses[f][size_t{info.response_size} / 16]);
  } else {
    Bump(counters_->requests[f][kDroppedOutcome * kRequestSizeBuckets + request_bucket]);
  }
}

}  // namespace rootd::server
