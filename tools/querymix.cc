// rootd-querymix: a dnsperf (or kxdpgun) query file with a root-like mix, drawn from a zone.
// Exit status: 0 on success, 1 if the zone cannot be read or the output written, 2 on usage errors.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

bool ParseDouble(const std::string& text, double* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && errno == 0;
}

bool ParseUint(const std::string& text, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(text.c_str(), &end, 10);
  return !text.empty() && text[0] != '-' && *end == '\0' && errno == 0;
}

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
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg.rfind("--", 0) == 0) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        std::fprintf(stderr, "rootd-querymix: %s needs a value\n%s", arg.c_str(), kUsage);
        return 2;
      }
    } else if (zone_path.empty()) {
      zone_path = arg;
      continue;
    } else {
      std::fprintf(stderr, "rootd-querymix: unexpected argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
    double number = 0;
    bool ok = true;
    if (arg == "--count") {
      ok = ParseUint(value, &count);
    } else if (arg == "--seed") {
      ok = ParseUint(value, &options.seed);
    } else if (arg == "--out") {
      out_path = value;
    } else if (arg == "--format") {
      ok = value == "dnsperf" || value == "kxdpgun";
      if (value == "kxdpgun") format = rootd::tools::QueryFileFormat::kKxdpgun;
    } else if (arg == "--do-share") {
      ok = ParseDouble(value, &options.do_share) && options.do_share >= 0 && options.do_share <= 100;
      split_do = true;
    } else if (arg == "--nxdomain" || arg == "--referral" || arg == "--apex" || arg == "--ds" || arg == "--ta") {
      ok = ParseDouble(value, &number) && number >= 0;
      const QueryCategory category = arg == "--nxdomain"   ? QueryCategory::kNxdomain
                                     : arg == "--referral" ? QueryCategory::kReferral
                                     : arg == "--apex"     ? QueryCategory::kApex
                                     : arg == "--ds"       ? QueryCategory::kDs
                                                           : QueryCategory::kTrustAnchorSignal;
      options.shares[category] = number;
    } else {
      std::fprintf(stderr, "rootd-querymix: unknown option '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "rootd-querymix: bad value '%s' for %s\n", value.c_str(), arg.c_str());
      return 2;
    }
  }
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
