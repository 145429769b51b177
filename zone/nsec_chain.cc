#include "zone/nsec_chain.h"

#include <algorithm>

#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/signer.h"

namespace rootd::zone {

std::string TypeBitmap(const std::vector<uint16_t>& sorted_types) {
  std::string out;
  size_t i = 0;
  while (i < sorted_types.size()) {
    const int window = sorted_types[i] >> 8;
    uint8_t bits[32] = {};
    int len = 0;
    for (; i < sorted_types.size() && (sorted_types[i] >> 8) == window; ++i) {
      const int low = sorted_types[i] & 0xff;
      bits[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
      len = low / 8 + 1;
    }
    out += static_cast<char>(window);
    out += static_cast<char>(len);
    out.append(reinterpret_cast<const char*>(bits), static_cast<size_t>(len));
  }
  return out;
}

std::vector<Record> BuildNsecChain(const Zone& zone, uint32_t ttl) {
  struct Link {
    const Node* node;
    std::vector<uint16_t> types;
  };
  std::vector<Link> links;
  const std::string* cut = nullptr;  // the delegation whose subtree we are in
  for (const Node& node : zone.nodes()) {
    if (cut != nullptr && IsSubdomainOf(node.name, *cut)) continue;  // glue: not authoritative
    cut = nullptr;
    Link link{&node, {}};
    const bool delegation = IsDelegation(zone, node);
    for (const RRset& set : node.rrsets) {
      if (set.type == dns::kTypeNsec) continue;
      if (delegation && set.type != dns::kTypeNs && set.type != dns::kTypeDs) continue;
      link.types.push_back(set.type);
    }
    link.types.push_back(dns::kTypeRrsig);
    link.types.push_back(dns::kTypeNsec);
    std::sort(link.types.begin(), link.types.end());
    link.types.erase(std::unique(link.types.begin(), link.types.end()), link.types.end());
    links.push_back(std::move(link));
    if (delegation) cut = &node.name;
  }
  std::vector<Record> out;
  out.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    const Link& next = links[(i + 1) % links.size()];
    Record r;
    r.owner = links[i].node->name;
    r.type = dns::kTypeNsec;
    r.rclass = dns::kClassIn;
    r.ttl = ttl;
    r.rdata = next.node->name + TypeBitmap(links[i].types);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rootd::zone
