#include "server/daily_traffic.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "absl/time/time.h"

namespace rootd::server {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

template <size_t N>
void ClearAll(std::atomic<uint64_t> (&counters)[N]) {
  for (auto& c : counters) c.store(0, kRelaxed);
}
}  // namespace

std::string DayText(int32_t day, const char* format) {
  return absl::FormatTime(format, absl::FromUnixSeconds(int64_t{day} * 86400), absl::UTCTimeZone());
}

void TrafficCounts::Add(const TrafficCounts& other) {
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) {
      queries[t][f] += other.queries[t][f];
      responses[t][f] += other.responses[t][f];
    }
    for (int b = 0; b < kRequestSizeBuckets; ++b) request_sizes[t][b] += other.request_sizes[t][b];
    for (int b = 0; b < kResponseSizeBuckets; ++b) response_sizes[t][b] += other.response_sizes[t][b];
  }
  for (int r = 0; r < kRcodeSlots; ++r) rcodes[r] += other.rcodes[r];
}

uint64_t TrafficCounts::TotalQueries() const { return queries[0][0] + queries[0][1] + queries[1][0] + queries[1][1]; }
uint64_t TrafficCounts::TotalResponses() const {
  return responses[0][0] + responses[0][1] + responses[1][0] + responses[1][1];
}

void TrafficCounters::AddTo(TrafficCounts* totals) const {
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) {
      for (int outcome = 0; outcome < kOutcomes; ++outcome) {
        for (int b = 0; b < kRequestSizeBuckets; ++b) {
          const uint64_t n = transports[t].requests[f][outcome * kRequestSizeBuckets + b].load(kRelaxed);
          totals->queries[t][f] += n;
          totals->request_sizes[t][b] += n;
          if (outcome != kDroppedOutcome) totals->rcodes[outcome] += n;
        }
      }
      for (int slot = 0; slot < kResponseSizeSlots; ++slot) {
        const uint64_t n = transports[t].responses[f][slot].load(kRelaxed);
        totals->responses[t][f] += n;
        totals->response_sizes[t][std::min(slot, kResponseSizeBuckets - 1)] += n;
      }
    }
  }
}

void TrafficCounters::Add(const TrafficCounters& other) {
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) {
      for (int i = 0; i < kOutcomes * kRequestSizeBuckets; ++i) {
        Bump(transports[t].requests[f][i], other.transports[t].requests[f][i].load(kRelaxed));
      }
      for (int slot = 0; slot < kResponseSizeSlots; ++slot) {
        Bump(transports[t].responses[f][slot], other.transports[t].responses[f][slot].load(kRelaxed));
      }
    }
  }
}

void TrafficCounters::Clear() {
  for (TransportCounters& counters : transports) {
    for (int f = 0; f < 2; ++f) {
      ClearAll(counters.requests[f]);
      ClearAll(counters.responses[f]);
    }
  }
}

void DailySlot::Clear(int32_t new_day) {
  day.store(-1, kRelaxed);  // readers skip it while it is cleared
  traffic.Clear();
  for (DailySources& s : sources) s.Clear();
  day.store(new_day, std::memory_order_release);
}

SourceHashKey::SourceHashKey(const uint8_t* octets) {
  std::memcpy(&k0, octets, 8);
  std::memcpy(&k1, octets + 8, 8);
  k1 |= 1;
  v4_multiplier = k1 * 0x100000001;
}

DailyTraffic::DailyTraffic(const uint8_t* source_key) : key_(source_key), slots_(new DailySlot[2]) {}

// A sequence lock (Boehm, "Can seqlocks get along with programming language memory models?",
// 2012): the odd count is visible before any of the stores that follow the release fence.
void DailyTraffic::TurnOver(DailySlot& slot, int32_t day) {
  const uint32_t sequence = turnovers_.load(kRelaxed);
  turnovers_.store(sequence + 1, kRelaxed);
  std::atomic_thread_fence(std::memory_order_release);
  retired_.Add(slot.traffic);
  slot.Clear(day);
  turnovers_.store(sequence + 2, std::memory_order_release);
}

void DailyTraffic::AddTotals(TrafficCounts* totals) const {
  for (;;) {
    const uint32_t sequence = turnovers_.load(std::memory_order_acquire);
    TrafficCounts counts;
    retired_.AddTo(&counts);
    for (int i = 0; i < 2; ++i) slots_[i].traffic.AddTo(&counts);  // an unused slot holds zeros
    std::atomic_thread_fence(std::memory_order_acquire);
    if (sequence % 2 == 0 && turnovers_.load(kRelaxed) == sequence) {
      totals->Add(counts);
      return;
    }
    std::this_thread::yield();  // the worker is turning a slot over: a few microseconds
  }
}

DailyTotals DailyTraffic::Sum(const std::vector<const DailyTraffic*>& workers, int32_t day) {
  DailyTotals totals;
  totals.day = day;
  DailySources::Registers merged[3] = {};
  for (const DailyTraffic* worker : workers) {
    const DailySlot& slot = worker->slots_[day & 1];
    if (slot.day.load(std::memory_order_acquire) != day) continue;
    totals.seen = true;
    slot.traffic.AddTo(&totals);
    for (int s = 0; s < 3; ++s) slot.sources[s].MaxInto(&merged[s]);
  }
  for (int s = 0; s < 3; ++s) totals.sources[s] = totals.seen ? DailySources::Estimate(merged[s]) : 0;
  return totals;
}

void DailyTraffic::DaysHeld(std::vector<int32_t>* days) const {
  for (int i = 0; i < 2; ++i) {
    const int32_t day = slots_[i].day.load(std::memory_order_acquire);
    if (day >= 0) days->push_back(day);
  }
}

}  // namespace rootd::server
