// skrtool: reads a Signed Key Response (IANA XML or Knot's text) and shows its bundles or verifies them.
// Exit status: 0 when all is well, 1 if the file cannot be read or (verify) a check fails, 2 on usage errors.
#include <cstdio>
#include <string>

#include "tools/skr_report.h"
#include "zone/skr.h"

namespace {

constexpr char kUsage[] =
    "usage: skrtool show FILE [--json]\n"
    "       skrtool verify FILE [--json]\n"
    "FILE is an SKR: IANA's KSR/SKR XML of the root KSK ceremonies or Knot's `keymgr sign-ksr` output.\n"
    "show    the bundles as a timeline: id, inception, expiration, each key (tag, algorithm, bits,\n"
    "        KSK/ZSK, REVOKE, whether it signs) and the size of the response to . DNSKEY with DO\n"
    "verify  every RRSIG verifies over its bundle's DNSKEY RRset and is valid from the bundle's\n"
    "        inception to its expiration; every stated keyTag is the key's tag\n";

int Usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command, file;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else if (command.empty()) {
      command = arg;
    } else if (file.empty()) {
      file = arg;
    } else {
      return Usage();
    }
  }
  if ((command != "show" && command != "verify") || file.empty()) return Usage();

  absl::StatusOr<rootd::zone::SignedKeyResponse> skr = rootd::zone::ReadSkrFile(file);
  if (!skr.ok()) {
    std::fprintf(stderr, "skrtool: %s\n", std::string(skr.status().message()).c_str());
    return 1;
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
