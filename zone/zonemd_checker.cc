#include "zone/zonemd_checker.h"

#include <map>

#include "absl/status/statusor.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

// SOA serial: after MNAME and RNAME (uncompressed). False if the RDATA is malformed.
bool SoaSerial(std::string_view rdata, uint32_t* serial) {
  size_t i = 0;
  for (int name = 0; name < 2; ++name) {
    while (i < rdata.size() && rdata[i] != 0) i += 1 + static_cast<uint8_t>(rdata[i]);
    if (i >= rdata.size()) return false;
    ++i;
  }
  if (i + 4 > rdata.size()) return false;
  *serial = Get32(rdata, i);
  return true;
}

std::string HashName(uint8_t hash) {
  switch (hash) {
    case dns::kZonemdSha384: return "SHA-384";
    case dns::kZonemdSha512: return "SHA-512";
    default: return Cat("hash ", int{hash});
  }
}

size_t HashLength(uint8_t hash) { return hash == dns::kZonemdSha384 ? 48 : 64; }

}  // namespace

std::string_view ZonemdStatusName(ZonemdStatus status) {
  switch (status) {
    case ZonemdStatus::kAbsent: return "absent";
    case ZonemdStatus::kVerified: return "verified";
    case ZonemdStatus::kMismatch: return "mismatch";
    case ZonemdStatus::kUnsupported: return "unsupported";
  }
  return "?";
}

std::string ZonemdReport::ToString() const {
  if (status == ZonemdStatus::kVerified) return Cat("verified (", HashName(hash_algorithm), ")");
  return std::string(ZonemdStatusName(status));
}

ZonemdReport CheckZonemd(const Zone& zone) {
  ZonemdReport report;
  const Node* apex = zone.apex();
  const RRset* set = apex != nullptr ? apex->Find(dns::kTypeZonemd) : nullptr;
  if (set == nullptr) return report;
  const RRset* soa = apex->Find(dns::kTypeSoa);
  uint32_t soa_serial = 0;
  if (soa == nullptr || !SoaSerial(soa->records[0]->rdata, &soa_serial)) {
    report.status = ZonemdStatus::kMismatch;
    report.problems.push_back(Cat(zone.Describe(*set->records[0]), ": no usable apex SOA to compare the serial with"));
    return report;
  }
  std::map<uint8_t, std::string> computed;  // per hash algorithm, computed at most once
  std::map<std::pair<uint8_t, uint8_t>, int> seen;
  bool any_supported = false;
  std::vector<std::string> duplicates;
  for (const Record* r : set->records) {
    const std::string_view rd = r->rdata;
    if (rd.size() < 6 + 12) {
      report.problems.push_back(Cat(zone.Describe(*r), ": ZONEMD RDATA too short"));
      continue;
    }
    const uint32_t serial = Get32(rd, 0);
    const auto scheme = static_cast<uint8_t>(rd[4]);
    const auto hash = static_cast<uint8_t>(rd[5]);
    const std::string_view digest = rd.substr(6);
    if (++seen[{scheme, hash}] == 2) {
      // RFC 8976 4: an RRset with two records of one scheme and hash fails verification.
      duplicates.push_back(Cat(zone.Describe(*r), ": more than one ZONEMD with scheme ", int{scheme}, " hash ",
                               int{hash}));
    }
    if (scheme != dns::kZonemdSchemeSimple || (hash != dns::kZonemdSha384 && hash != dns::kZonemdSha512)) continue;
    any_supported = true;
    if (serial != soa_serial) {
      report.problems.push_back(Cat(zone.Describe(*r), ": ZONEMD serial ", serial, " differs from SOA serial ", soa_serial));
      continue;
    }
    if (digest.size() != HashLength(hash)) {
      report.problems.push_back(Cat(zone.Describe(*r), ": ", HashName(hash), " digest is ", digest.size(), " octets"));
      continue;
    }
    auto it = computed.find(hash);
    if (it == computed.end()) {
      absl::StatusOr<std::string> d = ZonemdDigest(zone, hash);
      it = computed.emplace(hash, d.ok() ? *d : std::string()).first;
    }
    if (it->second == digest) {
      if (report.status != ZonemdStatus::kVerified) {
        report.status = ZonemdStatus::kVerified;
        report.hash_algorithm = hash;
      }
    } else {
      report.problems.push_back(Cat(zone.Describe(*r), ": ", HashName(hash), " digest does not match the zone (computed ",
                                    HexEncode(it->second.substr(0, 8)), "..., published ",
                                    HexEncode(digest.substr(0, 8)), "...)"));
    }
  }
  if (!duplicates.empty()) {
    report.status = ZonemdStatus::kMismatch;
    report.problems.insert(report.problems.begin(), duplicates.begin(), duplicates.end());
  } else if (report.status == ZonemdStatus::kVerified) {
    // Mismatching siblings do not fail a zone that one ZONEMD verifies (RFC 8976 4).
    report.problems.clear();
  } else {
    report.status = any_supported ? ZonemdStatus::kMismatch : ZonemdStatus::kUnsupported;
  }
  return report;
}

}  // namespace rootd::zone
