#include "server/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <thread>

#include "zone/file_io.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

constexpr size_t kMaxNsidLength = 128;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

absl::Status Error(std::string_view where, std::string_view message) {
  return absl::InvalidArgumentError(Cat(where, ": ", message));
}

// An integer in [min, max], stored in *out, whose type holds that range.
template <class Int>
absl::Status ParseInt(std::string_view where, std::string_view key, std::string_view value, long min, long max,
                      Int* out) {
  long parsed = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < min || parsed > max)
    return Error(where, Cat(key, ": expected an integer in [", min, ", ", max, "], got '", value, "'"));
  *out = static_cast<Int>(parsed);
  return absl::OkStatus();
}

absl::Status ParseBool(std::string_view where, std::string_view key, std::string_view value, bool* out) {
  if (value == "yes" || value == "true" || value == "on" || value == "1") {
    *out = true;
  } else if (value == "no" || value == "false" || value == "off" || value == "0") {
    *out = false;
  } else {
    return Error(where, Cat(key, ": expected yes or no, got '", value, "'"));
  }
  return absl::OkStatus();
}

// A value ends at an unquoted '#'; quotes are removed.
absl::StatusOr<std::string> Unquote(std::string_view where, std::string_view raw) {
  raw = Trim(raw);
  if (raw.empty() || raw.front() != '"') {
    size_t hash = raw.find('#');
    return std::string(Trim(raw.substr(0, hash)));
  }
  size_t close = raw.find('"', 1);
  if (close == std::string_view::npos) return Error(where, "unterminated quoted value");
  std::string_view rest = Trim(raw.substr(close + 1));
  if (!rest.empty() && rest.front() != '#') return Error(where, Cat("unexpected text after quoted value: '", rest, "'"));
  return std::string(raw.substr(1, close - 1));
}

}  // namespace

std::vector<SocketAddress> ServerConfig::ListenAddresses() const {
  std::vector<SocketAddress> out;
  if (listen.empty()) {
    for (const char* host : {"127.0.0.1", "::1"}) {
      absl::StatusOr<SocketAddress> address = ParseSocketAddress(host, port);
      if (address.ok()) out.push_back(*address);
    }
    return out;
  }
  for (const ListenSpec& spec : listen) {
    SocketAddress address = spec.address;
    if (!spec.explicit_port) address.set_port(port);
    out.push_back(address);
  }
  return out;
}

std::string ServerConfig::ControlSocketPath() const {
  return control_socket.empty() ? Cat(state_dir, "/rootd.ctl") : control_socket;
}

int ServerConfig::EffectiveWorkers() const {
  if (workers > 0) return workers;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

int ServerConfig::EffectiveTcpWorkers() const {
  if (tcp_workers > 0) return tcp_workers;
  return std::min(EffectiveWorkers(), 2);
}

absl::Status SetConfigKey(ServerConfig* config, std::string_view key, std::string_view value, std::string_view where) {
  if (key == "zone") {
    config->zone = std::string(value);
  } else if (key == "trust_anchor") {
    config->trust_anchor = std::string(value);
  } else if (key == "skr") {
    config->skr.emplace_back(value);
  } else if (key == "verify_at" || key == "clock") {
    std::string error;
    absl::Time at;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(value), &at, &error))
      return Error(where, Cat(key, ": expected an RFC 3339 time like 2017-08-25T00:00:00Z, got '", value, "'"));
    (key == "clock" ? config->clock : config->verify_at) = at;
  } else if (key == "verify") {
    return ParseBool(where, key, value, &config->verify);
  } else if (key == "listen") {
    ListenSpec spec;
    spec.text = std::string(value);
    absl::StatusOr<SocketAddress> address = ParseSocketAddress(value, config->port, &spec.explicit_port);
    if (!address.ok()) return Error(where, Cat("listen: ", std::string(address.status().message())));
    spec.address = *address;
    config->listen.push_back(spec);
  } else if (key == "port") {
    return ParseInt(where, key, value, 1, 65535, &config->port);
  } else if (key == "workers") {
    return ParseInt(where, key, value, 0, 1024, &config->workers);
  } else if (key == "tcp_workers") {
    return ParseInt(where, key, value, 0, 1024, &config->tcp_workers);
  } else if (key == "max_udp_payload") {
    return ParseInt(where, key, value, 512, 65535, &config->max_udp_payload);
  } else if (key == "nsid") {
    // An identifier, not a payload: long enough for any hostname, short enough that the OPT
    // always fits a 512-octet response behind the longest question.
    if (value.size() > kMaxNsidLength) return Error(where, Cat("nsid: longer than ", kMaxNsidLength, " octets"));
    config->nsid = std::string(value);
  } else if (key == "identity") {
    config->identity = std::string(value);
  } else if (key == "version") {
    config->version = std::string(value);
  } else if (key == "control_socket") {
    if (value.size() >= 108) return Error(where, "control_socket: path longer than 107 bytes");
    config->control_socket = std::string(value);
  } else if (key == "log_level") {
    absl::StatusOr<LogLevel> level = ParseLogLevel(value);
    if (!level.ok()) return Error(where, Cat("log_level: ", std::string(level.status().message())));
    config->log_level = *level;
  } else if (key == "state_dir") {
    if (value.empty()) return Error(where, "state_dir: empty path");
    config->state_dir = std::string(value);
  } else if (key == "tcp_idle_timeout") {
    return ParseInt(where, key, value, 1, 3600 * 1000, &config->tcp_idle_timeout_ms);
  } else if (key == "tcp_max_connections") {
    return ParseInt(where, key, value, 1, 1000000, &config->tcp_max_connections);
  } else if (key == "metrics_listen") {
    const bool port_only = !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
    absl::StatusOr<SocketAddress> address =
        ParseSocketAddress(port_only ? Cat("127.0.0.1@", value) : std::string(value), 9153);
    if (!address.ok()) return Error(where, Cat("metrics_listen: ", address.status().message()));
    config->metrics = true;
    config->metrics_address = *address;
  } else if (key == "rssac002_dir") {
    config->rssac002_dir = std::string(value);
  } else if (key == "ta_sets") {
    return ParseInt(where, key, value, 1, 1 << 20, &config->ta_signals.sets);
  } else if (key == "ta_exact_sources") {
    return ParseInt(where, key, value, 1, 1 << 20, &config->ta_signals.exact_sources);
  } else if (key == "dpdk_eal") {
    config->dpdk_eal = std::string(value);
  } else if (key == "dpdk_port") {
    config->dpdk_port = std::string(value);
  } else if (key == "dpdk_address") {
    // An address of the host, no port: the dataplane answers on the configured `port`.
    uint8_t octets[16];
    const std::string text(value);
    if (inet_pton(AF_INET, text.c_str(), octets) != 1 && inet_pton(AF_INET6, text.c_str(), octets) != 1)
      return Error(where, Cat("dpdk_address: expected an IPv4 or IPv6 address, got '", value, "'"));
    config->dpdk_addresses.push_back(text);
  } else if (key == "dpdk_queues") {
    // One lcore per queue pair; 64 is more than the cores of any machine rootd targets.
    return ParseInt(where, key, value, 1, 64, &config->dpdk_queues);
  } else if (key == "dpdk_mtu") {
    // 0 keeps the device's; 576 is the least any IPv4 host takes (RFC 791), 9216 a jumbo frame.
    int mtu = 0;
    if (auto s = ParseInt(where, key, value, 0, 9216, &mtu); !s.ok()) return s;
    if (mtu != 0 && mtu < 576) return Error(where, Cat("dpdk_mtu: 0 or at least 576, got ", mtu));
    config->dpdk_mtu = mtu;
  } else if (key == "dpdk_exception") {
    config->dpdk_exception = std::string(value);
  } else {
    return Error(where, Cat("unknown setting '", key, "'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateConfig(const ServerConfig& config) {
  if (config.dpdk_port.empty()) {
    if (!config.dpdk_addresses.empty() || !config.dpdk_eal.empty())
      return absl::InvalidArgumentError(
          "dpdk_address and dpdk_eal (--dpdk) need dpdk_port: the port to serve them on");
    return absl::OkStatus();
  }
  if (config.dpdk_addresses.empty())
    return absl::InvalidArgumentError(
        Cat("dpdk_port ", config.dpdk_port, " needs at least one dpdk_address to answer on"));
  if (config.dpdk_exception.empty())
    return absl::InvalidArgumentError("dpdk_exception: empty; the dataplane needs a port to the kernel (a net_tap vdev)");
  auto device_name = [](const std::string& devargs) { return devargs.substr(0, devargs.find(',')); };
  if (device_name(config.dpdk_exception) == device_name(config.dpdk_port))
    return absl::InvalidArgumentError(Cat("dpdk_exception ", config.dpdk_exception, " is the dataplane's own port"));
  return absl::OkStatus();
}

absl::Status ParseConfigText(std::string_view text, std::string_view file_name, ServerConfig* config) {
  int line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    std::string where = Cat(file_name, ":", line_number);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    size_t space = line.find_first_of(" \t");
    std::string_view key = line.substr(0, space);
    if (space == std::string_view::npos) return Error(where, Cat("setting '", key, "' has no value"));
    absl::StatusOr<std::string> value = Unquote(where, line.substr(space + 1));
    if (!value.ok()) return value.status();
    if (value->empty()) return Error(where, Cat("setting '", key, "' has no value"));
    if (absl::Status s = SetConfigKey(config, key, *value, where); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ParseConfigFile(const std::string& path, ServerConfig* config) {
  absl::StatusOr<std::string> text = zone::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseConfigText(*text, path, config);
}

absl::Status ParseCommandLine(int argc, char** argv, int first, ServerConfig* config) {
  struct Flag {
    std::string key, value, where;
  };
  std::vector<Flag> flags;
  std::string config_path;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--" || arg.size() == 2)
      return absl::InvalidArgumentError(Cat("unexpected argument '", arg, "' (see --help)"));
    arg.remove_prefix(2);
    std::string key, value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      key = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      key = std::string(arg);
      if (key == "no-verify") {
        flags.push_back({"verify", "no", "--no-verify"});
        continue;
      }
      if (i + 1 >= argc) return absl::InvalidArgumentError(Cat("--", key, " needs a value"));
      value = argv[++i];
    }
    std::string where = Cat("--", key);
    for (char& c : key) c = c == '-' ? '_' : c;
    if (key == "threads") key = "workers";
    if (key == "at") key = "verify_at";
    if (key == "dpdk") key = "dpdk_eal";
    if (key == "config") {
      config_path = value;
      continue;
    }
    flags.push_back({key, value, where});
  }
  if (!config_path.empty()) {
    if (absl::Status s = ParseConfigFile(config_path, config); !s.ok()) return s;
  }
  // --port first, so that it applies to --listen flags without a port whatever their order.
  for (const Flag& flag : flags) {
    if (flag.key != "port") continue;
    if (absl::Status s = SetConfigKey(config, flag.key, flag.value, flag.where); !s.ok()) return s;
  }
  bool listen_replaced = false, skr_replaced = false, dpdk_addresses_replaced = false;
  for (const Flag& flag : flags) {
    if (flag.key == "port") continue;
    // Flags replace the file's repeated settings (listen, skr), never add to them.
    if (flag.key == "listen" && !listen_replaced) {
      config->listen.clear();
      listen_replaced = true;
    }
    if (flag.key == "skr" && !skr_replaced) {
      config->skr.clear();
      skr_replaced = true;
    }
    if (flag.key == "dpdk_address" && !dpdk_addresses_replaced) {
      config->dpdk_addresses.clear();
      dpdk_addresses_replaced = true;
    }
    if (absl::Status s = SetConfigKey(config, flag.key, flag.value, flag.where); !s.ok()) return s;
  }
  return ValidateConfig(*config);
}

std::string ConfigUsage() {
  return "usage: rootd [--config FILE] [--zone FILE] [--skr FILE]... [--trust-anchor FILE] [--at RFC3339-TIME]\n"
         "             [--clock RFC3339-TIME] [--no-verify]\n"
         "             [--listen ADDR[@PORT]|[V6]:PORT]... [--port N] [--threads N] [--tcp-workers N]\n"
         "             [--max-udp-payload N] [--nsid TEXT] [--identity TEXT] [--version TEXT]\n"
         "             [--control-socket PATH] [--state-dir DIR] [--log-level debug|info|warning|error]\n"
         "             [--tcp-idle-timeout MS] [--tcp-max-connections N]\n"
         "             [--metrics-listen PORT|ADDR@PORT] [--rssac002-dir DIR] [--ta-sets N] [--ta-exact-sources N]\n"
         "             [--dpdk \"EAL ARGS\" --dpdk-port DEV --dpdk-address ADDR... [--dpdk-queues N]\n"
         "              [--dpdk-exception DEVARGS] [--dpdk-mtu N]]\n"
         "       rootd check ZONE [--trust-anchor FILE] [--at TIME] [--json]\n"
         "Without --zone, rootd generates a lab root zone in the state directory (default ./.state)\n"
         "and serves it on 127.0.0.1 and ::1, port 5353. Flags override the configuration file.\n";
}

}  // namespace rootd::server
