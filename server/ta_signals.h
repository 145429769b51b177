// RFC 8145 trust-anchor signals, counted in the worker that answers the query: per trust-anchor
// set (the key tags one resolver reports, as one sorted list), per day of rootd's clock and per
// DNSKEY RRset being served, the queries and the distinct sources, by address family.
//
// Bounded whatever the input: each worker has a fixed table of sets, filled first come, first
// served and never evicted, so a flood of made-up tags cannot hide the real KSKs' sets seen
// before it; what finds no room lands in one overflow bucket, itself counted and reported.
// Sources are counted exactly up to a configured bound per set, then estimated (HyperLogLog),
// and every total says which. One writer per table (its worker), relaxed atomics so readers can
// merge at any time; nothing shared is written per query.
#pragma once
#include <array>
#include <atomic>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/hyperloglog.h"

namespace rootd::server {

enum class SignalKind : uint8_t {
  kTaQuery = 0,       // RFC 8145 5: a `_ta-XXXX[-YYYY...]` QNAME, QTYPE NULL
  kKeyTagOption = 1,  // RFC 8145 4: the EDNS edns-key-tag option (14)
};

struct TaSignalLimits {
  int sets = 256;          // per worker: distinct (day, kind, tags, DNSKEY RRset)
  int exact_sources = 64;  // per set and worker: distinct sources counted exactly
};

// One trust-anchor set, as reported on one day while one DNSKEY RRset was served.
struct TaSetKey {
  // A resolver trusts a few keys (old, new, a stand-by); a longer list is noise and overflows.
  static constexpr int kMaxTags = 8;
  int32_t day = 0;         // days since 1970-01-01, by rootd's (lab) clock
  uint32_t dnskey_id = 0;  // ImageIdentity::dnskey_id of the image that answered
  SignalKind kind = SignalKind::kTaQuery;
  uint8_t tag_count = 0;
  std::array<uint16_t, kMaxTags> tags = {};  // ascending, distinct; unused ones 0

  // From the tags as they came (an EDNS option need not be sorted); false when more than
  // kMaxTags distinct tags.
  bool SetTags(const uint16_t* reported, int count);
  bool Trusts(uint16_t tag) const;
  std::string TagsText() const;  // "20326 38696"
  auto operator<=>(const TaSetKey&) const = default;
};

// Distinct sources per set: 256 registers, a standard error of 6.5%, the price of 256 octets
// per set and family.
using SourceSketch = HyperLogLog<8>;

struct TaSetCounts {
  uint64_t queries[2] = {};  // [0] IPv4, [1] IPv6
  uint64_t sources[2] = {};  // distinct source addresses
  bool estimated = false;    // a HyperLogLog estimate: more sources than the exact bound
};

// Every worker's signals merged.
struct TaSignalTotals {
  std::map<TaSetKey, TaSetCounts> sets;
  TaSetCounts overflow;  // signals whose set found no room in a worker's table
};

// One worker's table.
class TaSignalCounter {
 public:
  explicit TaSignalCounter(const TaSignalLimits& limits);

  // `source_hash`: a keyed hash of the source address (the same key in every worker, so that
  // readers can take the union); family 0 IPv4, 1 IPv6.
  void Add(const TaSetKey& key, int family, uint64_t source_hash);
  // Null key: the overflow bucket.
  void AddOverflow(int family, uint64_t source_hash);

  // Readers: every worker's counters into `totals`.
  static TaSignalTotals Merge(const std::vector<const TaSignalCounter*>& counters);

 private:
  // Distinct sources of one set in one worker: the first `exact` hashes kept in an
  // open-addressing table, and every hash in the sketches.
  struct Sources {
    std::unique_ptr<std::atomic<uint64_t>[]> exact;  // hash | 1 (0 marks a free slot)
    std::atomic<bool> exact_full{false};
    SourceSketch sketch[2];
  };
  struct Slot {
    std::atomic<bool> used{false};  // released after `key` is written; never cleared
    TaSetKey key;
    std::atomic<uint64_t> queries[2] = {};
    Sources sources;
  };
  void Count(Slot& slot, int family, uint64_t source_hash);

  const int exact_sources_;
  std::unique_ptr<Slot[]> slots_;
  const int slot_count_;
  Slot overflow_;
};

}  // namespace rootd::server
