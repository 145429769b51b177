#include "zone/signer.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

uint32_t ToRrsigTime(absl::Time t) { return static_cast<uint32_t>(absl::ToUnixSeconds(t)); }

struct Job {
  const SigningKey* key;
  RrsetToSign rrset;
};

}  // namespace

SignatureValidity SignatureValidity::Between(absl::Time inception, absl::Time expiration) {
  return SignatureValidity{ToRrsigTime(inception), ToRrsigTime(expiration)};
}

bool IsDelegation(const Zone& zone, const Node& node) {
  return &node != zone.apex() && node.Find(dns::kTypeNs) != nullptr;
}

absl::StatusOr<Record> SignRrset(const SigningKey& key, const RrsetToSign& rrset, const SignatureValidity& validity,
                                 std::string_view signer) {
  if (rrset.rdatas.empty()) return absl::InvalidArgumentError("cannot sign an empty RRset");
  if (!IsSubdomainOf(rrset.owner, signer)) {
    return absl::InvalidArgumentError(Cat("owner ", NameToText(rrset.owner), " is outside signer ", NameToText(signer)));
  }
  int labels = LabelCount(rrset.owner);
  if (rrset.owner.size() >= 2 && rrset.owner[0] == 1 && rrset.owner[1] == '*') --labels;

  std::string rdata;
  Put16(rdata, rrset.type);
  rdata += static_cast<char>(key.algorithm());
  rdata += static_cast<char>(labels);
  Put32(rdata, rrset.ttl);
  Put32(rdata, validity.expiration);
  Put32(rdata, validity.inception);
  Put16(rdata, key.key_tag());
  rdata.append(signer);

  // SignedData reads only the prefix and the labels field.
  RrsigFields fields;
  fields.labels = static_cast<uint8_t>(labels);
  fields.original_ttl = rrset.ttl;
  fields.prefix = rdata;
  absl::StatusOr<std::string> signature =
      key.Sign(SignedData(fields, rrset.owner, rrset.type, rrset.rclass, rrset.rdatas));
  if (!signature.ok()) return signature.status();
  rdata += *signature;

  Record out;
  out.owner = std::string(rrset.owner);
  out.type = dns::kTypeRrsig;
  out.rclass = rrset.rclass;
  out.ttl = rrset.ttl;
  out.rdata = std::move(rdata);
  return out;
}

absl::StatusOr<std::vector<Record>> SignZone(const Zone& zone, const ZoneSigningOptions& options) {
  std::vector<Job> jobs;
  const std::string* cut = nullptr;
  for (const Node& node : zone.nodes()) {
    if (cut != nullptr && IsSubdomainOf(node.name, *cut)) continue;  // glue
    cut = nullptr;
    const bool delegation = IsDelegation(zone, node);
    for (const RRset& set : node.rrsets) {
      if (std::find(options.skip_types.begin(), options.skip_types.end(), set.type) != options.skip_types.end()) {
        continue;
      }
      if (delegation && set.type != dns::kTypeDs && set.type != dns::kTypeNsec) continue;
      const bool apex_dnskey = set.type == dns::kTypeDnskey && &node == zone.apex();
      RrsetToSign rrset{node.name, set.type, set.records.front()->rclass, set.ttl, {}};
      for (const Record* r : set.records) rrset.rdatas.push_back(r->rdata);
      for (const SigningKey& key : apex_dnskey ? options.dnskey_signers : options.zone_signers) {
        jobs.push_back(Job{&key, rrset});
      }
    }
    if (delegation) cut = &node.name;
  }

  std::vector<absl::StatusOr<Record>> results(jobs.size(), absl::UnknownError("not signed"));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      results[i] = SignRrset(*jobs[i].key, jobs[i].rrset, options.validity, options.signer);
    }
  };
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, 64);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  std::vector<Record> out;
  out.reserve(results.size());
  for (absl::StatusOr<Record>& r : results) {
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

}  // namespace rootd::zone
