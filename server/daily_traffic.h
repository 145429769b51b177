// RSSAC002's daily counters (traffic volume, sizes in 16-octet buckets, RCODEs, unique
// sources), per worker and per day of rootd's clock. Each worker keeps two day slots, today's
// and the day before, chosen by the day's parity: the first query of a new day clears the slot
// of two days ago and takes it over. Readers sum the slots tagged with the day they ask for;
// a day stays readable until the day after next begins (the RSSAC002 writer takes it at the
// turn of the day). Unique sources are HyperLogLog estimates (4096 registers: 1.6%).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "server/hyperloglog.h"

namespace rootd::server {

// RSSAC002 v5's size histograms: requests 0-15 ... 272-287 and 288 or more; responses 0-15
// ... 4080-4095 and 4096 or more.
inline constexpr int kRequestSizeBuckets = 19;
inline constexpr int kResponseSizeBuckets = 257;
inline constexpr int kRcodeSlots = 24;  // as WorkerStats: index 23 is anything above 22

using DailySources = HyperLogLog<12>;

// A day as the counters number it (days since 1970-01-01, UTC), in `format` (absl::FormatTime).
std::string DayText(int32_t day, const char* format = "%Y-%m-%d");

// One day of one worker.
struct DailySlot {
  std::atomic<int32_t> day{-1};  // days since 1970-01-01 by rootd's clock; -1: unused
  std::atomic<uint64_t> queries[2][2] = {};    // [transport][family]
  std::atomic<uint64_t> responses[2][2] = {};  // [transport][family]
  std::atomic<uint64_t> request_sizes[2][kRequestSizeBuckets] = {};    // [transport]
  std::atomic<uint64_t> response_sizes[2][kResponseSizeBuckets] = {};  // [transport]
  std::atomic<uint64_t> rcodes[kRcodeSlots] = {};
  DailySources sources[3];  // IPv4, IPv6, IPv6 /64 aggregates

  void Clear(int32_t new_day);
};

// Sums over workers for one day.
struct DailyTotals {
  int32_t day = -1;
  uint64_t queries[2][2] = {}, responses[2][2] = {};
  uint64_t request_sizes[2][kRequestSizeBuckets] = {};
  uint64_t response_sizes[2][kResponseSizeBuckets] = {};
  uint64_t rcodes[kRcodeSlots] = {};
  uint64_t sources[3] = {};  // estimated
  bool seen = false;         // some worker counted on that day
};

class DailyTraffic {
 public:
  // `source_key`: 16 octets keying the source hash (shared by every worker of a registry).
  explicit DailyTraffic(const uint8_t* source_key);

  // By the owning worker, once per query.
  void Record(int32_t day, const Request& request, const QueryInfo& info);

  // Readers: every worker's slot for `day` summed (sources merged).
  static DailyTotals Sum(const std::vector<const DailyTraffic*>& workers, int32_t day);
  // The days some slot holds, for the writer to find finished days.
  void DaysHeld(std::vector<int32_t>* days) const;

 private:
  uint64_t key_[2];
  std::unique_ptr<DailySlot[]> slots_;  // [day & 1]
};

}  // namespace rootd::server
