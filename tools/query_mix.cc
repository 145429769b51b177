#include "tools/query_mix.h"

#include <algorithm>
#include <cstdio>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::tools {
namespace {

constexpr char kAlphanumeric[] = "abcdefghijklmnopqrstuvwxyz0123456789";
// Names leaking from home and office networks that root servers answer NXDOMAIN for
// (the list gen_queries.py uses).
constexpr const char* kJunkTlds[] = {"local",  "home",        "lan",    "corp",     "internal",
                                     "localdomain", "belkin", "domain", "intranet", "router"};
// gen_queries.py's NXDOMAIN query types, A weighted twice.
constexpr const char* kNxdomainTypes[] = {"A", "A", "AAAA", "SOA", "PTR", "MX"};
constexpr uint16_t kDnskeyFlagSep = 0x0001;
constexpr uint16_t kDnskeyFlagRevoke = 0x0080;

}  // namespace

const char* QueryCategoryName(QueryCategory category) {
  switch (category) {
    case QueryCategory::kNxdomain: return "nxdomain";
    case QueryCategory::kReferral: return "referral";
    case QueryCategory::kApex: return "apex";
    case QueryCategory::kDs: return "ds";
    case QueryCategory::kTrustAnchorSignal: return "ta";
  }
  return "?";
}

double& QueryMixShares::operator[](QueryCategory c) {
  switch (c) {
    case QueryCategory::kNxdomain: return nxdomain;
    case QueryCategory::kReferral: return referral;
    case QueryCategory::kApex: return apex;
    case QueryCategory::kDs: return ds;
    case QueryCategory::kTrustAnchorSignal: break;
  }
  return trust_anchor_signal;
}

double QueryMixShares::operator[](QueryCategory c) const { return const_cast<QueryMixShares&>(*this)[c]; }

absl::StatusOr<QueryTargets> QueryTargets::FromZone(const zone::Zone& zone) {
  const zone::Node* apex = nullptr;
  for (const zone::Node& node : zone.nodes()) {
    if (node.Find(dns::kTypeSoa) != nullptr) {
      apex = &node;
      break;
    }
  }
  if (apex == nullptr) return absl::InvalidArgumentError("the zone has no SOA record: no apex to query");
  QueryTargets targets;
  targets.apex = zone::NameToText(apex->name);
  for (const zone::Node& node : zone.nodes()) {
    if (&node == apex || !zone::IsSubdomainOf(node.name, apex->name)) continue;
    if (node.Find(dns::kTypeNs) != nullptr) targets.delegations.push_back(zone::NameToText(node.name));
    if (node.Find(dns::kTypeDs) != nullptr) targets.ds_owners.push_back(zone::NameToText(node.name));
  }
  if (const zone::RRset* dnskeys = apex->Find(dns::kTypeDnskey)) {
    for (const zone::Record* key : dnskeys->records) {
      const uint16_t flags = zone::DnskeyFlags(key->rdata);
      // A resolver signals the anchors it trusts; a revoked key is no longer one (RFC 5011).
      if ((flags & kDnskeyFlagSep) && !(flags & kDnskeyFlagRevoke)) targets.ksk_tags.push_back(zone::KeyTag(key->rdata));
    }
  }
  std::sort(targets.ksk_tags.begin(), targets.ksk_tags.end());
  targets.ksk_tags.erase(std::unique(targets.ksk_tags.begin(), targets.ksk_tags.end()), targets.ksk_tags.end());
  // A junk TLD the zone does delegate would turn NXDOMAIN load into referrals.
  for (const char* junk : kJunkTlds) {
    auto wire = zone::NameFromText(junk, zone::LowerName(apex->name));
    if (wire.ok() && zone.FindNode(zone::LowerName(*wire)) == nullptr) targets.junk_labels.push_back(junk);
  }
  return targets;
}

QueryMixGenerator::QueryMixGenerator(QueryTargets targets, uint64_t seed)
    : targets_(std::move(targets)), names_(seed), do_bits_(seed ^ 0x9e3779b97f4a7c15ULL) {}

absl::StatusOr<QueryMixGenerator> QueryMixGenerator::Create(QueryTargets targets, const QueryMixOptions& options) {
  if (options.do_share < 0 || options.do_share > 100) return absl::InvalidArgumentError("the DO share must be 0..100");
  QueryMixShares shares = options.shares;
  QueryMixGenerator generator(std::move(targets), options.seed);
  generator.do_share_ = options.do_share;
  auto drop = [&](QueryCategory c, const char* why) {
    if (shares[c] > 0) {
      generator.notes_.push_back(Cat("the zone has ", why, "; the ", QueryCategoryName(c), " share is dropped"));
    }
    shares[c] = 0;
  };
  const QueryTargets& t = generator.targets_;
  if (t.delegations.empty()) drop(QueryCategory::kReferral, "no delegations");
  if (t.ds_owners.empty()) drop(QueryCategory::kDs, "no DS records");
  if (t.ksk_tags.empty()) drop(QueryCategory::kTrustAnchorSignal, "no KSK (DNSKEY with the SEP flag)");
  double total = 0;
  for (int i = 0; i < kQueryCategoryCount; ++i) {
    const double share = shares[static_cast<QueryCategory>(i)];
    if (share < 0) return absl::InvalidArgumentError("shares must not be negative");
    total += share;
  }
  if (total <= 0) return absl::InvalidArgumentError("all shares are zero: nothing to generate");
  for (int i = 0; i < kQueryCategoryCount; ++i) {
    generator.probabilities_[i] = shares[static_cast<QueryCategory>(i)] / total;
  }
  return generator;
}

uint64_t QueryMixGenerator::Below(uint64_t bound) {
  // Rejection sampling: no modulo bias, and no dependence on the library's distributions.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do {
    x = names_();
  } while (x >= limit);
  return x % bound;
}

double QueryMixGenerator::Uniform() { return static_cast<double>(names_() >> 11) * 0x1.0p-53; }

std::string QueryMixGenerator::RandomLabel(int min_length, int max_length) {
  const int length = min_length + static_cast<int>(Below(static_cast<uint64_t>(max_length - min_length + 1)));
  std::string label;
  for (int i = 0; i < length; ++i) label += kAlphanumeric[Below(sizeof(kAlphanumeric) - 1)];
  return label;
}

std::string QueryMixGenerator::UnderApex(const std::string& label) const {
  return targets_.apex == "." ? label + "." : Cat(label, ".", targets_.apex);
}

std::string QueryMixGenerator::TrustAnchorName() {
  // RFC 8145 5.1: the tags a resolver trusts, four lowercase hex digits each, ascending. A random
  // non-empty subset stands for resolvers at different points of a rollover.
  const std::vector<uint16_t>& tags = targets_.ksk_tags;
  const uint64_t subsets = (tags.size() >= 16 ? (1ULL << 16) : (1ULL << tags.size())) - 1;
  const uint64_t mask = 1 + Below(subsets);
  std::string label = "_ta";
  for (size_t i = 0; i < tags.size() && i < 16; ++i) {
    if (!(mask & (1ULL << i))) continue;
    char hex[8];
    std::snprintf(hex, sizeof hex, "-%04x", tags[i]);
    label += hex;
  }
  return UnderApex(label);
}

MixQuery QueryMixGenerator::Next() {
  MixQuery query;
  const double r = Uniform();
  int category = kQueryCategoryCount - 1;
  double cumulative = 0;
  for (int i = 0; i < kQueryCategoryCount; ++i) {
    cumulative += probabilities_[i];
    if (r < cumulative) {
      category = i;
      break;
    }
  }
  // Rounding may leave r just above the sum: take the last category that has weight.
  while (probabilities_[category] == 0 && category > 0) --category;
  query.category = static_cast<QueryCategory>(category);
  switch (query.category) {
    case QueryCategory::kNxdomain:
      // gen_queries.py: 80% Chromium-style random probes, 20% names under a junk TLD.
      if (Uniform() < 0.8 || targets_.junk_labels.empty()) {
        query.name = UnderApex(RandomLabel(7, 15));
      } else {
        query.name = UnderApex(Cat(RandomLabel(3, 10), ".", targets_.junk_labels[Below(targets_.junk_labels.size())]));
      }
      query.type = kNxdomainTypes[Below(std::size(kNxdomainTypes))];
      break;
    case QueryCategory::kReferral: {
      const std::string& delegation = targets_.delegations[Below(targets_.delegations.size())];
      query.name = Cat("www.", RandomLabel(3, 12), ".", delegation);
      query.type = Below(2) == 0 ? "A" : "AAAA";
      break;
    }
    case QueryCategory::kApex: {
      // gen_queries.py's apex queries: DNSKEY 5%, NS 1.7%, SOA 1.65% of all.
      const double k = Uniform();
      query.name = targets_.apex;
      query.type = k < 0.6 ? "DNSKEY" : k < 0.8 ? "NS" : "SOA";
      break;
    }
    case QueryCategory::kDs:
      query.name = targets_.ds_owners[Below(targets_.ds_owners.size())];
      query.type = "DS";
      break;
    case QueryCategory::kTrustAnchorSignal:
      query.name = TrustAnchorName();
      query.type = "NULL";
      break;
  }
  const double d = static_cast<double>(do_bits_() >> 11) * 0x1.0p-53;
  query.dnssec_ok = d * 100 < do_share_;
  return query;
}

std::string FormatQueryLine(const MixQuery& query, QueryFileFormat format) {
  if (format == QueryFileFormat::kKxdpgun) return Cat(query.name, " ", query.type, query.dnssec_ok ? " D" : " E");
  return Cat(query.name, " ", query.type);
}

}  // namespace rootd::tools
