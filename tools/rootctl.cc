// rootctl: the control client of a running rootd.
//   rootctl [--socket PATH] [--json] [--timeout SECONDS] status|stats|reload [ZONE]
// Exit status: 0 when rootd says ok, 1 when it reports an error, 2 on usage or connection errors.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include "server/control.h"

namespace {

constexpr char kUsage[] =
    "usage: rootctl [--socket PATH] [--json] [--timeout SECONDS] COMMAND\n"
    "commands:\n"
    "  status          zone serial, TLDs, image size, uptime, workers, queries answered\n"
    "  stats           query statistics (transports, address families, rcodes, RFC 8145 signals)\n"
    "  reload [ZONE]   load, verify and publish the zone (ZONE: a new zone file); the old one keeps\n"
    "                  serving if it fails\n"
    "The socket defaults to $ROOTD_CONTROL, else ./.state/rootd.ctl (rootd's default).\n";

}  // namespace

int main(int argc, char** argv) {
  rootd::server::ControlRequest request;
  std::string socket_path = std::getenv("ROOTD_CONTROL") ? std::getenv("ROOTD_CONTROL") : ".state/rootd.ctl";
  int timeout_seconds = 300;  // verifying a full root zone takes seconds; never hang forever
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--json") {
      request.json = true;
    } else if ((arg == "--socket" || arg == "--timeout") && i + 1 < argc) {
      std::string value = argv[++i];
      if (arg == "--socket") {
        socket_path = value;
      } else {
        timeout_seconds = std::atoi(value.c_str());
        if (timeout_seconds <= 0) {
          std::fprintf(stderr, "rootctl: bad --timeout '%s'\n", value.c_str());
          return 2;
        }
      }
    } else if (arg.rfind("--socket=", 0) == 0) {
      socket_path = arg.substr(9);
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "rootctl: unknown option '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    } else if (request.command.empty()) {
      request.command = arg;
    } else if (request.argument.empty() && request.command == "reload") {
      request.argument = arg;
    } else {
      std::fprintf(stderr, "rootctl: unexpected argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (request.command != "status" && request.command != "stats" && request.command != "reload") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (request.command == "reload" && !request.argument.empty() && request.argument[0] != '/') {
    // rootd resolves paths from its own working directory, not ours.
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) request.argument = std::string(cwd) + "/" + request.argument;
  }
  auto reply = rootd::server::ControlCall(socket_path, request, timeout_seconds * 1000);
  if (!reply.ok()) {
    std::fprintf(stderr, "rootctl: %s\n", std::string(reply.status().message()).c_str());
    return 2;
  }
  std::fputs(reply->body.c_str(), reply->ok ? stdout : stderr);
  return reply->ok ? 0 : 1;
}
