#include "zone/zone.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

// Length of the uncompressed name starting at `pos`, or 0 if it runs past the end.
size_t NameLengthAt(std::string_view rdata, size_t pos) {
  size_t i = pos;
  while (i < rdata.size()) {
    const size_t len = static_cast<uint8_t>(rdata[i]);
    if (len == 0) return i + 1 - pos;
    i += 1 + len;
  }
  return 0;
}

void LowerNameAt(std::string& rdata, size_t pos, size_t len) {
  for (size_t i = pos; i < pos + len; ++i) rdata[i] = static_cast<char>(LowerByte(static_cast<uint8_t>(rdata[i])));
}

bool HasUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Calls f(pos, len) for each name embedded in RDATA of `type` that canonical form lowercases
// (RFC 4034 6.2 as amended by RFC 6840 5.1), stopping at the first malformed one.
template <typename F>
void ForEachEmbeddedName(uint16_t type, std::string_view rdata, F f) {
  size_t first = 0;  // offset of the first embedded name
  int names = 1;
  switch (type) {
    case dns::kTypeNs:
    case dns::kTypeCname:
    case dns::kTypePtr:
    case 39:  // DNAME
      break;
    case dns::kTypeSoa:
      names = 2;
      break;
    case dns::kTypeMx:
      first = 2;
      break;
    case dns::kTypeRrsig:
      first = 18;
      break;
    default:
      return;
  }
  size_t pos = first;
  for (int n = 0; n < names && pos < rdata.size(); ++n) {
    const size_t len = NameLengthAt(rdata, pos);
    if (len == 0) break;
    f(pos, len);
    pos += len;
  }
}

}  // namespace

std::string CanonicalRdata(uint16_t type, std::string_view rdata) {
  std::string out(rdata);
  ForEachEmbeddedName(type, out, [&](size_t pos, size_t len) { LowerNameAt(out, pos, len); });
  return out;
}

uint16_t RrsigTypeCovered(const Record& rrsig) {
  if (rrsig.rdata.size() < 2) return 0;
  return Get16(rrsig.rdata, 0);
}

std::string TypeToText(uint16_t type) {
  switch (type) {
    case dns::kTypeA: return "A";
    case dns::kTypeNs: return "NS";
    case dns::kTypeCname: return "CNAME";
    case dns::kTypeSoa: return "SOA";
    case dns::kTypeNull: return "NULL";
    case dns::kTypePtr: return "PTR";
    case dns::kTypeHinfo: return "HINFO";
    case dns::kTypeMx: return "MX";
    case dns::kTypeTxt: return "TXT";
    case dns::kTypeAaaa: return "AAAA";
    case dns::kTypeOpt: return "OPT";
    case dns::kTypeDs: return "DS";
    case dns::kTypeRrsig: return "RRSIG";
    case dns::kTypeNsec: return "NSEC";
    case dns::kTypeDnskey: return "DNSKEY";
    case dns::kTypeNsec3: return "NSEC3";
    case dns::kTypeZonemd: return "ZONEMD";
    case dns::kTypeAxfr: return "AXFR";
    case dns::kTypeIxfr: return "IXFR";
    case dns::kTypeAny: return "ANY";
    default: return absl::StrCat("TYPE", type);
  }
}

const RRset* Node::Find(uint16_t type) const {
  for (const RRset& s : rrsets) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

absl::StatusOr<Zone> Zone::FromRecords(std::vector<std::string> files, std::vector<Record> records) {
  Zone zone;
  zone.files_ = std::move(files);
  zone.records_ = std::move(records);
  const std::vector<Record>& recs = zone.records_;

  // Owners, once per run of records with the same owner as written (a master file keeps an
  // owner's records together), each with its canonical sort key. Sorting the runs by key
  // ranks the owners; runs with equal lowercase names (repeated, or differing in case) share
  // a rank.
  struct Owner {
    std::string lower;
    std::string key;
    uint32_t rank = 0;
  };
  std::vector<Owner> owners;
  std::vector<uint32_t> owner_of(recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    if (i == 0 || recs[i].owner != recs[i - 1].owner) {
      std::string lower = LowerName(recs[i].owner);
      std::string key = CanonicalSortKey(lower);
      owners.push_back(Owner{std::move(lower), std::move(key), 0});
    }
    owner_of[i] = static_cast<uint32_t>(owners.size() - 1);
  }
  std::vector<uint32_t> by_key(owners.size());
  for (uint32_t o = 0; o < by_key.size(); ++o) by_key[o] = o;
  std::sort(by_key.begin(), by_key.end(), [&](uint32_t a, uint32_t b) { return owners[a].key < owners[b].key; });
  uint32_t ranks = 0;
  for (size_t j = 0; j < by_key.size(); ++j) {
    if (j > 0 && owners[by_key[j]].key != owners[by_key[j - 1]].key) ++ranks;
    owners[by_key[j]].rank = ranks;
  }

  // Records sorted by (owner rank, type-or-covered-type, RRSIG after data, canonical RDATA),
  // file order breaking ties; then runs are grouped into nodes and RRsets. RDATA is copied to
  // lowercase its embedded names only where one has an uppercase letter.
  struct Key {
    uint64_t major;          // rank << 17 | type << 1 | is_sig
    std::string_view rdata;  // canonical
    uint32_t index;          // into records_
  };
  std::vector<Key> keys(recs.size());
  std::string lowered;  // canonical RDATA that differs from the record's, back to back
  std::vector<std::pair<uint32_t, size_t>> lowered_at;  // (key, offset into `lowered`)
  for (size_t i = 0; i < recs.size(); ++i) {
    const Record& r = recs[i];
    const bool sig = r.type == dns::kTypeRrsig;
    const uint16_t type = sig ? RrsigTypeCovered(r) : r.type;
    keys[i] = Key{uint64_t{owners[owner_of[i]].rank} << 17 | uint64_t{type} << 1 | uint64_t{sig}, r.rdata,
                  static_cast<uint32_t>(i)};
    bool upper = false;
    ForEachEmbeddedName(r.type, r.rdata, [&](size_t pos, size_t len) {
      upper = upper || HasUpper(std::string_view(r.rdata).substr(pos, len));
    });
    if (upper) {
      lowered_at.emplace_back(static_cast<uint32_t>(i), lowered.size());
      lowered += CanonicalRdata(r.type, r.rdata);
    }
  }
  for (const auto& [i, at] : lowered_at) keys[i].rdata = std::string_view(lowered).substr(at, recs[i].rdata.size());
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.major != b.major) return a.major < b.major;
    const int c = a.rdata.compare(b.rdata);
    if (c != 0) return c < 0;
    return a.index < b.index;
  });

  zone.nodes_.reserve(ranks + 1);
  for (size_t i = 0; i < keys.size(); ++i) {
    const Key& k = keys[i];
    const Record* record = &recs[k.index];
    const bool is_sig = k.major & 1;
    const uint16_t type = static_cast<uint16_t>(k.major >> 1);
    if (i == 0 || keys[i - 1].major >> 17 != k.major >> 17) {
      zone.nodes_.push_back(Node{owners[owner_of[k.index]].lower, {}, {}});
    }
    Node& node = zone.nodes_.back();
    if (is_sig) {
      if (!node.rrsets.empty() && node.rrsets.back().type == type) {
        node.rrsets.back().signatures.push_back(record);
      } else {
        node.orphan_signatures.push_back(record);
      }
      continue;
    }
    if (node.rrsets.empty() || node.rrsets.back().type != type) {
      node.rrsets.push_back(RRset{type, record->ttl, {}, {}});
    }
    RRset& set = node.rrsets.back();
    // Duplicate RRs (same canonical RDATA) are one RR (RFC 2181 5).
    if (i > 0 && keys[i - 1].major == k.major && keys[i - 1].rdata == k.rdata) continue;
    set.ttl = std::min(set.ttl, record->ttl);
    set.records.push_back(record);
  }
  return zone;
}

const Node* Zone::FindNode(std::string_view lower_name) const {
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), lower_name,
                             [](const Node& n, std::string_view name) { return CanonicalCompare(n.name, name) < 0; });
  if (it == nodes_.end() || it->name != lower_name) return nullptr;
  return &*it;
}

std::string Zone::Where(const Record& record) const {
  const std::string& file = record.file_id < files_.size() ? files_[record.file_id] : std::string("?");
  return absl::StrCat(file, ":", record.line);
}

std::string Zone::Describe(const Record& record) const {
  return absl::StrCat(NameToText(record.owner), " ", TypeToText(record.type), " (", Where(record), ")");
}

}  // namespace rootd::zone
