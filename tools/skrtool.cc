// skrtool: reads a Signed Key Response (IANA XML or Knot's text) and shows its bundles, verifies them or
// lints them against the ceremony's policy.
// Exit status: 0 when all is well (lint: warnings allowed), 1 if a file cannot be read or (verify) a check
// fails or (lint) an error is found, 2 on usage errors.
#include <cstdio>
#include <optional>
#include <string>

#include "server/command_line.h"
#include "tools/skr_lint.h"
#include "tools/skr_report.h"
#include "zone/skr.h"

namespace {

constexpr char kUsage[] =
    "usage: skrtool show FILE [--json]\n"
    "       skrtool verify FILE [--json]\n"
    "       skrtool lint FILE [--previous FILE] [--hold-down DURATION] [--json]\n"
    "FILE is an SKR: IANA's KSR/SKR XML of the root KSK ceremonies or Knot's `keymgr sign-ksr` output.\n"
    "show    the bundles as a timeline: id, inception, expiration, each key (tag, algorithm, bits,\n"
    "        KSK/ZSK, REVOKE, whether it signs) and the size of the response to . DNSKEY with DO\n"
    "verify  every RRSIG verifies over its bundle's DNSKEY RRset and is valid from the bundle's\n"
    "        inception to its expiration; every stated keyTag is the key's tag\n"
    "lint    the ceremony's checks (kskm's names): KSR-BUNDLE-COUNT (9), KSR-POLICY-BUNDLE-INTERVALS\n"
    "        (9..11 days), KSR-POLICY-SIG-VALIDITY, KSR-POLICY-SIG-OVERLAP, KSR-POLICY-ALG (the file's\n"
    "        KSK/ZSK policy), KSR-POLICY-SIG-HORIZON (180 days), KSR-BUNDLE-KEYS, with --previous\n"
    "        KSR-CHAIN-KEYS and KSR-CHAIN-OVERLAP, RFC5011-HOLD-DOWN (--hold-down, an xsd:duration,\n"
    "        default P30D), RFC5011-REVOKE-SELF-SIGN; DNSKEY-SIZE warns over 1232 octets\n";

}  // namespace

int main(int argc, char** argv) {
  std::string command, file, previous_file;
  bool json = false;
  rootd::tools::SkrLintOptions options;
  rootd::server::CommandLine command_line("skrtool", kUsage);
  command_line.Switch("json", &json)
      .Option("previous", &previous_file)
      .Option(
          "hold-down",
          [&](const std::string& value) {
            absl::StatusOr<absl::Duration> d = rootd::zone::ParseXsdDuration(value);
            if (!d.ok() || *d < absl::ZeroDuration()) return false;
            options.hold_down = *d;
            return true;
          },
          "an xsd:duration like P30D or PT2H")
      .Arguments({&command, &file});
  if (std::optional<int> status = command_line.Parse(argc, argv)) return *status;
  if (command != "show" && command != "verify" && command != "lint") {
    return command_line.UsageError("show, verify or lint?");
  }
  if (file.empty()) return command_line.UsageError("which file?");
  if (command != "lint" && !previous_file.empty()) return command_line.UsageError("--previous is for lint");

  absl::StatusOr<rootd::zone::SignedKeyResponse> skr = rootd::zone::ReadSkrFile(file);
  if (!skr.ok()) {
    std::fprintf(stderr, "skrtool: %s\n", std::string(skr.status().message()).c_str());
    return 1;
  }
  if (command == "lint") {
    absl::StatusOr<rootd::zone::SignedKeyResponse> previous;
    if (!previous_file.empty()) {
      previous = rootd::zone::ReadSkrFile(previous_file);
      if (!previous.ok()) {
        std::fprintf(stderr, "skrtool: %s\n", std::string(previous.status().message()).c_str());
        return 1;
      }
      options.previous = &*previous;
    }
    const rootd::tools::SkrLintReport report = rootd::tools::LintSkr(*skr, options);
    std::fputs((json ? rootd::tools::LintJson(*skr, report) : rootd::tools::LintText(*skr, report)).c_str(), stdout);
    return report.ok() ? 0 : 1;
  }
  if (command == "show") {
    std::fputs((json ? rootd::tools::ShowJson(*skr) : rootd::tools::ShowText(*skr)).c_str(), stdout);
    return 0;
  }
  const rootd::tools::SkrVerification verification = rootd::tools::VerifySkr(*skr);
  std::fputs(
      (json ? rootd::tools::VerifyJson(*skr, verification) : rootd::tools::VerifyText(*skr, verification)).c_str(),
      stdout);
  return verification.ok() ? 0 : 1;
}
