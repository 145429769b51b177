// Trust anchors for a zone's apex keys, loaded from any of the usual published forms, with
// the form detected from the content:
//  - master-file DS records:      ". IN DS 19036 8 2 49AAC1..."
//  - master-file DNSKEY records:  ". 172800 IN DNSKEY 257 3 8 AwEAAa..." (Debian's root.key,
//    unbound's auto-trust files; comments and parentheses allowed)
//  - IANA's root-anchors.xml (<TrustAnchor><KeyDigest validFrom= validUntil=>...), where each
//    digest is only valid inside its window.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rootd::zone {

struct AnchorEntry {
  enum class Kind { kDs, kDnskey };
  Kind kind = Kind::kDs;
  std::string owner;  // wire format, as written
  // DS fields (RFC 4034 5.1); for a DNSKEY entry, key_tag and algorithm are derived.
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t digest_type = 0;
  std::string digest;
  std::string dnskey_rdata;  // DNSKEY entries only
  std::optional<absl::Time> valid_from;   // XML only
  std::optional<absl::Time> valid_until;  // XML only
  std::string source;                     // "file:line" or "file KeyDigest id"

  bool IsValidAt(absl::Time at) const;
  // Whether the DNSKEY (with this owner) is the key this entry names: DS digest match, or
  // identical DNSKEY RDATA. A key with the REVOKE bit has a different tag and RDATA, so it
  // matches only an entry made for the revoked form; callers must still refuse revoked keys.
  bool Matches(std::string_view dnskey_owner, std::string_view dnskey_rdata) const;
  // "DS 19036 8 2 49AAC1..." or "DNSKEY 257 3 8 (tag 19036)".
  std::string ToString() const;
};

class TrustAnchor {
 public:
  static absl::StatusOr<TrustAnchor> LoadFile(const std::string& path);
  // Detects the form: XML if the first non-blank character is '<', else master-file text.
  // `name` stands for the file in messages.
  static absl::StatusOr<TrustAnchor> Parse(std::string_view content, const std::string& name);
  static absl::StatusOr<TrustAnchor> ParseText(std::string_view content, const std::string& name);
  static absl::StatusOr<TrustAnchor> ParseXml(std::string_view content, const std::string& name);

  const std::vector<AnchorEntry>& entries() const { return entries_; }

 private:
  std::vector<AnchorEntry> entries_;
};

}  // namespace rootd::zone
