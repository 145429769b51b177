// rootctl: the control client of a running rootd.
//   rootctl [--socket PATH] [--json] [--timeout SECONDS] [--svg FILE]
//           status|stats|reload [ZONE]|clock ...|bundle ...|ta-report ...
// Exit status: 0 when rootd says ok, 1 when it reports an error, 2 on usage or connection errors.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <unistd.h>

#include "server/command_line.h"
#include "server/control.h"

namespace {

constexpr char kUsage[] =
    "usage: rootctl [--socket PATH] [--json] [--timeout SECONDS] [--svg FILE] COMMAND\n"
    "commands:\n"
    "  status          zone serial, TLDs, image size, uptime, workers, queries answered\n"
    "  stats           query statistics (transports, address families, rcodes, RFC 8145 signals)\n"
    "  reload [ZONE]   load, verify and publish the zone (ZONE: a new zone file) and the SKR files;\n"
    "                  the old ones keep serving if any fails\n"
    "  clock [set TIME]  show the lab clock, or set it (RFC 3339) and serve the bundle due then\n"
    "  bundle list|show ID|pin ID|unpin\n"
    "                  the signature bundles of the SKR files (* = served); serve one whatever the\n"
    "                  clock says, or go back to the clock's choice\n"
    "  ta-report [OLD-KSK NEW-KSK]\n"
    "                  RFC 8145 trust-anchor signals per day: the sets reported, their sources and\n"
    "                  queries, and the share of sources trusting only the old KSK, only the new one,\n"
    "                  or both (default KSKs 20326 and 38696); --svg FILE writes that as a chart\n"
    "  rssac002 [DATE]  the RSSAC002 v5 documents of a day (YYYY-MM-DD; default today by rootd's\n"
    "                  clock): traffic volume and sizes, RCODEs, unique sources, load time, zone size\n"
    "The socket defaults to $ROOTD_CONTROL, else ./.state/rootd.ctl (rootd's default).\n";

}  // namespace

int main(int argc, char** argv) {
  rootd::server::ControlRequest request;
  std::string socket_path = std::getenv("ROOTD_CONTROL") ? std::getenv("ROOTD_CONTROL") : ".state/rootd.ctl";
  std::string svg_path;
  uint64_t timeout_seconds = 300;  // verifying a full root zone takes seconds; never hang forever
  rootd::server::CommandLine command_line("rootctl", kUsage);
  command_line.Option("socket", &socket_path)
      .Switch("json", &request.json)
      .Option("svg", &svg_path)
      .Option("timeout",
              [&timeout_seconds](const std::string& value) {
                return rootd::server::ParseUint64(value, 86400, &timeout_seconds) && timeout_seconds > 0;
              },
              "seconds, 1 to 86400")
      .Arguments([&request](const std::string& word) {
        if (request.command.empty()) {
          request.command = word;
        } else if (request.command == "reload" || request.command == "clock" || request.command == "bundle" ||
                   request.command == "ta-report" || request.command == "rssac002") {
          request.argument += request.argument.empty() ? word : " " + word;
        } else {
          return false;
        }
        return true;
      });
  if (std::optional<int> status = command_line.Parse(argc, argv)) return *status;
  if (request.command != "status" && request.command != "stats" && request.command != "reload" &&
      request.command != "clock" && request.command != "bundle" && request.command != "ta-report" &&
      request.command != "rssac002") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (request.command == "reload" && !request.argument.empty() && request.argument[0] != '/') {
    // rootd resolves paths from its own working directory, not ours.
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) request.argument = std::string(cwd) + "/" + request.argument;
  }
  if (!svg_path.empty()) {
    if (request.command != "ta-report") {
      std::fputs("rootctl: --svg goes with ta-report\n", stderr);
      return 2;
    }
    request.argument = request.argument.empty() ? "svg" : "svg " + request.argument;
  }
  auto reply = rootd::server::ControlCall(socket_path, request, static_cast<int>(timeout_seconds * 1000));
  if (!reply.ok()) {
    std::fprintf(stderr, "rootctl: %s\n", std::string(reply.status().message()).c_str());
    return 2;
  }
  if (reply->ok && !svg_path.empty()) {
    FILE* svg = std::fopen(svg_path.c_str(), "w");
    const bool written = svg != nullptr && std::fputs(reply->body.c_str(), svg) >= 0;
    if (svg == nullptr || std::fclose(svg) != 0 || !written) {
      std::fprintf(stderr, "rootctl: cannot write %s\n", svg_path.c_str());
      return 2;
    }
    return 0;
  }
  std::fputs(reply->body.c_str(), reply->ok ? stdout : stderr);
  return reply->ok ? 0 : 1;
}
