#include "zone/nsec_checker.h"

#include <algorithm>

#include "absl/status/status.h"
#include "zone/name.h"
#include "zone/node_roles.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/type_bitmap.h"

namespace rootd::zone {

namespace {

std::string TypeList(const std::vector<uint16_t>& types) {
  std::string out;
  for (uint16_t t : types) out += (out.empty() ? "" : " ") + TypeToText(t);
  return out;
}

// The types the owner's NSEC must list.
std::vector<uint16_t> ExpectedTypes(const Node& node, NodeRole role) {
  std::vector<uint16_t> types;
  bool signed_data = false;
  for (const RRset& set : node.rrsets) {
    // At a zone cut only NS and the parent's own data (DS, NSEC) are listed (RFC 4035 2.3).
    if (role == NodeRole::kDelegation && set.type != dns::kTypeNs && !IsSignedRRset(role, set.type)) continue;
    types.push_back(set.type);
    if (!set.signatures.empty()) signed_data = true;
  }
  if (signed_data || !node.orphan_signatures.empty()) types.push_back(dns::kTypeRrsig);
  std::sort(types.begin(), types.end());
  return types;
}

}  // namespace

absl::StatusOr<NsecFields> ParseNsec(std::string_view rdata) {
  size_t i = 0;
  while (i < rdata.size() && rdata[i] != 0) i += 1 + static_cast<uint8_t>(rdata[i]);
  if (i >= rdata.size()) return absl::InvalidArgumentError("NSEC next name runs past the RDATA");
  NsecFields f;
  f.next = std::string(rdata.substr(0, i + 1));
  absl::StatusOr<std::vector<uint16_t>> types = DecodeTypeBitmap(rdata.substr(i + 1));
  if (!types.ok()) return types.status();
  f.types = *std::move(types);
  return f;
}

NsecReport CheckNsecChain(const Zone& zone) {
  NsecReport report;
  const std::vector<Node>& nodes = zone.nodes();
  const std::vector<NodeRole> roles = ClassifyNodes(zone);
  std::vector<size_t> owners;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (roles[i] != NodeRole::kGlue) {
      owners.push_back(i);
    } else if (const RRset* nsec = nodes[i].Find(dns::kTypeNsec)) {
      report.problems.push_back(Cat(zone.Describe(*nsec->records[0]), ": NSEC below a delegation"));
    }
  }
  report.owners = owners.size();
  for (size_t o = 0; o < owners.size(); ++o) {
    const Node& node = nodes[owners[o]];
    const RRset* nsec = node.Find(dns::kTypeNsec);
    if (nsec == nullptr) {
      const Record* any = !node.rrsets.empty() ? node.rrsets[0].records[0] : node.orphan_signatures[0];
      report.problems.push_back(Cat(zone.Describe(*any), ": ", NameToText(any->owner), " has no NSEC"));
      continue;
    }
    report.nsec_count += nsec->records.size();
    const Record& rec = *nsec->records[0];
    if (nsec->records.size() > 1) {
      report.problems.push_back(Cat(zone.Describe(rec), ": ", nsec->records.size(), " NSEC records at one name"));
    }
    absl::StatusOr<NsecFields> f = ParseNsec(rec.rdata);
    if (!f.ok()) {
      report.problems.push_back(Cat(zone.Describe(rec), ": ", std::string(f.status().message())));
      continue;
    }
    const Node& expected_next = nodes[owners[(o + 1) % owners.size()]];
    if (LowerName(f->next) != expected_next.name) {
      report.problems.push_back(Cat(zone.Describe(rec), ": next name is ", NameToText(f->next), ", expected ",
                                    NameToText(expected_next.name)));
    }
    const std::vector<uint16_t> expected = ExpectedTypes(node, roles[owners[o]]);
    if (f->types != expected) {
      std::vector<uint16_t> missing, extra;
      std::set_difference(expected.begin(), expected.end(), f->types.begin(), f->types.end(),
                          std::back_inserter(missing));
      std::set_difference(f->types.begin(), f->types.end(), expected.begin(), expected.end(),
                          std::back_inserter(extra));
      std::string msg = Cat(zone.Describe(rec), ": type bitmap");
      if (!missing.empty()) msg += Cat(" lacks ", TypeList(missing));
      if (!extra.empty()) msg += Cat(missing.empty() ? "" : ",", " lists absent ", TypeList(extra));
      report.problems.push_back(std::move(msg));
    }
  }
  return report;
}

}  // namespace rootd::zone
