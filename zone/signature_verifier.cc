#include "zone/signature_verifier.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/status/status.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/node_roles.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

// One RRSIG to check, with the RRset it covers (null for an orphan signature).
struct Job {
  const Node* node;
  const RRset* rrset;
  const Record* rrsig;
};

struct JobResult {
  int key_index = -1;  // the key that verified it, -1 if it failed
  std::string error;   // the reason, when it failed
  uint32_t expiration = 0;
  bool parsed = false;
};

// Checks one RRSIG: parse, time window, then signer, labels and cryptography. Runs on worker
// threads; touches only its arguments and read-only state.
JobResult CheckOne(const Job& job, const ApexKeys& keys, const std::string& apex_name, absl::Time at) {
  JobResult out;
  absl::StatusOr<RrsigFields> f = ParseRrsig(job.rrsig->rdata);
  if (!f.ok()) {
    out.error = std::string(f.status().message());
    return out;
  }
  out.parsed = true;
  out.expiration = f->expiration;
  if (job.rrset == nullptr) {
    out.error = Cat("RRSIG covers ", TypeToText(f->type_covered), ", which has no RRset at this name");
    return out;
  }
  if (absl::Status window = CheckRrsigWindow(*f, at); !window.ok()) {
    out.error = std::string(window.message());
    return out;
  }
  absl::StatusOr<int> key_index = VerifyRrsig(*f, job.node->name, *job.rrset, keys, apex_name);
  if (key_index.ok()) {
    out.key_index = *key_index;
  } else {
    out.error = std::string(key_index.status().message());
  }
  return out;
}

}  // namespace

std::string FormatUtc(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

absl::Time RrsigTime(uint32_t field, absl::Time at) {
  const auto now = static_cast<uint32_t>(absl::ToUnixSeconds(at));
  const auto delta = static_cast<int32_t>(field - now);
  return absl::FromUnixSeconds(absl::ToUnixSeconds(at) + delta);
}

absl::Status CheckRrsigWindow(const RrsigFields& rrsig, absl::Time at) {
  const auto now = static_cast<uint32_t>(absl::ToUnixSeconds(at));
  if (!SerialTimeAtOrAfter(rrsig.expiration, now)) {
    return absl::FailedPreconditionError(Cat("signature expired at ", FormatUtc(RrsigTime(rrsig.expiration, at))));
  }
  if (!SerialTimeAtOrAfter(now, rrsig.inception)) {
    return absl::FailedPreconditionError(
        Cat("signature not yet valid (inception ", FormatUtc(RrsigTime(rrsig.inception, at)), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> VerifyRrsig(const RrsigFields& rrsig, std::string_view owner, const RRset& rrset,
                                const ApexKeys& keys, std::string_view apex_name) {
  if (LowerName(rrsig.signer) != apex_name) {
    return absl::InvalidArgumentError(Cat("signer ", NameToText(rrsig.signer), " is not the zone apex"));
  }
  if (rrsig.labels > LabelCount(owner)) {
    return absl::InvalidArgumentError(Cat("RRSIG labels ", int{rrsig.labels}, " exceed the owner's ", LabelCount(owner)));
  }
  const std::vector<int> candidates = keys.Candidates(rrsig.key_tag, rrsig.algorithm);
  if (candidates.empty()) {
    return absl::InvalidArgumentError(Cat("no DNSKEY with tag ", int{rrsig.key_tag}, " alg ", int{rrsig.algorithm}));
  }
  std::vector<std::string_view> rdatas;
  rdatas.reserve(rrset.records.size());
  for (const Record* r : rrset.records) rdatas.push_back(r->rdata);
  const std::string data = SignedData(rrsig, owner, rrset.type, rrset.records[0]->rclass, rdatas);
  std::string unusable;
  for (int index : candidates) {
    const ApexKey& key = keys.keys()[index];
    if (!key.is_zone_key()) {
      unusable = Cat("DNSKEY ", int{key.tag}, " is not a zone key");
      continue;
    }
    if (!key.key) {
      unusable = Cat("DNSKEY ", int{key.tag}, " unusable: ", key.key_error);
      continue;
    }
    if (key.key->Verify(data, rrsig.signature)) return index;
  }
  return absl::InvalidArgumentError(unusable.empty() || candidates.size() > 1
                                        ? Cat("signature does not verify with key ", int{rrsig.key_tag})
                                        : unusable);
}

SignatureReport SignatureVerifier::Verify(const SignatureOptions& options) const {
  SignatureReport report;
  const std::vector<Node>& nodes = zone_.nodes();
  const std::vector<NodeRole> roles = ClassifyNodes(zone_);
  const std::string apex_name = zone_.apex() != nullptr ? zone_.apex()->name : std::string(1, '\0');

  std::vector<Job> jobs;
  for (const Node& node : nodes) {
    for (const RRset& set : node.rrsets) {
      for (const Record* sig : set.signatures) jobs.push_back({&node, &set, sig});
    }
    for (const Record* sig : node.orphan_signatures) jobs.push_back({&node, nullptr, sig});
  }

  // Workers take chunks of jobs by an atomic cursor; each result has its own slot, so no
  // locking, and the report is assembled in zone order afterwards.
  std::vector<JobResult> results(jobs.size());
  std::atomic<size_t> cursor{0};
  constexpr size_t kChunk = 32;
  auto work = [&] {
    for (;;) {
      const size_t begin = cursor.fetch_add(kChunk, std::memory_order_relaxed);
      if (begin >= jobs.size()) return;
      const size_t end = std::min(begin + kChunk, jobs.size());
      for (size_t i = begin; i < end; ++i) results[i] = CheckOne(jobs[i], keys_, apex_name, options.at);
    }
  };
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, 64);
  threads = static_cast<int>(std::min<size_t>(threads, jobs.size() / kChunk + 1));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  report.signatures_checked = jobs.size();
  uint32_t earliest = 0;
  size_t next_job = 0;
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node& node = nodes[n];
    for (const RRset& set : node.rrsets) {
      bool valid = false;
      for (size_t s = 0; s < set.signatures.size(); ++s, ++next_job) {
        const JobResult& r = results[next_job];
        const Job& job = jobs[next_job];
        if (r.parsed && (report.earliest_expiring == nullptr || !SerialTimeAtOrAfter(r.expiration, earliest))) {
          earliest = r.expiration;
          report.earliest_expiring = job.rrsig;
        }
        if (r.key_index >= 0) {
          valid = true;
          report.verified.push_back({job.rrsig, set.type, r.key_index});
        } else {
          report.failures.push_back(Cat(zone_.Describe(*job.rrsig), " covering ", TypeToText(set.type), ": ", r.error));
        }
      }
      if (!IsSignedRRset(roles[n], set.type)) continue;
      ++report.rrsets_checked;
      if (set.signatures.empty()) {
        report.failures.push_back(Cat(zone_.Describe(*set.records[0]), ": RRset has no RRSIG"));
      } else if (!valid) {
        report.failures.push_back(Cat(zone_.Describe(*set.records[0]), ": RRset has no valid RRSIG"));
      }
    }
    for (size_t s = 0; s < node.orphan_signatures.size(); ++s, ++next_job) {
      report.failures.push_back(Cat(zone_.Describe(*jobs[next_job].rrsig), ": ", results[next_job].error));
    }
  }
  if (report.earliest_expiring != nullptr) report.earliest_expiration = RrsigTime(earliest, options.at);
  return report;
}

}  // namespace rootd::zone
