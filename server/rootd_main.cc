// rootd: the command-line entry point.
//   rootd check ZONE ...   verify a zone (server/check_command.h)
//   rootd [flags]          serve (server/config.h for the flags)
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "dataplane/dpdk_service.h"
#include "server/check_command.h"
#include "server/config.h"
#include "server/lab_setup.h"
#include "server/log.h"
#include "server/server.h"
#include "server/tcp_service.h"
#include "server/udp_service.h"
#include "zone/text.h"

namespace {

using rootd::Cat;
using namespace rootd::server;

// The transports the configuration asks for, each a Service of the server. Sockets are bound
// here, before the zone is loaded: a port already taken is reported before seconds of
// zone verification.
absl::Status AddTransports(const ServerConfig& config, Server& server) {
  const std::vector<SocketAddress> addresses = config.ListenAddresses();
  absl::StatusOr<std::unique_ptr<UdpService>> udp =
      UdpService::Create(addresses, config.EffectiveWorkers(), server.context());
  if (!udp.ok()) return udp.status();
  server.AddService(std::move(*udp));
  TcpOptions tcp;
  tcp.loops = config.EffectiveTcpWorkers();
  tcp.max_connections = config.tcp_max_connections;
  tcp.idle_timeout = absl::Milliseconds(config.tcp_idle_timeout_ms);
  absl::StatusOr<std::unique_ptr<TcpService>> tcp_service = TcpService::Create(addresses, tcp, server.context());
  if (!tcp_service.ok()) return tcp_service.status();
  server.AddService(std::move(*tcp_service));
  // The DPDK dataplane, when a port is configured: added last, so stopped first.
  if (!config.dpdk_port.empty()) {
    rootd::dataplane::DpdkOptions dpdk;
    dpdk.eal_arguments = config.dpdk_eal;
    dpdk.port = config.dpdk_port;
    dpdk.addresses = config.dpdk_addresses;
    dpdk.dns_port = config.port;
    dpdk.queues = static_cast<uint16_t>(config.dpdk_queues);
    dpdk.exception = config.dpdk_exception;
    dpdk.mtu = static_cast<uint16_t>(config.dpdk_mtu);
    absl::StatusOr<std::unique_ptr<rootd::dataplane::DpdkService>> dataplane =
        rootd::dataplane::DpdkService::Create(dpdk, server.context());
    if (!dataplane.ok()) return dataplane.status();
    server.AddService(std::move(*dataplane));
  }
  return absl::OkStatus();
}

int Serve(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(ConfigUsage().c_str(), stdout);
      return 0;
    }
  }
  ServerConfig config;
  if (absl::Status s = ParseCommandLine(argc, argv, 1, &config); !s.ok()) {
    std::fprintf(stderr, "rootd: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  SetLogLevel(config.log_level);

  // Signals are taken synchronously by this thread (sigwaitinfo): block them before any
  // thread starts so that every thread inherits the mask. SIGPIPE: a closed peer is an errno.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (config.zone.empty()) {
    absl::Status lab = PrepareLabZone(&config);
    if (!lab.ok()) {
      LogError(Cat("cannot prepare the lab zone: ", std::string(lab.message())));
      return 1;
    }
  }

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(config);
  absl::Status ready = server.ok() ? AddTransports(config, **server) : server.status();
  if (ready.ok()) ready = (*server)->LoadZone();
  if (!ready.ok()) {
    LogError(Cat("not starting: ", ready.message()));
    return 1;
  }
  (*server)->Start();

  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&signals, &info);
    if (sig < 0) continue;  // EINTR
    if (sig == SIGHUP) {
      LogInfo("SIGHUP: reloading the zone");
      (void)(*server)->zones().Reload("");  // the outcome is logged either way
      continue;
    }
    LogInfo(Cat(sig == SIGTERM ? "SIGTERM" : "SIGINT", ": shutting down"));
    break;
  }
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // RunCheck takes the arguments after "check".
  if (argc >= 2 && std::strcmp(argv[1], "check") == 0) return RunCheck(argc - 2, argv + 2);
  return Serve(argc, argv);
}
