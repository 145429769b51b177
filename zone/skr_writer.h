// Writes a Signed Key Response as IANA's KSR/SKR XML (../shared/data/skr/ksr.rnc), the format
// skr.h's ParseSkrXml reads, laid out as the 2017 ceremony files are (no indentation, one element
// per line): what ReadSkrFile read from such a file is written back octet for octet, and what
// lab_rollover.h's MakeLabSkr makes becomes a file rootd and skrtool take.
#pragma once
#include <string>

#include "absl/status/statusor.h"
#include "zone/skr.h"

namespace rootd::zone {

// The XML of `skr`. Each <Key> states the keyTag and keyIdentifier kept beside it (the computed
// tag when none is kept); each <Signature> names the keyIdentifier of the bundle's key with its
// key tag and algorithm (none when no such key has one). Refused: an SKR without a response
// policy (Knot's format has none), a domain other than ".", records not owned by "." in class
// IN, or an RRSIG that does not parse or covers another type than DNSKEY.
absl::StatusOr<std::string> WriteSkrXml(const SignedKeyResponse& skr);

// An xsd:duration as the ceremony files write them: "P21D", "PT0S", "P1DT12H" (days, hours,
// minutes, seconds; no years or months). Fractions of a second are refused (none is written).
absl::StatusOr<std::string> FormatXsdDuration(absl::Duration d);

}  // namespace rootd::zone
