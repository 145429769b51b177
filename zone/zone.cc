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

}  // namespace

std::string CanonicalRdata(uint16_t type, std::string_view rdata) {
  std::string out(rdata);
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
      return out;
  }
  size_t pos = first;
  for (int n = 0; n < names && pos < out.size(); ++n) {
    const size_t len = NameLengthAt(out, pos);
    if (len == 0) break;
    LowerNameAt(out, pos, len);
    pos += len;
  }
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

  // Sort record pointers by (canonical owner, type-or-covered-type, canonical rdata); then
  // group runs into nodes and RRsets. Sorting pointers keeps `records_` in file order.
  struct Key {
    std::string owner;  // lowercase
    uint16_t type;      // type, or the covered type for an RRSIG
    bool is_sig;
    std::string rdata;  // canonical
    const Record* record;
  };
  std::vector<Key> keys;
  keys.reserve(zone.records_.size());
  for (const Record& r : zone.records_) {
    const bool sig = r.type == dns::kTypeRrsig;
    keys.push_back(Key{LowerName(r.owner), sig ? RrsigTypeCovered(r) : r.type, sig, CanonicalRdata(r.type, r.rdata), &r});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.owner != b.owner) {
      const int c = CanonicalCompare(a.owner, b.owner);
      if (c != 0) return c < 0;
    }
    if (a.type != b.type) return a.type < b.type;
    if (a.is_sig != b.is_sig) return !a.is_sig;
    return a.rdata < b.rdata;
  });

  for (size_t i = 0; i < keys.size(); ++i) {
    const Key& k = keys[i];
    if (zone.nodes_.empty() || zone.nodes_.back().name != k.owner) zone.nodes_.push_back(Node{k.owner, {}, {}});
    Node& node = zone.nodes_.back();
    if (k.is_sig) {
      if (!node.rrsets.empty() && node.rrsets.back().type == k.type) {
        node.rrsets.back().signatures.push_back(k.record);
      } else {
        node.orphan_signatures.push_back(k.record);
      }
      continue;
    }
    if (node.rrsets.empty() || node.rrsets.back().type != k.type) {
      node.rrsets.push_back(RRset{k.type, k.record->ttl, {}, {}});
    }
    RRset& set = node.rrsets.back();
    // Duplicate RRs (same canonical RDATA) are one RR (RFC 2181 5).
    if (i > 0 && !keys[i - 1].is_sig && keys[i - 1].type == k.type && keys[i - 1].owner == k.owner &&
        keys[i - 1].rdata == k.rdata) {
      continue;
    }
    set.ttl = std::min(set.ttl, k.record->ttl);
    set.records.push_back(k.record);
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
