// NSEC chain checks (RFC 4034 4, RFC 4035 2.3): every authoritative name and delegation
// point has exactly one NSEC, the chain visits them in canonical order and closes at the
// apex, and each type bitmap lists exactly the types present at its owner.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/zone.h"

namespace rootd::zone {

struct NsecFields {
  std::string next;             // wire, as written
  std::vector<uint16_t> types;  // ascending
};
absl::StatusOr<NsecFields> ParseNsec(std::string_view rdata);

struct NsecReport {
  size_t owners = 0;      // names that need an NSEC
  size_t nsec_count = 0;  // NSEC records seen at those names
  std::vector<std::string> problems;
};

NsecReport CheckNsecChain(const Zone& zone);

}  // namespace rootd::zone
