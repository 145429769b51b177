// Builds one ResponseBody: records appended section by section, names compressed against the
// question's known suffix and against earlier names, truncation cut points recorded.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "zone/body_store.h"
#include "zone/zone.h"

namespace rootd::zone {

enum class Section { kAnswer, kAuthority, kAdditional };

class BodyBuilder {
 public:
  BodyBuilder();

  // Starts a new body. `question_name` is the nominal QNAME (wire) it is compiled for: the
  // whole name and its suffixes are compression targets, since every QNAME this body answers
  // ends with it.
  void Reset(std::string_view question_name);

  // Appends one record. Sections must be appended in order.
  void Add(Section section, std::string_view owner, uint16_t type, uint16_t rclass, uint32_t ttl,
           std::string_view rdata);
  // Appends every record of the set with the set's TTL, then its signatures if asked. An
  // optional set is additional data a response may drop without TC, as a whole (RFC 2181 9);
  // optional sets come last.
  void AddRRset(Section section, std::string_view owner, const RRset& set, bool with_signatures, bool optional = false);

  uint32_t Finish(BodyStore& store, uint8_t rcode, bool authoritative);

 private:
  uint16_t Absolute(size_t body_offset) const;
  void WriteName(std::string_view name, bool compress);
  // Appends the lowercase form of `name` to `lower_`; returns its view there, or an empty
  // view when the arena is full.
  std::string_view RememberLower(std::string_view name);
  void WriteRdata(uint16_t type, std::string_view rdata);

  std::string bytes_;
  std::vector<uint16_t> pointers_;
  std::vector<CutPoint> cuts_;
  SectionCounts counts_;
  bool in_optional_ = false;
  uint16_t question_end_ = 0;
  // Lowercase copies of the names written; `targets_` keys view into it, so it is reserved
  // once and never grows past its capacity (a full arena only stops adding targets).
  std::string lower_;
  absl::flat_hash_map<std::string_view, uint16_t> targets_;  // lowercase name suffix -> message offset
};

}  // namespace rootd::zone
