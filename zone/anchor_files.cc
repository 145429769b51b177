#include "zone/anchor_files.h"

#include <string_view>

#include "zone/encoding.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/zone.h"

namespace rootd::zone {

namespace {

const std::string kRoot(1, '\0');

Record RootRecord(uint16_t type, uint32_t ttl, std::string rdata) {
  return Record{.owner = kRoot, .type = type, .rclass = dns::kClassIn, .ttl = ttl, .rdata = std::move(rdata)};
}

}  // namespace

absl::StatusOr<AnchorFiles> MakeAnchorFiles(const std::vector<SigningKey>& ksks, absl::Time valid_from) {
  AnchorFiles out;
  out.bind = "trust-anchors {\n";
  const std::string from = absl::FormatTime("%Y-%m-%dT%H:%M:%S+00:00", valid_from, absl::UTCTimeZone());
  out.root_anchors_xml = Cat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrustAnchor id=\"rootlab-",
                             absl::ToUnixSeconds(valid_from), "\" source=\"rootlab\">\n<Zone>.</Zone>\n");
  for (const SigningKey& k : ksks) {
    if (k.is_revoked()) continue;
    absl::StatusOr<std::string> ds = k.DsRdata(kRoot, dns::kDigestSha256);
    if (!ds.ok()) return ds.status();
    out.ds += RecordToText(RootRecord(dns::kTypeDs, 86400, *ds)) + "\n";
    out.dnskey += RecordToText(RootRecord(dns::kTypeDnskey, 172800, k.dnskey_rdata())) + "\n";
    const std::string public_key = Base64Encode(std::string_view(k.dnskey_rdata()).substr(4));
    out.bind += Cat("  . initial-key ", k.flags(), " 3 ", int{k.algorithm()}, " \"", public_key, "\";\n");
    out.root_anchors_xml += Cat("<KeyDigest id=\"Klab-", k.key_tag(), "\" validFrom=\"", from, "\">\n<KeyTag>",
                                k.key_tag(), "</KeyTag>\n<Algorithm>", int{k.algorithm()},
                                "</Algorithm>\n<DigestType>2</DigestType>\n<Digest>",
                                HexEncode(std::string_view(*ds).substr(4)), "</Digest>\n<Flags>", k.flags(),
                                "</Flags>\n<PublicKey>", public_key, "</PublicKey>\n</KeyDigest>\n");
  }
  out.bind += "};\n";
  out.root_anchors_xml += "</TrustAnchor>\n";
  return out;
}

}  // namespace rootd::zone
