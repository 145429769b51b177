// A root-like query mix drawn from a zone, for load generators (dnsperf, kxdpgun). The default
// shares follow /work/shared/bench/peers/gen_queries.py, the mix the peer benchmark uses, so a
// rootd-querymix file and a gen_queries.py file load a server alike; an RFC 8145 `_ta-` share
// is added because root servers see those signals and rootd counts them.
#pragma once
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/zone.h"

namespace rootd::tools {

enum class QueryCategory {
  kNxdomain,  // random Chromium-style probe labels and junk TLDs (local, home, corp ...)
  kReferral,  // www.<random>.<delegation> A/AAAA: a referral from the apex
  kApex,      // <apex> DNSKEY / NS / SOA
  kDs,        // <delegation> DS
  kTrustAnchorSignal,  // _ta-XXXX[-YYYY].<apex> NULL (RFC 8145 5)
};
inline constexpr int kQueryCategoryCount = 5;
const char* QueryCategoryName(QueryCategory category);

// Relative weights, normalized over the categories the zone can serve. gen_queries.py draws
// 50% NXDOMAIN, 40% referrals, 5% ". DNSKEY" and 5% split in thirds between ". NS", ". SOA" and
// "<tld> DS"; as categories that is 50 / 40 / 8.35 (apex) / 1.65 (DS).
struct QueryMixShares {
  double nxdomain = 50;
  double referral = 40;
  double apex = 8.35;
  double ds = 1.65;
  double trust_anchor_signal = 0.1;

  double& operator[](QueryCategory c);
  double operator[](QueryCategory c) const;
};

// What the mix draws names from, taken from a zone once.
struct QueryTargets {
  std::string apex;                     // presentation format, "." for the root
  std::vector<std::string> delegations; // non-apex owners with NS, presentation format
  std::vector<std::string> ds_owners;   // non-apex owners with DS
  std::vector<uint16_t> ksk_tags;       // SEP keys of the apex DNSKEY RRset, not revoked; ascending
  std::vector<std::string> junk_labels; // junk TLD labels absent from the zone

  // Fails when the zone has no SOA (no apex to aim at).
  static absl::StatusOr<QueryTargets> FromZone(const zone::Zone& zone);
};

struct MixQuery {
  std::string name;  // presentation format, fully qualified
  std::string type;  // mnemonic dnsperf and kxdpgun both know
  bool dnssec_ok = false;
  QueryCategory category = QueryCategory::kNxdomain;
};

struct QueryMixOptions {
  QueryMixShares shares;
  uint64_t seed = 42;
  double do_share = 100;  // percent of queries with EDNS DO set
};

// Draws queries; the same targets, options and seed always give the same sequence (the
// generators are std::mt19937_64, fully specified by the standard, with our own bounded draws
// rather than the library's implementation-defined distributions).
class QueryMixGenerator {
 public:
  // Categories the targets cannot serve (no delegation, no DS, no KSK) get weight 0 and are
  // listed in notes(); fails if no weight is left or a share is negative.
  static absl::StatusOr<QueryMixGenerator> Create(QueryTargets targets, const QueryMixOptions& options);

  MixQuery Next();
  const std::vector<std::string>& notes() const { return notes_; }
  // The normalized probability of each category, indexed by QueryCategory.
  const std::array<double, kQueryCategoryCount>& probabilities() const { return probabilities_; }

 private:
  QueryMixGenerator(QueryTargets targets, uint64_t seed);
  uint64_t Below(uint64_t bound);
  double Uniform();
  std::string RandomLabel(int min_length, int max_length);
  std::string UnderApex(const std::string& label) const;
  std::string TrustAnchorName();

  QueryTargets targets_;
  std::mt19937_64 names_;
  // DO bits come from their own stream so changing --do-share does not change the names.
  std::mt19937_64 do_bits_;
  std::array<double, kQueryCategoryCount> probabilities_{};
  double do_share_ = 100;
  std::vector<std::string> notes_;
};

enum class QueryFileFormat {
  kDnsperf,  // "name TYPE": dnsperf 2.10 has no per-line EDNS; -D sets DO for the whole file
  kKxdpgun,  // "name TYPE D" (EDNS with DO) or "name TYPE E" (EDNS without DO)
};

std::string FormatQueryLine(const MixQuery& query, QueryFileFormat format);

}  // namespace rootd::tools
