// Which nodes of a zone are authoritative, delegation points or glue (RFC 4035 2.2, 2.3).
// Signature and NSEC checks both depend on this: below a zone cut nothing is signed or
// covered by NSEC, and at a cut only DS and NSEC are the parent's data.
#pragma once
#include <vector>

#include "zone/zone.h"

namespace rootd::zone {

enum class NodeRole {
  kApex,           // the zone's origin
  kAuthoritative,  // ordinary authoritative data
  kDelegation,     // has NS and is not the apex: a zone cut
  kGlue,           // at or below a zone cut's descendants (occluded / glue)
};

// One role per Zone::nodes() entry, same index. Without an apex the zone has no cuts, so
// every node is authoritative.
std::vector<NodeRole> ClassifyNodes(const Zone& zone);

// True for RRsets the zone signs: everything at authoritative nodes and the apex; only DS and
// NSEC at a delegation; nothing in glue.
bool IsSignedRRset(NodeRole role, uint16_t type);

}  // namespace rootd::zone
