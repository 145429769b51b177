#include "zone/body_builder.h"

#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {
constexpr size_t kHeaderSize = 12;
constexpr size_t kQuestionTail = 4;     // QTYPE + QCLASS
// Compression pointers hold 14 bits, and the engine shifts them by up to 254 for a QNAME longer
// than the nominal one: targets stay low enough for the longest.
constexpr uint16_t kMaxPointer = 0x3fff - 254;
}  // namespace

constexpr size_t kLowerArena = 1 << 20;  // far more than the names of any one body

BodyBuilder::BodyBuilder() { lower_.reserve(kLowerArena); }

void BodyBuilder::Reset(std::string_view question_name) {
  bytes_.clear();
  pointers_.clear();
  cuts_.clear();
  counts_ = SectionCounts{};
  in_optional_ = false;
  targets_.clear();
  lower_.clear();
  question_end_ = static_cast<uint16_t>(kHeaderSize + question_name.size());
  const std::string_view lower = RememberLower(question_name);
  for (size_t i = 0; i < lower.size() && lower[i] != 0; i += 1 + static_cast<uint8_t>(lower[i])) {
    targets_.emplace(lower.substr(i), static_cast<uint16_t>(kHeaderSize + i));
  }
}

std::string_view BodyBuilder::RememberLower(std::string_view name) {
  if (lower_.size() + name.size() > lower_.capacity()) return {};
  const size_t at = lower_.size();
  lower_.resize(at + name.size());
  char* out = lower_.data() + at;
  for (size_t i = 0; i < name.size(); ++i) out[i] = static_cast<char>(LowerByte(static_cast<uint8_t>(name[i])));
  return std::string_view(out, name.size());
}

uint16_t BodyBuilder::Absolute(size_t body_offset) const {
  return static_cast<uint16_t>(question_end_ + kQuestionTail + body_offset);
}

void BodyBuilder::WriteName(std::string_view name, bool compress) {
  const std::string_view lower = RememberLower(name);
  for (size_t i = 0; i < name.size(); i += 1 + static_cast<uint8_t>(name[i])) {
    if (name[i] == 0) {
      bytes_ += '\0';
      return;
    }
    const std::string_view suffix = lower.empty() ? std::string_view() : lower.substr(i);
    if (compress && !suffix.empty()) {
      if (auto it = targets_.find(suffix); it != targets_.end()) {
        pointers_.push_back(static_cast<uint16_t>(bytes_.size()));
        Put16(bytes_, static_cast<uint16_t>(0xc000 | it->second));
        return;
      }
    }
    // Every name written in full is a target, compressible position or not (RFC 1035 4.1.4).
    const uint16_t at = Absolute(bytes_.size());
    if (at <= kMaxPointer && !suffix.empty()) targets_.emplace(suffix, at);
    bytes_.append(name.substr(i, 1 + static_cast<uint8_t>(name[i])));
  }
}

void BodyBuilder::WriteRdata(uint16_t type, std::string_view rdata) {
  // Only the types RFC 3597 4 lets us compress; everything else is copied as it is.
  auto name_length = [&](size_t at) {
    size_t i = at;
    while (i < rdata.size() && rdata[i] != 0) i += 1 + static_cast<uint8_t>(rdata[i]);
    return i + 1 - at;
  };
  switch (type) {
    case dns::kTypeNs:
    case dns::kTypeCname:
    case dns::kTypePtr:
      WriteName(rdata, true);
      return;
    case dns::kTypeSoa: {
      const size_t mname = name_length(0);
      const size_t rname = name_length(mname);
      WriteName(rdata.substr(0, mname), true);
      WriteName(rdata.substr(mname, rname), true);
      bytes_.append(rdata.substr(mname + rname));
      return;
    }
    case dns::kTypeMx:
      bytes_.append(rdata.substr(0, 2));
      WriteName(rdata.substr(2), true);
      return;
    case dns::kTypeNsec:
      WriteName(rdata.substr(0, name_length(0)), false);
      bytes_.append(rdata.substr(name_length(0)));
      return;
    default:
      bytes_.append(rdata);
  }
}

void BodyBuilder::Add(Section section, std::string_view owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                      std::string_view rdata) {
  WriteName(owner, true);
  Put16(bytes_, type);
  Put16(bytes_, rclass);
  Put32(bytes_, ttl);
  const size_t rdlength_at = bytes_.size();
  Put16(bytes_, 0);
  WriteRdata(type, rdata);
  const size_t rdlength = bytes_.size() - rdlength_at - 2;
  Set16(bytes_, rdlength_at, static_cast<uint16_t>(rdlength));
  switch (section) {
    case Section::kAnswer: ++counts_.answer; break;
    case Section::kAuthority: ++counts_.authority; break;
    case Section::kAdditional: ++counts_.additional; break;
  }
}

void BodyBuilder::AddRRset(Section section, std::string_view owner, const RRset& set, bool with_signatures,
                           bool optional) {
  // A response may end before the first optional set, or after any whole one.
  if (optional && !in_optional_) {
    cuts_.push_back(CutPoint{static_cast<uint16_t>(bytes_.size()), counts_});
    in_optional_ = true;
  }
  for (const Record* r : set.records) Add(section, owner, set.type, r->rclass, set.ttl, r->rdata);
  if (with_signatures) {
    for (const Record* s : set.signatures) Add(section, owner, dns::kTypeRrsig, s->rclass, s->ttl, s->rdata);
  }
  if (in_optional_) cuts_.push_back(CutPoint{static_cast<uint16_t>(bytes_.size()), counts_});
}

uint32_t BodyBuilder::Finish(BodyStore& store, uint8_t rcode, bool authoritative) {
  if (!in_optional_) cuts_.push_back(CutPoint{static_cast<uint16_t>(bytes_.size()), counts_});
  return store.Add(bytes_, pointers_, cuts_, question_end_, rcode, authoritative);
}

}  // namespace rootd::zone
