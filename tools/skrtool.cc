// skrtool: reads a Signed Key Response (IANA XML or Knot's text) and shows its bundles or verifies them.
// Exit status: 0 when all is well, 1 if the file cannot be read or (verify) a check fails, 2 on usage errors.
#include <cstdio>
#include <optional>
#include <string>

#include "server/command_line.h"
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

}  // namespace

int main(int argc, char** argv) {
  std::string command, file;
  bool json = false;
  rootd::server::CommandLine command_line("skrtool", kUsage);
  command_line.Switch("json", &json).Arguments([&](const std::string& word) {
    std::string& next = command.empty() ? command : file;
    if (!next.empty()) return false;
    next = word;
    return true;
  });
  if (std::optional<int> status = command_line.Parse(argc, argv)) return *status;
  if (command != "show" && command != "verify") return command_line.UsageError("show or verify?");
  if (file.empty()) return command_line.UsageError("which file?");

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
