#include "zone/lab_tld_zone.h"

#include <utility>

#include "absl/status/status.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/type_bitmap.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

constexpr uint32_t kTtl = 3600;
constexpr uint32_t kNegativeTtl = 300;  // SOA minimum, and so the NSEC TTL (RFC 4035 2.3)

}  // namespace

absl::StatusOr<LabTldZone> MakeLabTldZone(const SigningKey& key, const std::string& address, uint32_t serial,
                                          const SignatureValidity& validity) {
  if (address.size() != 4) return absl::InvalidArgumentError("ns.lab. needs a 4-octet IPv4 address");
  const std::string apex = Cat('\3', kLabTld, std::string(1, '\0'));
  const std::string ns = Cat('\2', "ns", apex);
  const std::string www = Cat('\3', "www", apex);
  std::string soa = ns + Cat('\12', "hostmaster", apex);
  Put32(soa, serial);
  for (uint32_t v : {3600u, 900u, 604800u, kNegativeTtl}) Put32(soa, v);
  const std::string www_address("\xc0\x00\x02\x35", 4);  // 192.0.2.53 (RFC 5737 documentation space)

  // The names in canonical order (lab. < ns.lab. < www.lab.), each with its RRsets.
  using Rrsets = std::vector<std::pair<uint16_t, std::string>>;  // one record each, SOA first
  const std::vector<std::pair<std::string, Rrsets>> names = {
      {apex, {{dns::kTypeSoa, soa}, {dns::kTypeNs, ns}, {dns::kTypeDnskey, key.dnskey_rdata()}}},
      {ns, {{dns::kTypeA, address}}},
      {www, {{dns::kTypeA, www_address}}},
  };
  std::vector<Record> unsigned_records;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& [owner, rrsets] = names[i];
    std::vector<uint16_t> types{dns::kTypeRrsig, dns::kTypeNsec};
    for (const auto& [type, rdata] : rrsets) {
      types.push_back(type);
      unsigned_records.push_back(
          Record{.owner = owner, .type = type, .rclass = dns::kClassIn, .ttl = kTtl, .rdata = rdata});
    }
    unsigned_records.push_back(Record{.owner = owner,
                                      .type = dns::kTypeNsec,
                                      .rclass = dns::kClassIn,
                                      .ttl = kNegativeTtl,
                                      .rdata = names[(i + 1) % names.size()].first + EncodeTypeBitmap(types)});
  }
  LabTldZone out;
  for (Record& r : unsigned_records) {
    absl::StatusOr<Record> sig = SignRrset(key, RrsetToSign{r.owner, r.type, r.rclass, r.ttl, {r.rdata}}, validity, apex);
    if (!sig.ok()) return sig.status();
    out.records.push_back(std::move(r));
    out.records.push_back(*std::move(sig));
  }
  out.text = Cat("; The lab TLD, signed by rootlab. Not a real zone.\n");
  for (const Record& r : out.records) out.text += RecordToText(r) + "\n";
  return out;
}

}  // namespace rootd::zone
