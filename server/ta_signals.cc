#include "server/ta_signals.h"

#include <algorithm>
#include <set>

#include "server/worker_counter.h"

namespace rootd::server {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

// A set probes this many slots of its worker's table before it counts as overflow: keeps the
// cost of a flood of junk sets bounded once the table is full.
constexpr int kMaxProbes = 32;


uint64_t KeyHash(const TaSetKey& key) {
  uint64_t h = Mix64(static_cast<uint64_t>(static_cast<uint32_t>(key.day)) << 32 | key.dnskey_id);
  h = Mix64(h ^ (uint64_t{key.tag_count} << 8 | static_cast<uint8_t>(key.kind)));
  for (int i = 0; i < key.tag_count; i += 4) {
    uint64_t word = 0;
    for (int k = i; k < i + 4 && k < key.tag_count; ++k) word = word << 16 | key.tags[k];
    h = Mix64(h ^ word);
  }
  return h;
}

// An exact-set entry: never 0 (a free slot), the family in the top bit.
uint64_t ExactEntry(int family, uint64_t source_hash) {
  return (source_hash & ~(uint64_t{1} << 63)) | uint64_t(family) << 63 | 1;
}
}  // namespace

bool TaSetKey::SetTags(const uint16_t* reported, int count) {
  std::array<uint16_t, 16> sorted;
  if (count > static_cast<int>(sorted.size())) return false;
  std::copy(reported, reported + count, sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + count);
  const int distinct = static_cast<int>(std::unique(sorted.begin(), sorted.begin() + count) - sorted.begin());
  if (distinct > kMaxTags) return false;
  tags = {};
  std::copy(sorted.begin(), sorted.begin() + distinct, tags.begin());
  tag_count = static_cast<uint8_t>(distinct);
  return true;
}

bool TaSetKey::Trusts(uint16_t tag) const { return std::find(tags.begin(), tags.begin() + tag_count, tag) != tags.begin() + tag_count; }

std::string TaSetKey::TagsText() const {
  std::string out;
  for (int i = 0; i < tag_count; ++i) out += (i ? " " : "") + std::to_string(tags[i]);
  return out;
}

TaSignalCounter::TaSignalCounter(const TaSignalLimits& limits)
    : exact_sources_(std::max(1, limits.exact_sources)),
      slots_(new Slot[std::max(1, limits.sets)]),
      slot_count_(std::max(1, limits.sets)) {
  for (int i = 0; i < slot_count_; ++i) slots_[i].sources.exact.reset(new std::atomic<uint64_t>[exact_sources_]());
  overflow_.sources.exact.reset(new std::atomic<uint64_t>[exact_sources_]());
}

void TaSignalCounter::Add(const TaSetKey& key, int family, uint64_t source_hash) {
  const uint64_t start = KeyHash(key);
  for (int probe = 0; probe < kMaxProbes && probe < slot_count_; ++probe) {
    Slot& slot = slots_[(start + probe) % slot_count_];
    if (!slot.used.load(kRelaxed)) {
      slot.key = key;
      slot.used.store(true, std::memory_order_release);
      Count(slot, family, source_hash);
      return;
    }
    if (slot.key == key) {
      Count(slot, family, source_hash);
      return;
    }
  }
  AddOverflow(family, source_hash);
}

void TaSignalCounter::AddOverflow(int family, uint64_t source_hash) { Count(overflow_, family, source_hash); }

void TaSignalCounter::Count(Slot& slot, int family, uint64_t source_hash) {
  Bump(slot.queries[family]);
  Sources& sources = slot.sources;
  sources.sketch[family].Add(source_hash);
  if (sources.exact_full.load(kRelaxed)) return;
  const uint64_t entry = ExactEntry(family, source_hash);
  for (int probe = 0; probe < exact_sources_; ++probe) {
    std::atomic<uint64_t>& held = sources.exact[(entry + probe) % exact_sources_];
    const uint64_t value = held.load(kRelaxed);
    if (value == entry) return;
    if (value == 0) {
      held.store(entry, kRelaxed);
      return;
    }
  }
  sources.exact_full.store(true, kRelaxed);
}

namespace {
// One set's counters across workers, before the sources are counted.
struct Accumulated {
  TaSetCounts counts;
  std::set<uint64_t> exact[2];
  SourceSketch::Registers sketch[2] = {};
  bool exact_full = false;

  TaSetCounts Finish() const {
    TaSetCounts out = counts;
    out.estimated = exact_full;
    for (int f = 0; f < 2; ++f) out.sources[f] = exact_full ? SourceSketch::Estimate(sketch[f]) : exact[f].size();
    return out;
  }
};
}  // namespace

TaSignalTotals TaSignalCounter::Merge(const std::vector<const TaSignalCounter*>& counters) {
  std::map<TaSetKey, Accumulated> sets;
  Accumulated overflow;
  auto accumulate = [](const TaSignalCounter& counter, const Slot& slot, Accumulated& into) {
    for (int f = 0; f < 2; ++f) {
      into.counts.queries[f] += slot.queries[f].load(kRelaxed);
      slot.sources.sketch[f].MaxInto(&into.sketch[f]);
    }
    into.exact_full |= slot.sources.exact_full.load(kRelaxed);
    for (int i = 0; i < counter.exact_sources_; ++i) {
      const uint64_t entry = slot.sources.exact[i].load(kRelaxed);
      if (entry != 0) into.exact[entry >> 63].insert(entry);
    }
  };
  for (const TaSignalCounter* counter : counters) {
    for (int i = 0; i < counter->slot_count_; ++i) {
      const Slot& slot = counter->slots_[i];
      if (slot.used.load(std::memory_order_acquire)) accumulate(*counter, slot, sets[slot.key]);
    }
    accumulate(*counter, counter->overflow_, overflow);
  }
  TaSignalTotals totals;
  for (const auto& [key, accumulated] : sets) totals.sets[key] = accumulated.Finish();
  totals.overflow = overflow.Finish();
  return totals;
}

}  // namespace rootd::server
