#include "zone/node_roles.h"

#include "zone/name.h"
#include "zone/rr_types.h"

namespace rootd::zone {

std::vector<NodeRole> ClassifyNodes(const Zone& zone) {
  const std::vector<Node>& nodes = zone.nodes();
  std::vector<NodeRole> roles(nodes.size(), NodeRole::kAuthoritative);
  const Node* apex = zone.apex();
  // Canonical order puts every descendant of a name right after it, so one open cut at a
  // time is enough.
  const Node* cut = nullptr;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    if (&node == apex) {
      roles[i] = NodeRole::kApex;
      continue;
    }
    if (cut != nullptr && IsSubdomainOf(node.name, cut->name)) {
      roles[i] = NodeRole::kGlue;
      continue;
    }
    cut = nullptr;
    if (apex != nullptr && node.Find(dns::kTypeNs) != nullptr) {
      roles[i] = NodeRole::kDelegation;
      cut = &node;
    }
  }
  return roles;
}

bool IsSignedRRset(NodeRole role, uint16_t type) {
  switch (role) {
    case NodeRole::kApex:
    case NodeRole::kAuthoritative:
      return true;
    case NodeRole::kDelegation:
      return type == dns::kTypeDs || type == dns::kTypeNsec;
    case NodeRole::kGlue:
      return false;
  }
  return false;
}

}  // namespace rootd::zone
