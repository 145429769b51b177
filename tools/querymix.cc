// rootd-querymix: a dnsperf (or kxdpgun) query file with a root-like mix, drawn from a zone.
// Exit status: 0 on success, 1 if the zone cannot be read or the output written, 2 on usage errors.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "server/command_line.h"
#include "tools/query_mix.h"
#include "zone/master_reader.h"
#include "zone/text.h"

namespace {

constexpr char kUsage[] =
    "usage: rootd-querymix [options] ZONEFILE\n"
    "Writes one query per line for dnsperf -d (\"name TYPE\") or kxdpgun -i (\"name TYPE D|E\").\n"
    "options:\n"
    "  --count N          queries to write (default 200000)\n"
    "  --seed S           random seed; the same seed and zone give the same file (default 42)\n"
    "  --out FILE         output file (default stdout)\n"
    "  --format F         dnsperf (default) or kxdpgun\n"
    "  --nxdomain P       share of random and junk TLDs: xk2j9fq0a. A, ab3.local. AAAA (default 50)\n"
    "  --referral P       share of www.<random>.<tld> A/AAAA (default 40)\n"
    "  --apex P           share of . DNSKEY / NS / SOA, 60/20/20 (default 8.35)\n"
    "  --ds P             share of <tld> DS (default 1.65)\n"
    "  --ta P             share of RFC 8145 signals _ta-<tags>. NULL, tags of the zone's KSKs (default 0.1)\n"
    "  --do-share P       percent of queries with EDNS DO (default: all, see below)\n"
    "Shares are weights, normalized to their sum; the defaults are the mix of\n"
    "bench/peers/gen_queries.py (50% NXDOMAIN, 40% referrals, 5% . DNSKEY, 5% . NS/. SOA/DS)\n"
    "plus 0.1% trust-anchor signals. A share the zone cannot serve (no DS, no KSK) is dropped.\n"
    "DO: dnsperf 2.10's input has no per-line EDNS flags (a third field is ignored); -D sets DO\n"
    "for a whole run. With --format dnsperf, --do-share needs --out FILE and splits the queries:\n"
    "FILE.do holds the DO share (replay with dnsperf -D), FILE the rest (replay without -D);\n"
    "run both at query rates in that proportion. With --format kxdpgun each line carries its\n"
    "flag: D (EDNS+DO) for the DO share, E (EDNS only) for the rest; all D by default.\n";

// An output file that reports write errors once, at Close.
class LineSink {
 public:
  bool Open(const std::string& path) {
    path_ = path.empty() ? "stdout" : path;
    file_ = path.empty() ? stdout : std::fopen(path.c_str(), "w");
    return file_ != nullptr;
  }
  void Write(const std::string& line) {
    std::fputs(line.c_str(), file_);
    std::fputc('\n', file_);
    ++lines_;
  }
  bool Close() {
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    if (file_ != stdout) ok = std::fclose(file_) == 0 && ok;
    return ok;
  }
  const std::string& path() const { return path_; }
  uint64_t lines() const { return lines_; }

 private:
  std::string path_;
  FILE* file_ = nullptr;
  uint64_t lines_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using rootd::tools::QueryCategory;
  rootd::tools::QueryMixOptions options;
  rootd::tools::QueryFileFormat format = rootd::tools::QueryFileFormat::kDnsperf;
  uint64_t count = 200000;
  std::string out_path;
  std::string zone_path;
  bool split_do = false;
  using rootd::server::ParseDouble;
  rootd::server::CommandLine command_line("rootd-querymix", kUsage);
  command_line.Option("count", [&count](const std::string& v) { return rootd::server::ParseUint64(v, UINT64_MAX, &count); })
      .Option("seed", [&options](const std::string& v) { return rootd::server::ParseUint64(v, UINT64_MAX, &options.seed); })
      .Option("out", &out_path)
      .Option("format",
              [&format](const std::string& v) {
                if (v == "kxdpgun") format = rootd::tools::QueryFileFormat::kKxdpgun;
                return v == "dnsperf" || v == "kxdpgun";
              })
      .Option("do-share", [&options, &split_do](const std::string& v) {
        split_do = true;
        return ParseDouble(v, &options.do_share) && options.do_share >= 0 && options.do_share <= 100;
      });
  const std::pair<const char*, QueryCategory> kShares[] = {{"nxdomain", QueryCategory::kNxdomain},
                                                           {"referral", QueryCategory::kReferral},
                                                           {"apex", QueryCategory::kApex},
                                                           {"ds", QueryCategory::kDs},
                                                           {"ta", QueryCategory::kTrustAnchorSignal}};
  for (const auto& share_option : kShares) {
    const QueryCategory category = share_option.second;  // clang 14 cannot capture a structured binding
    command_line.Option(share_option.first, [&options, category](const std::string& v) {
      double share = 0;
      const bool ok = ParseDouble(v, &share) && share >= 0;
      options.shares[category] = share;
      return ok;
    });
  }
  command_line.Arguments({&zone_path});
  if (std::optional<int> status = command_line.Parse(argc, argv)) return *status;
  if (zone_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  split_do = split_do && format == rootd::tools::QueryFileFormat::kDnsperf;
  if (split_do && out_path.empty()) {
    std::fputs("rootd-querymix: --do-share with --format dnsperf writes two files: give --out FILE\n", stderr);
    return 2;
  }

  auto zone = rootd::zone::ReadMasterFile(zone_path);
  if (!zone.ok()) {
    std::fprintf(stderr, "rootd-querymix: %s\n", std::string(zone.status().message()).c_str());
    return 1;
  }
  auto targets = rootd::tools::QueryTargets::FromZone(*zone);
  if (!targets.ok()) {
    std::fprintf(stderr, "rootd-querymix: %s: %s\n", zone_path.c_str(), std::string(targets.status().message()).c_str());
    return 1;
  }
  const size_t delegations = targets->delegations.size();
  const size_t ds_owners = targets->ds_owners.size();
  std::string tags;
  for (uint16_t tag : targets->ksk_tags) tags += rootd::Cat(tags.empty() ? "" : ",", tag);
  auto generator = rootd::tools::QueryMixGenerator::Create(*std::move(targets), options);
  if (!generator.ok()) {
    std::fprintf(stderr, "rootd-querymix: %s\n", std::string(generator.status().message()).c_str());
    return 2;
  }
  for (const std::string& note : generator->notes()) std::fprintf(stderr, "rootd-querymix: note: %s\n", note.c_str());

  LineSink plain;
  LineSink with_do;
  if (!plain.Open(out_path) || (split_do && !with_do.Open(out_path + ".do"))) {
    std::fprintf(stderr, "rootd-querymix: cannot write %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  uint64_t per_category[rootd::tools::kQueryCategoryCount] = {};
  for (uint64_t n = 0; n < count; ++n) {
    const rootd::tools::MixQuery query = generator->Next();
    ++per_category[static_cast<int>(query.category)];
    LineSink& sink = split_do && query.dnssec_ok ? with_do : plain;
    sink.Write(rootd::tools::FormatQueryLine(query, format));
  }
  // Close both files whatever the first one's outcome.
  const bool plain_closed = plain.Close();
  const bool do_closed = !split_do || with_do.Close();
  if (!plain_closed || !do_closed) {
    std::fprintf(stderr, "rootd-querymix: writing %s failed\n", plain.path().c_str());
    return 1;
  }

  std::string summary = rootd::Cat("rootd-querymix: ", count, " queries (delegations=", delegations, " ds=", ds_owners,
                                   " ksk_tags=", tags.empty() ? "none" : tags, ")");
  for (int i = 0; i < rootd::tools::kQueryCategoryCount; ++i) {
    summary += rootd::Cat(" ", rootd::tools::QueryCategoryName(static_cast<QueryCategory>(i)), "=", per_category[i]);
  }
  std::fprintf(stderr, "%s\n", summary.c_str());
  if (split_do) {
    std::fprintf(stderr, "rootd-querymix: %s: %llu queries, replay without -D; %s: %llu queries, replay with -D\n",
                 plain.path().c_str(), static_cast<unsigned long long>(plain.lines()), with_do.path().c_str(),
                 static_cast<unsigned long long>(with_do.lines()));
  }
  return 0;
}
