#include "zone/nsec_chain.h"

#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/signer.h"
#include "zone/type_bitmap.h"

namespace rootd::zone {

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
    r.rdata = next.node->name + EncodeTypeBitmap(links[i].types);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rootd::zone
