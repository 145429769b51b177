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
#include "absl/time/time.h"
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

// One key of the served DNSKEY RRset.
struct ServedKey {
  uint16_t tag = 0;  // as published: REVOKE changes it (19036 becomes 19164)
  uint8_t algorithm = 0;
  bool ksk = false;  // SEP flag
  bool revoked = false;

  bool operator==(const ServedKey&) const = default;
};

// What an image serves, for logs, status and statistics: the zone version and the DNSKEY
// RRset. Two images with equal identities give resolvers the same SOA serial and the same keys.
struct ImageIdentity {
  uint32_t serial = 0;     // SOA serial
  uint32_t dnskey_id = 0;  // DnskeyRRsetId (dnssec_wire.h) of the apex DNSKEY RRset; 0 without one
  std::vector<ServedKey> keys;  // the apex DNSKEYs, ascending by tag, then algorithm
  // The id of the signature bundle (SKR) the DNSKEY RRset came from belongs here, once bundles
  // are loaded; StatsKey stays serial | dnskey_id.

  // One number per (zone version, DNSKEY RRset), for statistics: serial << 32 | dnskey_id.
  uint64_t StatsKey() const { return uint64_t{serial} << 32 | dnskey_id; }
  // "serial 2017082100 dnskey 90ba1bb5 keys 15768/8 ZSK, 19036/8 KSK, 20326/8 KSK".
  std::string ToString() const;
  // "90ba1bb5": a dnskey_id as every report shows it.
  static std::string DnskeyIdText(uint32_t dnskey_id);
  // "2017082100/90ba1bb5": a StatsKey() as the statistics show it.
  static std::string StatsKeyText(uint64_t stats_key);

  bool operator==(const ImageIdentity&) const = default;
};

class ApexAnswers;
class DelegationAnswers;

class ZoneImage {
 public:
  // Compiles every answer of the zone. The zone must be a root zone (CheckRootZoneShape);
  // names below the apex must be delegations or lie below one.
  static absl::StatusOr<std::shared_ptr<const ZoneImage>> Compile(const Zone& zone);

  // The same image with the apex DNSKEY RRset replaced by `dnskeys` and its `signatures`
  // (records owned by "."): only the apex answers are rebuilt, the delegation answers are shared.
  // A wrong DNSKEY RRset breaks validation for every resolver, so the replacement is refused,
  // with the reason, unless it keeps every key that signs the image's other RRsets (compared
  // by RDATA, not by tag: tags collide), every RRSIG over it verifies with one of its own keys,
  // and at least one of them is valid at `at`.
  absl::StatusOr<std::shared_ptr<const ZoneImage>> WithDnskeys(std::vector<Record> dnskeys,
                                                               std::vector<Record> signatures, absl::Time at) const;

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

  const ImageIdentity& identity() const;
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
