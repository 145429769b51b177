#include "zone/image.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "zone/apex_keys.h"
#include "zone/body_builder.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

const std::string kRootName(1, '\0');
constexpr uint8_t kRcodeNoError = 0;
constexpr uint8_t kRcodeNxDomain = 3;

// The SOA of negative answers carries min(SOA TTL, SOA MINIMUM) as its TTL (RFC 2308 3).
void AddNegativeSoa(BodyBuilder& body, const RRset& soa, bool dnssec) {
  const Record& r = *soa.records.front();
  const uint32_t ttl = std::min(soa.ttl, Get32(r.rdata, r.rdata.size() - 4));
  body.Add(Section::kAuthority, r.owner, dns::kTypeSoa, r.rclass, ttl, r.rdata);
  if (!dnssec) return;
  for (const Record* s : soa.signatures) body.Add(Section::kAuthority, s->owner, dns::kTypeRrsig, s->rclass, ttl, s->rdata);
}

void AddIfPresent(BodyBuilder& body, Section section, const Node& node, uint16_t type, bool dnssec, bool optional = false) {
  if (const RRset* set = node.Find(type)) body.AddRRset(section, set->records.front()->owner, *set, dnssec, optional);
}

// Owner name (lowercase) to node, for the many glue lookups of a compile.
class NodeIndex {
 public:
  explicit NodeIndex(const Zone& zone) {
    nodes_.reserve(zone.nodes().size());
    for (const Node& n : zone.nodes()) nodes_.emplace(std::string_view(n.name), &n);
  }
  const Node* Find(std::string_view lower_name) const {
    auto it = nodes_.find(lower_name);
    return it == nodes_.end() ? nullptr : it->second;
  }

 private:
  absl::flat_hash_map<std::string_view, const Node*> nodes_;
};

// The address RRsets of the name servers in an NS RRset: `required` for in-domain servers
// (below `within`; RFC 9471 makes them mandatory in a referral), `optional` for the others
// found in the zone. A before AAAA in each, so IPv4-only resolvers keep theirs when the
// additional section is cut.
struct Glue {
  std::vector<const RRset*> required, optional;
};

Glue FindGlue(const NodeIndex& index, const RRset& ns, std::string_view within) {
  Glue glue;
  for (uint16_t type : {dns::kTypeA, dns::kTypeAaaa}) {
    for (const Record* r : ns.records) {
      const std::string target = LowerName(r->rdata);
      const Node* node = index.Find(target);
      const RRset* set = node == nullptr ? nullptr : node->Find(type);
      if (set == nullptr) continue;
      const bool in_domain = !within.empty() && IsSubdomainOf(target, within);
      (in_domain ? glue.required : glue.optional).push_back(set);
    }
  }
  return glue;
}

void AddGlue(BodyBuilder& body, const Glue& glue) {
  for (const RRset* set : glue.required) body.AddRRset(Section::kAdditional, set->records.front()->owner, *set, false);
  for (const RRset* set : glue.optional) {
    body.AddRRset(Section::kAdditional, set->records.front()->owner, *set, false, true);
  }
}

// The identity of an apex (see ImageIdentity): serial, DNSKEY RRset id and keys.
ImageIdentity IdentityOf(const Zone& apex_zone, const RRset& soa) {
  ImageIdentity id;
  const Record& soa_record = *soa.records.front();
  id.serial = soa_record.rdata.size() >= 20 ? Get32(soa_record.rdata, soa_record.rdata.size() - 20) : 0;
  if (const RRset* dnskeys = apex_zone.apex()->Find(dns::kTypeDnskey)) {
    std::vector<std::string_view> rdatas;
    for (const Record* r : dnskeys->records) rdatas.push_back(r->rdata);
    id.dnskey_id = DnskeyRRsetId(kRootName, dnskeys->records.front()->rclass, rdatas);
  }
  const ApexKeys keys = ApexKeys::FromZone(apex_zone);
  for (const ApexKey& k : keys.keys()) {
    id.keys.push_back(ServedKey{k.tag, k.algorithm, k.is_sep(), k.is_revoked()});
  }
  std::sort(id.keys.begin(), id.keys.end(), [](const ServedKey& a, const ServedKey& b) {
    return a.tag != b.tag ? a.tag < b.tag : a.algorithm < b.algorithm;
  });
  return id;
}

}  // namespace

std::string ImageIdentity::DnskeyIdText(uint32_t dnskey_id) { return absl::StrFormat("%08x", dnskey_id); }

std::string ImageIdentity::StatsKeyText(uint64_t stats_key) {
  return Cat(stats_key >> 32, "/", DnskeyIdText(static_cast<uint32_t>(stats_key)));
}

std::string ImageIdentity::ToString() const {
  std::string out = Cat("serial ", serial, " dnskey ", DnskeyIdText(dnskey_id), " keys");
  if (keys.empty()) out += " none";
  for (size_t i = 0; i < keys.size(); ++i) {
    const ServedKey& k = keys[i];
    out += Cat(i == 0 ? " " : ", ", int{k.tag}, "/", int{k.algorithm}, k.ksk ? " KSK" : " ZSK", k.revoked ? " REVOKED" : "");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Apex answers: a handful of bodies, rebuilt whenever the DNSKEY RRset changes.

class ApexAnswers {
 public:
  // `records`: every record owned by "." and the address records of the apex NS targets.
  // `answer_signers`: see answer_signers().
  static absl::StatusOr<std::shared_ptr<const ApexAnswers>> Build(std::vector<Record> records,
                                                                  std::vector<std::string> answer_signers);

  const uint64_t* Locate(uint16_t qtype, bool dnssec_ok, bool tcp) const;
  const std::vector<Record>& records() const { return zone_.records(); }
  const RRset& soa() const { return *zone_.apex()->Find(dns::kTypeSoa); }
  const ImageIdentity& identity() const { return identity_; }
  // The DNSKEY RDATA of the keys that sign the image's RRsets other than the apex DNSKEY RRset
  // (the ZSKs): a new DNSKEY RRset must keep them all, or those signatures stop validating.
  const std::vector<std::string>& answer_signers() const { return answer_signers_; }
  size_t memory_bytes() const { return store_.memory_bytes(); }
  size_t body_count() const { return store_.size(); }

  ApexAnswers(Zone zone, std::vector<std::string> answer_signers)
      : zone_(std::move(zone)), answer_signers_(std::move(answer_signers)) {}

 private:
  struct ByType {
    uint16_t qtype;
    uint32_t body[2];  // [dnssec_ok]
  };
  absl::Status Compile();
  uint32_t CompilePositive(const RRset& set, bool dnssec);
  uint32_t CompileNoData(bool dnssec);
  uint32_t CompileAll(bool dnssec, bool signatures_only);
  BodyBuilder& Start() {
    builder_->Reset(kRootName);
    return *builder_;
  }

  Zone zone_;
  std::vector<std::string> answer_signers_;
  std::unique_ptr<BodyBuilder> builder_;  // only while compiling
  ImageIdentity identity_;
  BodyStore store_;
  std::vector<ByType> by_type_;
  uint32_t nodata_[2] = {};
  uint32_t any_tcp_[2] = {};
  uint32_t rrsig_ = 0;
};

absl::StatusOr<std::shared_ptr<const ApexAnswers>> ApexAnswers::Build(std::vector<Record> records,
                                                                       std::vector<std::string> answer_signers) {
  auto zone = Zone::FromRecords({"<apex>"}, std::move(records));
  if (!zone.ok()) return zone.status();
  if (zone->apex() == nullptr || zone->apex()->Find(dns::kTypeSoa) == nullptr) {
    return absl::InvalidArgumentError("no SOA at the apex");
  }
  auto apex = std::make_shared<ApexAnswers>(std::move(*zone), std::move(answer_signers));
  if (absl::Status s = apex->Compile(); !s.ok()) return s;
  return std::shared_ptr<const ApexAnswers>(std::move(apex));
}

uint32_t ApexAnswers::CompilePositive(const RRset& set, bool dnssec) {
  BodyBuilder& body = Start();
  body.AddRRset(Section::kAnswer, kRootName, set, dnssec);
  // The root's NS answer carries the root servers' addresses, optional: a resolver that
  // does not get them asks again, so they never cause TC.
  if (set.type == dns::kTypeNs) AddGlue(body, FindGlue(NodeIndex(zone_), set, ""));
  return body.Finish(store_, kRcodeNoError, true);
}

uint32_t ApexAnswers::CompileNoData(bool dnssec) {
  BodyBuilder& body = Start();
  AddNegativeSoa(body, soa(), dnssec);
  if (dnssec) AddIfPresent(body, Section::kAuthority, *zone_.apex(), dns::kTypeNsec, true);
  return body.Finish(store_, kRcodeNoError, true);
}

// ANY over TCP gets every RRset (RFC 8482 4.3); qtype RRSIG gets every signature at the apex.
uint32_t ApexAnswers::CompileAll(bool dnssec, bool signatures_only) {
  BodyBuilder& body = Start();
  for (const RRset& set : zone_.apex()->rrsets) {
    if (signatures_only) {
      for (const Record* s : set.signatures) body.Add(Section::kAnswer, kRootName, dns::kTypeRrsig, s->rclass, s->ttl, s->rdata);
    } else {
      body.AddRRset(Section::kAnswer, kRootName, set, dnssec);
    }
  }
  return body.Finish(store_, kRcodeNoError, true);
}

absl::Status ApexAnswers::Compile() {
  builder_ = std::make_unique<BodyBuilder>();
  identity_ = IdentityOf(zone_, soa());
  for (const RRset& set : zone_.apex()->rrsets) {
    by_type_.push_back(ByType{set.type, {CompilePositive(set, false), CompilePositive(set, true)}});
  }
  for (int dnssec = 0; dnssec < 2; ++dnssec) {
    nodata_[dnssec] = CompileNoData(dnssec);
    any_tcp_[dnssec] = CompileAll(dnssec, false);
  }
  rrsig_ = CompileAll(true, true);
  builder_.reset();
  return store_.Freeze();
}

const uint64_t* ApexAnswers::Locate(uint16_t qtype, bool dnssec_ok, bool tcp) const {
  if (qtype == dns::kTypeAny) {
    // RFC 8482 4.1: over UDP, one RRset (the SOA) instead of all of them.
    if (tcp) return store_.ref(any_tcp_[dnssec_ok]);
    qtype = dns::kTypeSoa;
  }
  if (qtype == dns::kTypeRrsig) return store_.ref(rrsig_);
  for (const ByType& t : by_type_) {
    if (t.qtype == qtype) return store_.ref(t.body[dnssec_ok]);
  }
  return store_.ref(nodata_[dnssec_ok]);
}

// ---------------------------------------------------------------------------------------------
// Delegation answers: per TLD a referral and a DS answer, per NSEC gap an NXDOMAIN body.

// Canonical order of single-label names: octet-wise on the lowercase label, a prefix first.
inline int CompareLabel(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

class DelegationAnswers {
 public:
  static absl::StatusOr<std::shared_ptr<const DelegationAnswers>> Build(const Zone& zone);

  // The steps of ZoneImage::Find for a TLD (see image.h).
  void PrefetchIndex(std::string_view label) const { __builtin_prefetch(&prefix_start_[PrefixKey(label)]); }
  size_t SearchStart(std::string_view label) const {
    const size_t at = prefix_start_[PrefixKey(label)];
    __builtin_prefetch(tlds_.data() + at);
    return at;
  }
  const uint64_t* Locate(const ImageQuery& query, size_t search_start) const;
  size_t tld_count() const { return tlds_.size(); }
  size_t memory_bytes() const {
    return store_.memory_bytes() + labels_.capacity() + tlds_.capacity() * sizeof(Tld) +
           prefix_start_.capacity() * sizeof(uint16_t);
  }
  size_t body_count() const { return store_.size(); }

 private:
  struct Tld {
    uint64_t key;  // LabelKey of the label: most comparisons end here
    uint32_t label_at;
    uint8_t label_length;
    uint32_t referral[2];  // [dnssec_ok]
    uint32_t ds[2];        // DS answer, or NODATA when the TLD has no DS
  };
  std::string_view Label(const Tld& t) const { return std::string_view(labels_.data() + t.label_at, t.label_length); }
  // Labels sharing their first two octets share a key; keys follow canonical order, so the
  // TLDs of one key are one short run of `tlds_` (usually empty or one or two entries).
  static size_t PrefixKey(std::string_view label) {
    return static_cast<uint8_t>(label[0]) * 257u + (label.size() > 1 ? static_cast<uint8_t>(label[1]) + 1u : 0u);
  }
  static constexpr size_t kPrefixKeys = 256 * 257;
  // Index of the first TLD not below `label` (whose LabelKey is `key`) in canonical order,
  // searching from `start` (SearchStart(label)).
  size_t LowerBound(std::string_view label, uint64_t key, size_t start) const;
  size_t LowerBound(std::string_view label, uint64_t key) const { return LowerBound(label, key, SearchStart(label)); }
  absl::Status CompileTld(const Zone& zone, const NodeIndex& index, const Node& node, BodyBuilder& builder);
  void CompileNxDomain(const Zone& zone, const std::vector<const Node*>& chain, BodyBuilder& builder);

  BodyStore store_;
  std::string labels_;
  std::vector<Tld> tlds_;                          // canonical order
  std::vector<uint16_t> prefix_start_;            // first TLD index per PrefixKey, and the end
  std::vector<uint32_t> nxdomain_dnssec_;          // per gap: [i] covers names after chain[i]
  uint32_t nxdomain_plain_ = 0;
};

size_t DelegationAnswers::LowerBound(std::string_view label, uint64_t key, size_t start) const {
  size_t at = start;
  const size_t end = prefix_start_[PrefixKey(label) + 1];
  for (; at < end; ++at) {
    const Tld& t = tlds_[at];
    if (t.key != key) {
      if (t.key > key) break;
      continue;
    }
    // Equal keys: two labels of at most 8 octets then differ only in length (the shorter
    // one's padding is zeros); longer ones compare in full.
    const int order = (t.label_length <= 8 && label.size() <= 8)
                          ? static_cast<int>(t.label_length) - static_cast<int>(label.size())
                          : CompareLabel(Label(t), label);
    if (order >= 0) break;
  }
  return at;
}

const uint64_t* DelegationAnswers::Locate(const ImageQuery& query, size_t search_start) const {
  const size_t at = LowerBound(query.tld, query.tld_key, search_start);
  if (at < tlds_.size() && tlds_[at].key == query.tld_key && tlds_[at].label_length == query.tld.size() &&
      (query.tld.size() <= 8 || std::memcmp(labels_.data() + tlds_[at].label_at + 8, query.tld.data() + 8,
                                            query.tld.size() - 8) == 0)) {
    const Tld& t = tlds_[at];
    // DS is the parent's data: the root answers it; every other question goes to the child.
    if (query.qtype == dns::kTypeDs && !query.below_tld) return store_.ref(t.ds[query.dnssec_ok]);
    return store_.ref(t.referral[query.dnssec_ok]);
  }
  // Gap `at` lies after chain entry `at` (chain[0] is the apex, chain[i] the (i-1)th TLD).
  return store_.ref(query.dnssec_ok ? nxdomain_dnssec_[at] : nxdomain_plain_);
}

absl::Status DelegationAnswers::CompileTld(const Zone& zone, const NodeIndex& index, const Node& node,
                                           BodyBuilder& builder) {
  const RRset* ns = node.Find(dns::kTypeNs);
  if (ns == nullptr) {
    return absl::InvalidArgumentError(Cat("unsupported: ", NameToText(node.name),
                                          " has data but no NS (only delegations are served below the apex)"));
  }
  const RRset& soa = *zone.apex()->Find(dns::kTypeSoa);
  Tld t;
  t.label_at = static_cast<uint32_t>(labels_.size());
  t.label_length = static_cast<uint8_t>(node.name[0]);
  labels_.append(node.name.substr(1, t.label_length));
  t.key = LabelKey(Label(t));
  const RRset* ds = node.Find(dns::kTypeDs);
  const Glue glue = FindGlue(index, *ns, node.name);
  for (int dnssec = 0; dnssec < 2; ++dnssec) {
    // Referral (RFC 4035 3.1.4): NS, then the DS RRset or the NSEC proving there is none, then
    // glue. In-domain glue is required, sibling glue optional (RFC 9471).
    BodyBuilder& referral = builder;
    referral.Reset(node.name);
    referral.AddRRset(Section::kAuthority, node.name, *ns, false);
    if (dnssec) {
      if (ds != nullptr) {
        referral.AddRRset(Section::kAuthority, node.name, *ds, true);
      } else {
        AddIfPresent(referral, Section::kAuthority, node, dns::kTypeNsec, true);
      }
    }
    AddGlue(referral, glue);
    t.referral[dnssec] = referral.Finish(store_, kRcodeNoError, false);

    BodyBuilder& ds_answer = builder;
    ds_answer.Reset(node.name);
    if (ds != nullptr) {
      ds_answer.AddRRset(Section::kAnswer, node.name, *ds, dnssec);
    } else {
      AddNegativeSoa(ds_answer, soa, dnssec);
      if (dnssec) AddIfPresent(ds_answer, Section::kAuthority, node, dns::kTypeNsec, true);
    }
    t.ds[dnssec] = ds_answer.Finish(store_, kRcodeNoError, true);
  }
  if (store_.oversized() > 0) {
    return absl::InvalidArgumentError(
        Cat(NameToText(node.name), ": its referral exceeds 65535 octets or 255 optional glue RRsets"));
  }
  tlds_.push_back(t);
  return absl::OkStatus();
}

void DelegationAnswers::CompileNxDomain(const Zone& zone, const std::vector<const Node*>& chain,
                                        BodyBuilder& body) {
  const RRset& soa = *zone.apex()->Find(dns::kTypeSoa);
  body.Reset(kRootName);
  AddNegativeSoa(body, soa, false);
  nxdomain_plain_ = body.Finish(store_, kRcodeNxDomain, true);
  // RFC 4035 3.1.3.2: the NSEC covering the name, and the NSEC proving that "*." (the
  // wildcard at the closest encloser, the apex) does not exist.
  const size_t wildcard_gap = LowerBound("*", LabelKey("*"));
  for (size_t gap = 0; gap < chain.size(); ++gap) {
    body.Reset(kRootName);
    AddNegativeSoa(body, soa, true);
    AddIfPresent(body, Section::kAuthority, *chain[gap], dns::kTypeNsec, true);
    if (wildcard_gap != gap) AddIfPresent(body, Section::kAuthority, *chain[wildcard_gap], dns::kTypeNsec, true);
    nxdomain_dnssec_.push_back(body.Finish(store_, kRcodeNxDomain, true));
  }
}

absl::StatusOr<std::shared_ptr<const DelegationAnswers>> DelegationAnswers::Build(const Zone& zone) {
  auto answers = std::make_shared<DelegationAnswers>();
  const NodeIndex index(zone);
  BodyBuilder builder;
  std::vector<const Node*> chain{zone.apex()};
  std::string_view delegation;  // the TLD the current run of names lies below
  for (const Node& node : zone.nodes()) {
    if (&node == zone.apex()) continue;
    if (LabelCount(node.name) == 1) {
      if (auto s = answers->CompileTld(zone, index, node, builder); !s.ok()) return s;
      chain.push_back(&node);
      delegation = node.name;
    } else if (delegation.empty() || !IsSubdomainOf(node.name, delegation)) {
      return absl::InvalidArgumentError(
          Cat("unsupported: ", NameToText(node.name), " lies below no delegation (only delegations are served below the apex)"));
    }
  }
  if (answers->tlds_.size() >= 0xffff) return absl::InvalidArgumentError("more than 65534 TLDs");
  answers->prefix_start_.resize(kPrefixKeys + 1);
  size_t t = 0;
  for (size_t key = 0; key <= kPrefixKeys; ++key) {
    while (t < answers->tlds_.size() && PrefixKey(answers->Label(answers->tlds_[t])) < key) ++t;
    answers->prefix_start_[key] = static_cast<uint16_t>(t);
  }
  answers->CompileNxDomain(zone, chain, builder);
  if (absl::Status s = answers->store_.Freeze(); !s.ok()) return s;
  return std::shared_ptr<const DelegationAnswers>(std::move(answers));
}

// ---------------------------------------------------------------------------------------------

namespace {

// The records the apex answers are built from: everything owned by "." and the addresses of
// the apex NS targets.
std::vector<Record> ApexRecords(const Zone& zone) {
  std::vector<Record> out;
  const Node& apex = *zone.apex();
  for (const RRset& set : apex.rrsets) {
    for (const Record* r : set.records) out.push_back(*r);
    for (const Record* s : set.signatures) out.push_back(*s);
  }
  for (const Record* s : apex.orphan_signatures) out.push_back(*s);
  if (const RRset* ns = apex.Find(dns::kTypeNs)) {
    for (const Record* r : ns->records) {
      const Node* target = zone.FindNode(LowerName(r->rdata));
      if (target == nullptr || target == &apex) continue;
      for (uint16_t type : {dns::kTypeA, dns::kTypeAaaa}) {
        if (const RRset* set = target->Find(type)) {
          for (const Record* a : set->records) out.push_back(*a);
        }
      }
    }
  }
  return out;
}

// The DNSKEY RDATA of the apex keys whose tag and algorithm sign an RRset other than the apex
// DNSKEY RRset. Signatures are not verified here (LoadZone did that): with colliding tags every
// key of the tag is kept, which can only make a replacement stricter.
std::vector<std::string> AnswerSigners(const Zone& zone) {
  std::vector<std::pair<uint16_t, uint8_t>> tags;  // (key tag, algorithm)
  for (const Node& node : zone.nodes()) {
    for (const RRset& set : node.rrsets) {
      if (&node == zone.apex() && set.type == dns::kTypeDnskey) continue;
      for (const Record* s : set.signatures) {
        absl::StatusOr<RrsigFields> f = ParseRrsig(s->rdata);
        if (f.ok()) tags.emplace_back(f->key_tag, f->algorithm);
      }
    }
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  std::vector<std::string> signers;
  const ApexKeys keys = ApexKeys::FromZone(zone);
  for (const ApexKey& k : keys.keys()) {
    if (std::binary_search(tags.begin(), tags.end(), std::make_pair(k.tag, k.algorithm))) signers.push_back(k.record->rdata);
  }
  return signers;
}

// Whether `replacement` (the new DNSKEY RRset and its RRSIGs, alone) may replace the apex
// DNSKEY RRset of an image whose other RRsets are signed by `answer_signers`, at `at`.
absl::Status CheckDnskeyReplacement(const Zone& replacement, const std::vector<std::string>& answer_signers,
                                    absl::Time at) {
  const RRset* keys = replacement.apex() != nullptr ? replacement.apex()->Find(dns::kTypeDnskey) : nullptr;
  if (keys == nullptr) return absl::InvalidArgumentError("the new DNSKEY RRset is empty");
  for (const std::string& signer : answer_signers) {
    if (std::none_of(keys->records.begin(), keys->records.end(), [&](const Record* r) { return r->rdata == signer; })) {
      return absl::InvalidArgumentError(Cat("the new DNSKEY RRset lacks key ", int{KeyTag(signer)}, " alg ",
                                            int{DnskeyAlgorithm(signer)}, ", which signs the zone's other RRsets"));
    }
  }
  if (keys->signatures.empty()) return absl::InvalidArgumentError("the new DNSKEY RRset has no RRSIG");
  const ApexKeys apex_keys = ApexKeys::FromZone(replacement);
  bool valid_at = false;
  std::string windows;
  for (const Record* s : keys->signatures) {
    absl::StatusOr<RrsigFields> f = ParseRrsig(s->rdata);
    if (!f.ok()) return absl::InvalidArgumentError(Cat("an RRSIG over the new DNSKEY RRset: ", f.status().message()));
    absl::StatusOr<int> key = VerifyRrsig(*f, kRootName, *keys, apex_keys, kRootName);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          Cat("the RRSIG by key ", int{f->key_tag}, " over the new DNSKEY RRset is wrong: ", key.status().message()));
    }
    valid_at = valid_at || CheckRrsigWindow(*f, at).ok();
    windows += Cat(windows.empty() ? "" : ", ", "key ", int{f->key_tag}, " from ", FormatUtc(RrsigTime(f->inception, at)),
                   " to ", FormatUtc(RrsigTime(f->expiration, at)));
  }
  if (!valid_at) {
    return absl::FailedPreconditionError(
        Cat("no RRSIG over the new DNSKEY RRset is valid at ", FormatUtc(at), " (", windows, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

ZoneImage::ZoneImage(std::shared_ptr<const ApexAnswers> apex, std::shared_ptr<const DelegationAnswers> delegations)
    : apex_(std::move(apex)), delegations_(std::move(delegations)) {}
ZoneImage::~ZoneImage() = default;

absl::StatusOr<std::shared_ptr<const ZoneImage>> ZoneImage::Compile(const Zone& zone) {
  if (zone.apex() == nullptr || zone.apex()->Find(dns::kTypeSoa) == nullptr) {
    return absl::InvalidArgumentError("not a root zone: no SOA at '.'");
  }
  auto apex = ApexAnswers::Build(ApexRecords(zone), AnswerSigners(zone));
  if (!apex.ok()) return apex.status();
  auto delegations = DelegationAnswers::Build(zone);
  if (!delegations.ok()) return delegations.status();
  return std::make_shared<const ZoneImage>(std::move(*apex), std::move(*delegations));
}

absl::StatusOr<std::shared_ptr<const ZoneImage>> ZoneImage::WithDnskeys(std::vector<Record> dnskeys,
                                                                        std::vector<Record> signatures,
                                                                        absl::Time at) const {
  std::vector<Record> records;
  for (const Record& r : apex_->records()) {
    const bool old_key = r.type == dns::kTypeDnskey && LabelCount(r.owner) == 0;
    const bool old_signature = r.type == dns::kTypeRrsig && RrsigTypeCovered(r) == dns::kTypeDnskey;
    if (!old_key && !old_signature) records.push_back(r);
  }
  for (const Record& r : dnskeys) {
    if (r.type != dns::kTypeDnskey || LabelCount(r.owner) != 0) {
      return absl::InvalidArgumentError("a replacement DNSKEY record is not a DNSKEY owned by '.'");
    }
  }
  for (const Record& s : signatures) {
    if (s.type != dns::kTypeRrsig || RrsigTypeCovered(s) != dns::kTypeDnskey || LabelCount(s.owner) != 0) {
      return absl::InvalidArgumentError("a replacement signature is not an RRSIG over '.' DNSKEY");
    }
  }
  records.insert(records.end(), dnskeys.begin(), dnskeys.end());
  records.insert(records.end(), signatures.begin(), signatures.end());
  std::vector<Record> replacement_records = std::move(dnskeys);
  replacement_records.insert(replacement_records.end(), std::make_move_iterator(signatures.begin()),
                             std::make_move_iterator(signatures.end()));
  auto replacement = Zone::FromRecords({"<new DNSKEY RRset>"}, std::move(replacement_records));
  if (!replacement.ok()) return replacement.status();
  if (absl::Status s = CheckDnskeyReplacement(*replacement, apex_->answer_signers(), at); !s.ok()) return s;
  auto apex = ApexAnswers::Build(std::move(records), apex_->answer_signers());
  if (!apex.ok()) return apex.status();
  return std::make_shared<const ZoneImage>(std::move(*apex), delegations_);
}

void ZoneImage::PrefetchTld(const ImageQuery& query) const {
  if (!query.tld.empty()) delegations_->PrefetchIndex(query.tld);
}

size_t ZoneImage::LocateTld(const ImageQuery& query) const {
  return query.tld.empty() ? 0 : delegations_->SearchStart(query.tld);
}

const uint64_t* ZoneImage::LocateBody(const ImageQuery& query, size_t tld_search_start) const {
  const uint64_t* body = query.tld.empty() ? apex_->Locate(query.qtype, query.dnssec_ok, query.tcp)
                                           : delegations_->Locate(query, tld_search_start);
  // The header and cut points, and the first octets the copy reads.
  __builtin_prefetch(body);
  __builtin_prefetch(body + 8);
  return body;
}

const ImageIdentity& ZoneImage::identity() const { return apex_->identity(); }
uint32_t ZoneImage::serial() const { return apex_->identity().serial; }
size_t ZoneImage::tld_count() const { return delegations_->tld_count(); }
size_t ZoneImage::body_count() const { return apex_->body_count() + delegations_->body_count(); }
size_t ZoneImage::memory_bytes() const { return apex_->memory_bytes() + delegations_->memory_bytes(); }

}  // namespace rootd::zone
