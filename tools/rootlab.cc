// rootlab: a rollover lab root of one's own. `init` makes the lab (keys, signed root zone, the
// lab TLD's zone, trust anchors in every resolver's form; zone/lab_init.h); `scenario` writes an
// SKR that rolls its keys on an accelerated, wall-clock-aligned schedule for rootd to serve.
// Exit status: 0 on success, 1 on failure, 2 on usage errors.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "server/command_line.h"
#include "zone/lab_init.h"
#include "zone/rr_types.h"
#include "zone/skr.h"
#include "zone/signature_verifier.h"

namespace {

using rootd::server::CommandLine;
namespace dns = rootd::dns;

constexpr char kUsage[] =
    "usage: rootlab init DIR [--from-zone ZONE] [--tlds N] [--algorithm rsasha256|ecdsap256sha256|ed25519]\n"
    "                        [--validity DURATION] [--server-address ADDR] [--lab-tld-address ADDR]\n"
    "init      a lab in DIR: fresh keys in DIR/keys, DIR/root.zone (generated with N TLDs, default 50, or\n"
    "          ZONE's content re-signed; the root servers' glue at --server-address, default 127.0.53.1;\n"
    "          lab. delegated to ns.lab. at --lab-tld-address, default 127.0.53.10), DIR/lab.zone,\n"
    "          DIR/root.ds and DIR/anchors/ (Unbound, BIND, Knot Resolver, root-anchors.xml);\n"
    "          signatures valid from an hour ago for --validity (default 30 days)\n"
    "DURATION is an xsd:duration (P30D, PT5S) or a Go-style one (720h, 5s).\n";

std::optional<absl::Duration> ParseDuration(const std::string& text) {
  absl::Duration d;
  if (absl::ParseDuration(text, &d)) return d;
  absl::StatusOr<absl::Duration> xsd = rootd::zone::ParseXsdDuration(text);
  if (xsd.ok()) return *xsd;
  return std::nullopt;
}

CommandLine::Setter PositiveDuration(absl::Duration* target) {
  return [target](const std::string& value) {
    std::optional<absl::Duration> d = ParseDuration(value);
    if (!d || *d <= absl::ZeroDuration()) return false;
    *target = *d;
    return true;
  };
}

CommandLine::Setter Algorithm(uint8_t* target) {
  return [target](const std::string& value) {
    if (value == "rsasha256") {
      *target = dns::kAlgRsaSha256;
    } else if (value == "ecdsap256sha256") {
      *target = dns::kAlgEcdsaP256;
    } else if (value == "ed25519") {
      *target = dns::kAlgEd25519;
    } else {
      return false;
    }
    return true;
  };
}

CommandLine::Setter OneArgument(std::string* target) {
  return [target](const std::string& word) {
    if (!target->empty()) return false;
    *target = word;
    return true;
  };
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "rootlab: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Init(int argc, char** argv) {
  rootd::zone::LabInitOptions options;
  CommandLine command_line("rootlab init", kUsage);
  command_line.Option("from-zone", &options.from_zone)
      .Option(
          "tlds",
          [&](const std::string& value) {
            uint64_t n = 0;
            if (!rootd::server::ParseUint64(value, 100000, &n) || n < 1) return false;
            options.tld_count = static_cast<int>(n);
            return true;
          },
          "a count from 1 to 100000")
      .Option("algorithm", Algorithm(&options.algorithm), "rsasha256, ecdsap256sha256 or ed25519")
      .Option("validity", PositiveDuration(&options.validity), "a duration like P30D or 720h")
      .Option("server-address", &options.server_address)
      .Option("lab-tld-address", &options.lab_tld_address)
      .Arguments(OneArgument(&options.dir));
  if (std::optional<int> status = command_line.Parse(argc, argv, 2)) return *status;
  if (options.dir.empty()) return command_line.UsageError("which folder?");
  options.now = absl::Now();
  absl::StatusOr<rootd::zone::LabInitReport> report = rootd::zone::InitLab(options);
  if (!report.ok()) return Fail(report.status());
  std::printf(
      "lab in %s: KSK-A %u, ZSK-1 %u, lab. key %u; root.zone serial %u, %zu records, signatures valid until %s\n"
      "serve it: rootd --zone %s/root.zone --trust-anchor %s/root.ds\n",
      options.dir.c_str(), report->ksk_tag, report->zsk_tag, report->lab_tld_tag, report->serial, report->records,
      rootd::zone::FormatUtc(report->expiration).c_str(), options.dir.c_str(), options.dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "init") return Init(argc, argv);
  if (command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
