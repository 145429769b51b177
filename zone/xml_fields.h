// Fields of the XML files zone/ reads with libxml2 (IANA's root-anchors.xml, the KSR/SKR files of
// the root KSK ceremonies): elements by name, their trimmed text, attributes, dateTimes, numbers.
#pragma once
#include <libxml/tree.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rootd::zone {

bool IsElement(const xmlNode* node, const char* name);
// The first child element called `name`, or null.
const xmlNode* ChildElement(const xmlNode* parent, const char* name);
// The element's text content without leading and trailing white space.
std::string ElementText(const xmlNode* node);
std::optional<std::string> Attribute(const xmlNode* node, const char* name);
// An xsd:dateTime, RFC 3339 with its offset ("2017-07-01T00:00:00+00:00"), or without one as the
// ceremonies' KSRs write bundle times ("2017-04-01T00:00:00"), which is UTC.
absl::StatusOr<absl::Time> ParseXmlTime(std::string_view text);
// A decimal number of at most `max`; `what` names it in the error ("bad KeyTag '12x'").
absl::StatusOr<uint32_t> ParseDecimal(std::string_view text, uint32_t max, std::string_view what);

}  // namespace rootd::zone
