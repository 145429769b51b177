// The in-memory model of a zone as read from its master file: records with their source
// location, grouped into nodes and RRsets in canonical order (RFC 4034 6). Verification and
// image compilation both read this model; nothing here is used on the query path.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rootd::zone {

// One resource record, as read. Names are uncompressed wire format in their original case,
// inside `rdata` too.
struct Record {
  std::string owner;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  std::string rdata;
  uint32_t file_id = 0;  // index into Zone::files
  uint32_t line = 0;     // 1-based line where the record starts
};

// The records of one owner and type, in canonical RDATA order, duplicates removed, with the
// RRSIGs that cover this type at this owner.
struct RRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<const Record*> records;
  std::vector<const Record*> signatures;
};

// One owner name with its RRsets sorted by type. RRSIG records appear only in the
// `signatures` of the RRset they cover (an RRSIG covering a type with no RRset at the owner
// is kept in `orphan_signatures`).
struct Node {
  std::string name;  // lowercase wire format
  std::vector<RRset> rrsets;
  std::vector<const Record*> orphan_signatures;

  const RRset* Find(uint16_t type) const;
};

class Zone {
 public:
  // Builds the node index from `records`. Records must not be modified afterwards: nodes
  // point into them. Fails only on a name that cannot be indexed (never for parsed input).
  static absl::StatusOr<Zone> FromRecords(std::vector<std::string> files, std::vector<Record> records);

  Zone(Zone&&) = default;
  Zone& operator=(Zone&&) = default;
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  const std::vector<Record>& records() const { return records_; }
  // All owner names in canonical order; the apex (".") is first when present.
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node* FindNode(std::string_view lower_name) const;
  const Node* apex() const { return nodes_.empty() || nodes_[0].name != std::string_view("\0", 1) ? nullptr : &nodes_[0]; }

  // "file:line" of a record, for messages.
  std::string Where(const Record& record) const;
  // "name TYPE (file:line)" of a record, for messages.
  std::string Describe(const Record& record) const;

 private:
  Zone() = default;
  std::vector<std::string> files_;
  std::vector<Record> records_;
  std::vector<Node> nodes_;
};

// The type covered by an RRSIG record (first two RDATA octets); 0 if the RDATA is too short.
uint16_t RrsigTypeCovered(const Record& rrsig);

// Presentation name of a type ("DNSKEY", or "TYPE65534").
std::string TypeToText(uint16_t type);

}  // namespace rootd::zone

namespace rootd::zone {
// RDATA in canonical form (RFC 4034 6.2 as amended by RFC 6840 5.1): embedded names of the
// listed types lowercased.
std::string CanonicalRdata(uint16_t type, std::string_view rdata);
}  // namespace rootd::zone
