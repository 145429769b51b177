#include "zone/root_signing.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/nsec_chain.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

// The SOA's serial and minimum: the last five 32-bit fields of its RDATA are serial, refresh,
// retry, expire, minimum (RFC 1035 3.3.13).
uint32_t SoaField(const Record& soa, int index) { return Get32(soa.rdata, soa.rdata.size() - 20 + 4 * static_cast<size_t>(index)); }

Record ApexRecord(uint16_t type, uint32_t ttl, std::string rdata) {
  return Record{.owner = kRoot, .type = type, .rclass = dns::kClassIn, .ttl = ttl, .rdata = std::move(rdata)};
}

std::vector<Record> OutputOrder(const Zone& zone) {
  std::vector<Record> out;
  out.reserve(zone.records().size());
  for (const Node& node : zone.nodes()) {
    std::vector<const RRset*> sets;
    for (const RRset& set : node.rrsets) sets.push_back(&set);
    std::stable_partition(sets.begin(), sets.end(), [](const RRset* s) { return s->type == dns::kTypeSoa; });
    for (const RRset* set : sets) {
      for (const Record* r : set->records) out.push_back(*r);
      for (const Record* r : set->signatures) out.push_back(*r);
    }
    for (const Record* r : node.orphan_signatures) out.push_back(*r);
  }
  return out;
}

void Append(std::vector<Record>& to, std::vector<Record> more) {
  to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

std::string ZoneFileText(std::string_view header, const std::vector<Record>& records) {
  std::string text(header);
  text.reserve(records.size() * 200);
  for (const Record& r : records) {
    text += RecordToText(r);
    text += '\n';
  }
  return text;
}

std::vector<Record> StripDnssecRecords(std::vector<Record> records) {
  std::erase_if(records, [](const Record& r) {
    return r.type == dns::kTypeDnskey || r.type == dns::kTypeRrsig || r.type == dns::kTypeNsec ||
           r.type == dns::kTypeNsec3 || r.type == dns::kTypeNsec3Param || r.type == dns::kTypeZonemd;
  });
  return records;
}

absl::StatusOr<std::vector<Record>> SignRootZone(std::vector<Record> records, const RootSigningOptions& options) {
  if (options.ksks.empty() || options.zsks.empty()) return absl::InvalidArgumentError("need at least one KSK and one ZSK");
  const auto soa = std::find_if(records.begin(), records.end(),
                                [](const Record& r) { return r.type == dns::kTypeSoa && r.owner == kRoot; });
  if (soa == records.end() || soa->rdata.size() < 22) return absl::InvalidArgumentError("no SOA at the root");
  const uint32_t serial = SoaField(*soa, 0);
  const uint32_t nsec_ttl = SoaField(*soa, 4);  // RFC 4035 2.3

  for (const std::vector<SigningKey>* keys : {&options.ksks, &options.zsks}) {
    for (const SigningKey& k : *keys) records.push_back(ApexRecord(dns::kTypeDnskey, options.dnskey_ttl, k.dnskey_rdata()));
  }
  if (options.zonemd) {
    // A placeholder with the final serial: it must be in place before the NSEC chain (its
    // bitmap lists ZONEMD), and the digest leaves the ZONEMD RRset out.
    std::string zonemd;
    Put32(zonemd, serial);
    zonemd += static_cast<char>(dns::kZonemdSchemeSimple);
    zonemd += static_cast<char>(dns::kZonemdSha384);
    zonemd += std::string(48, '\0');
    records.push_back(ApexRecord(dns::kTypeZonemd, options.zonemd_ttl, std::move(zonemd)));
  }
  {
    absl::StatusOr<Zone> unsigned_zone = Zone::FromRecords({"lab"}, records);
    if (!unsigned_zone.ok()) return unsigned_zone.status();
    Append(records, BuildNsecChain(*unsigned_zone, nsec_ttl));
  }

  // Signatures over everything but ZONEMD, whose digest covers them.
  ZoneSigningOptions signing;
  signing.validity = options.validity;
  signing.dnskey_signers = options.ksks;
  signing.zone_signers = options.zsks;
  signing.skip_types = {dns::kTypeZonemd};
  signing.threads = options.threads;
  {
    absl::StatusOr<Zone> zone = Zone::FromRecords({"lab"}, records);
    if (!zone.ok()) return zone.status();
    absl::StatusOr<std::vector<Record>> sigs = SignZone(*zone, signing);
    if (!sigs.ok()) return sigs.status();
    Append(records, *std::move(sigs));
  }

  if (options.zonemd) {
    auto zonemd = std::find_if(records.begin(), records.end(),
                               [](const Record& r) { return r.type == dns::kTypeZonemd && r.owner == kRoot; });
    {
      absl::StatusOr<Zone> zone = Zone::FromRecords({"lab"}, records);
      if (!zone.ok()) return zone.status();
      absl::StatusOr<std::string> digest = ZonemdDigest(*zone, dns::kZonemdSha384);
      if (!digest.ok()) return digest.status();
      zonemd->rdata.replace(6, std::string::npos, *digest);
    }
    std::vector<Record> zonemd_sigs;
    for (const SigningKey& key : options.zsks) {
      absl::StatusOr<Record> sig = SignRrset(
          key, RrsetToSign{kRoot, dns::kTypeZonemd, dns::kClassIn, options.zonemd_ttl, {zonemd->rdata}}, options.validity);
      if (!sig.ok()) return sig.status();
      zonemd_sigs.push_back(*std::move(sig));
    }
    Append(records, std::move(zonemd_sigs));
  }

  absl::StatusOr<Zone> final_zone = Zone::FromRecords({"lab"}, std::move(records));
  if (!final_zone.ok()) return final_zone.status();
  return OutputOrder(*final_zone);
}

}  // namespace rootd::zone
