#include "zone/key_roles.h"

#include <algorithm>

#include "zone/text.h"

namespace rootd::zone {

std::string KeyRole::ToString() const {
  std::string out = Cat(int{tag}, " alg ", int{algorithm}, " ", bits, " bits flags ", int{flags}, ksk ? " KSK" : " ZSK");
  if (revoked) out += " REVOKED";
  if (trust_anchored) out += " anchored";
  if (signs.empty()) {
    out += " signs nothing";
  } else {
    out += " signs";
    for (uint16_t t : signs) out += Cat(" ", TypeToText(t));
  }
  return Cat(out, " (", location, ")");
}

std::vector<KeyRole> DescribeKeyRoles(const Zone& zone, const ApexKeys& keys, const SignatureReport& signatures,
                                      const AnchorReport* anchor) {
  std::vector<KeyRole> roles;
  for (const ApexKey& k : keys.keys()) {
    KeyRole r;
    r.tag = k.tag;
    r.algorithm = k.algorithm;
    r.bits = k.bits();
    r.flags = k.flags;
    r.ksk = k.is_sep();
    r.revoked = k.is_revoked();
    r.location = zone.Where(*k.record);
    roles.push_back(std::move(r));
  }
  for (const VerifiedSignature& v : signatures.verified) {
    if (v.key_index < 0 || static_cast<size_t>(v.key_index) >= roles.size()) continue;
    roles[v.key_index].signs.push_back(v.type_covered);
    ++roles[v.key_index].signatures;
  }
  for (KeyRole& r : roles) {
    std::sort(r.signs.begin(), r.signs.end());
    r.signs.erase(std::unique(r.signs.begin(), r.signs.end()), r.signs.end());
  }
  if (anchor != nullptr) {
    for (const AnchorMatch& m : anchor->matches) roles[m.key_index].trust_anchored = true;
  }
  return roles;
}

}  // namespace rootd::zone
