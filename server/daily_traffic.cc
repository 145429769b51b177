#include "server/daily_traffic.h"

#include <cstring>

#include "absl/time/time.h"

#include "server/stats.h"

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

void DailySlot::Clear(int32_t new_day) {
  day.store(-1, kRelaxed);  // readers skip it while it is cleared
  for (int t = 0; t < 2; ++t) {
    ClearAll(queries[t]);
    ClearAll(responses[t]);
    ClearAll(request_sizes[t]);
    ClearAll(response_sizes[t]);
  }
  ClearAll(rcodes);
  for (DailySources& s : sources) s.Clear();
  day.store(new_day, std::memory_order_release);
}

DailyTraffic::DailyTraffic(const uint8_t* source_key) : slots_(new DailySlot[2]) {
  std::memcpy(key_, source_key, sizeof key_);
}

void DailyTraffic::Record(int32_t day, const Request& request, const QueryInfo& info) {
  DailySlot& slot = slots_[day & 1];
  if (slot.day.load(kRelaxed) != day) slot.Clear(day);
  const int t = request.transport == Transport::kTcp ? 1 : 0;
  const int f = request.client_address_size == 16 ? 1 : 0;
  Bump(slot.queries[t][f]);
  Bump(slot.request_sizes[t][std::min<int>(info.query_size / 16, kRequestSizeBuckets - 1)]);
  if (!info.dropped) {
    Bump(slot.responses[t][f]);
    Bump(slot.response_sizes[t][std::min<int>(info.response_size / 16, kResponseSizeBuckets - 1)]);
    Bump(slot.rcodes[info.rcode < kRcodeSlots - 1 ? info.rcode : kRcodeSlots - 1]);
  }
  if (request.client_address == nullptr) return;
  if (f == 0) {
    uint32_t v4;
    std::memcpy(&v4, request.client_address, 4);
    slot.sources[0].Add(Mix64(v4 ^ key_[0]));
  } else {
    uint64_t prefix, host;
    std::memcpy(&prefix, request.client_address, 8);
    std::memcpy(&host, request.client_address + 8, 8);
    const uint64_t prefix_hash = Mix64(prefix ^ key_[0]);
    slot.sources[1].Add(Mix64(prefix_hash ^ host ^ key_[1]));
    slot.sources[2].Add(prefix_hash);
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
    for (int t = 0; t < 2; ++t) {
      for (int f = 0; f < 2; ++f) {
        totals.queries[t][f] += slot.queries[t][f].load(kRelaxed);
        totals.responses[t][f] += slot.responses[t][f].load(kRelaxed);
      }
      for (int b = 0; b < kRequestSizeBuckets; ++b) totals.request_sizes[t][b] += slot.request_sizes[t][b].load(kRelaxed);
      for (int b = 0; b < kResponseSizeBuckets; ++b) totals.response_sizes[t][b] += slot.response_sizes[t][b].load(kRelaxed);
    }
    for (int r = 0; r < kRcodeSlots; ++r) totals.rcodes[r] += slot.rcodes[r].load(kRelaxed);
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
