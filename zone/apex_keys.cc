#include "zone/apex_keys.h"

#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"

namespace rootd::zone {

bool ApexKey::is_zone_key() const { return (flags & dns::kDnskeyZoneKey) != 0; }
bool ApexKey::is_sep() const { return (flags & dns::kDnskeySep) != 0; }
bool ApexKey::is_revoked() const { return (flags & dns::kDnskeyRevoke) != 0; }

ApexKeys ApexKeys::FromZone(const Zone& zone) {
  ApexKeys out;
  const Node* apex = zone.apex();
  const RRset* set = apex != nullptr ? apex->Find(dns::kTypeDnskey) : nullptr;
  if (set == nullptr) return out;
  for (const Record* r : set->records) {
    ApexKey k;
    k.record = r;
    k.tag = KeyTag(r->rdata);
    k.flags = DnskeyFlags(r->rdata);
    k.protocol = r->rdata.size() >= 3 ? static_cast<uint8_t>(r->rdata[2]) : 0;
    k.algorithm = DnskeyAlgorithm(r->rdata);
    if (k.protocol != 3) {
      k.key_error = "DNSKEY protocol is not 3";
    } else {
      absl::StatusOr<PublicKey> key = PublicKey::FromDnskey(r->rdata);
      if (key.ok()) {
        k.key.emplace(*std::move(key));
      } else {
        k.key_error = std::string(key.status().message());
      }
    }
    out.keys_.push_back(std::move(k));
  }
  return out;
}

std::vector<int> ApexKeys::Candidates(uint16_t tag, uint8_t algorithm) const {
  std::vector<int> out;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].tag == tag && keys_[i].algorithm == algorithm) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace rootd::zone
