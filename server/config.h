// rootd configuration: a file of `key value` lines, then command-line flags on top.
//
// File format (see conf/rootd.conf for an annotated example):
//   - one setting per line: a key, white space, the value (the rest of the line, trimmed);
//   - '#' starts a comment anywhere outside a double-quoted value; blank lines are ignored;
//   - a value may be double-quoted to keep spaces or '#' ("rootd 1.0 # lab");
//   - `listen`, `skr` and `dpdk_address` may be repeated; every other key keeps its last value.
// Flags: `--key value` or `--key=value` for every key, with '-' for '_' (`--trust-anchor`),
// plus `--config FILE`, `--threads` (= workers), `--at` (= verify_at) and `--dpdk` (= dpdk_eal).
// A `--listen` (`--skr`, `--dpdk-address`) flag replaces the file's lines of that key; `--port` sets the port of every listen address that did
// not name one. Errors name file:line, or the flag.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/log.h"
#include "server/net.h"
#include "server/ta_signals.h"

namespace rootd::server {

struct ListenSpec {
  std::string text;  // as written, for messages
  SocketAddress address;
  bool explicit_port = false;
};

struct ServerConfig {
  std::string zone;          // empty: the lab root zone, generated in state_dir
  std::string trust_anchor;  // DS or DNSKEY records; empty: the zone's own keys
  std::vector<std::string> skr;  // signature bundle files (SKR), served by time; repeatable
  absl::Time clock = absl::InfinitePast();  // lab clock start; past: real time
  absl::Time verify_at = absl::InfinitePast();  // evaluation time of signatures; past: now
  bool verify = true;
  std::vector<ListenSpec> listen;  // empty: 127.0.0.1 and ::1
  uint16_t port = 5353;            // for listen addresses without a port
  int workers = 0;                 // UDP workers; 0: one per core
  int tcp_workers = 0;             // TCP event loops; 0: min(workers, 2)
  uint16_t max_udp_payload = 1232;
  std::string nsid;
  std::string identity;
  std::string version;
  std::string control_socket;  // empty: STATE_DIR/rootd.ctl
  LogLevel log_level = LogLevel::kInfo;
  std::string state_dir = ".state";
  int tcp_idle_timeout_ms = 10000;
  int tcp_max_connections = 4096;
  TaSignalLimits ta_signals;  // ta_sets, ta_exact_sources
  // The Prometheus endpoint (`metrics_listen`: an address, or a port on 127.0.0.1); off when
  // not configured.
  bool metrics = false;
  SocketAddress metrics_address;
  // RSSAC002 daily YAML documents are written here (`rssac002_dir`); empty: only on request.
  std::string rssac002_dir;

  // The DPDK dataplane (dataplane/README.md): off unless dpdk_port is set.
  std::string dpdk_eal;   // EAL arguments, as one string split at white space (`--dpdk`)
  std::string dpdk_port;  // the port: a PCI address or a vdev name (with its arguments)
  std::vector<std::string> dpdk_addresses;  // IPv4 and IPv6 addresses answered on it; repeatable
  int dpdk_queues = 1;    // RX/TX queue pairs, one lcore each (RSS spreads flows when > 1)
  std::string dpdk_exception = "net_tap0,iface=rootd0";  // where everything not DNS goes: the kernel
  int dpdk_mtu = 0;       // the port's MTU, which bounds every reply; 0: the device's

  // The listen list with defaults applied and ports resolved.
  std::vector<SocketAddress> ListenAddresses() const;
  std::string ControlSocketPath() const;
  int EffectiveWorkers() const;
  int EffectiveTcpWorkers() const;
};

// Sets one key; `where` ("rootd.conf:12" or "--listen") prefixes errors.
absl::Status SetConfigKey(ServerConfig* config, std::string_view key, std::string_view value, std::string_view where);

absl::Status ParseConfigText(std::string_view text, std::string_view file_name, ServerConfig* config);
absl::Status ParseConfigFile(const std::string& path, ServerConfig* config);

// Checks what single keys cannot: settings that need each other (the dataplane's).
absl::Status ValidateConfig(const ServerConfig& config);

// Applies argv[first, argc): reads --config first (if any), then every other flag over it.
// Positional arguments are errors.
absl::Status ParseCommandLine(int argc, char** argv, int first, ServerConfig* config);

// The usage text of `rootd [flags]`.
std::string ConfigUsage();

}  // namespace rootd::server
