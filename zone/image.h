// ZoneImage: the immutable, precompiled answers of one root zone version. Answering a query is
// a lookup here plus a copy of the body found (see response_body.h).
//
// The image has two parts, each shared by pointer: the apex answers (SOA, NS, DNSKEY, ...)
// and the delegation answers (one referral per TLD, DS answers, one NXDOMAIN body per NSEC
// gap). A new DNSKEY RRset (a signature bundle) rebuilds only the small apex part.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/body_store.h"
#include "zone/response_body.h"
#include "zone/zone.h"

namespace rootd::zone {

// The first 8 octets of a lowercase label, zero-padded, as a big-endian number: keys order
// labels as canonical order does, except that labels sharing 8 octets tie.
inline uint64_t LabelKey(std::string_view lower_label) {
  uint64_t key = 0;
  for (size_t i = 0; i < 8; ++i) key = key << 8 | (i < lower_label.size() ? static_cast<uint8_t>(lower_label[i]) : 0);
  return key;
}

// What the lookup needs to know of a query.
struct ImageQuery {
  // The QNAME's last label (the TLD), lowercase, without its length octet; empty for ".".
  std::string_view tld;
  uint64_t tld_key = 0;  // LabelKey(tld)
  bool below_tld = false;  // the QNAME has more than one label
  uint16_t qtype = 0;
  bool dnssec_ok = false;
  bool tcp = false;
};

class ApexAnswers;
class DelegationAnswers;

class ZoneImage {
 public:
  // Compiles every answer of the zone. The zone must be a root zone (CheckRootZoneShape);
  // names below the apex must be delegations or lie below one.
  static absl::StatusOr<std::shared_ptr<const ZoneImage>> Compile(const Zone& zone);

  // The same image with the apex DNSKEY RRset replaced by `dnskeys` and its `signatures`
  // (records owned by "."): only the apex answers are rebuilt.
  absl::StatusOr<std::shared_ptr<const ZoneImage>> WithDnskeys(std::vector<Record> dnskeys,
                                                               std::vector<Record> signatures) const;

  ResponseBody Find(const ImageQuery& query) const { return Body(LocateBody(query, LocateTld(query))); }

  // Find() in three steps, for bursts of queries: each step reads only what the one before
  // prefetched, so a caller that runs every step over the whole burst before the next
  // overlaps the cache misses of many queries (Engine::AnswerBurst) instead of waiting out
  // each in turn. Step 1 prefetches the TLD index slot; step 2 reads it and prefetches the
  // TLD entries it points to, returning where the search starts; step 3 finds the body and
  // prefetches its header and first octets; Body() reads it.
  void PrefetchTld(const ImageQuery& query) const;
  size_t LocateTld(const ImageQuery& query) const;
  const uint64_t* LocateBody(const ImageQuery& query, size_t tld_search_start) const;
  static ResponseBody Body(const uint64_t* located) { return BodyStore::View(located); }

  uint32_t serial() const;
  size_t tld_count() const;
  size_t body_count() const;
  size_t memory_bytes() const;

  ZoneImage(std::shared_ptr<const ApexAnswers> apex, std::shared_ptr<const DelegationAnswers> delegations);
  ~ZoneImage();

 private:
  std::shared_ptr<const ApexAnswers> apex_;
  std::shared_ptr<const DelegationAnswers> delegations_;
};

}  // namespace rootd::zone
