// The apex DNSKEY RRset, each key parsed into an OpenSSL key once so that thousands of
// signature checks (from several threads) reuse it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zone/public_key.h"
#include "zone/zone.h"

namespace rootd::zone {

struct ApexKey {
  const Record* record = nullptr;
  uint16_t tag = 0;  // over the RDATA as published: a REVOKEd key has a different tag
  uint16_t flags = 0;
  uint8_t protocol = 0;
  uint8_t algorithm = 0;
  std::optional<PublicKey> key;  // empty when the key cannot be used
  std::string key_error;         // why `key` is empty

  bool is_zone_key() const;
  bool is_sep() const;
  bool is_revoked() const;
  int bits() const { return key ? key->bits() : 0; }
};

class ApexKeys {
 public:
  static ApexKeys FromZone(const Zone& zone);

  const std::vector<ApexKey>& keys() const { return keys_; }
  // Indexes of keys with this tag and algorithm (tags collide; all must be tried).
  std::vector<int> Candidates(uint16_t tag, uint8_t algorithm) const;

 private:
  std::vector<ApexKey> keys_;
};

}  // namespace rootd::zone
