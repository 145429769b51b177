#include "tests/server/peer_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>

#include "absl/status/status.h"
#include "tests/server/rootd_process.h"
#include "zone/text.h"

namespace rootd::server::testing {

namespace {

using Clock = std::chrono::steady_clock;

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in Ipv4(const std::string& address, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  return a;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// NSD in the foreground (-d): one server process, no RRL (Debian enables it by default), no
// zone file writes, identity and version hidden so CHAOS queries are refused as by rootd.
std::string NsdConfig(const std::string& dir, const std::string& zone_file, const PeerServerOptions& where,
                      uint16_t port) {
  return Cat("server:\n", "  ip-address: ", where.address, "\n", "  port: ", port, "\n", "  server-count: 1\n",
             "  username: \"\"\n", "  chroot: \"\"\n", "  zonesdir: \"", dir, "\"\n", "  database: \"\"\n",
             "  zonelistfile: \"", dir, "/zone.list\"\n", "  xfrdfile: \"", dir, "/xfrd.state\"\n",
             "  pidfile: \"", dir, "/nsd.pid\"\n", "  logfile: \"", dir, "/nsd.log\"\n", "  verbosity: 1\n",
             "  hide-version: yes\n", "  hide-identity: yes\n", "  do-ip6: no\n", "  tcp-count: 10\n",
             "  rrl-ratelimit: 0\n", "  rrl-whitelist-ratelimit: 0\n", "  zonefiles-check: no\n",
             "  zonefiles-write: 0\n", "remote-control:\n", "  control-enable: no\n", "zone:\n",
             "  name: \"", where.origin, "\"\n", "  zonefile: \"", zone_file, "\"\n");
}

// knotd runs in the foreground unless given -d. Empty identity and version disable the CHAOS
// answers; the zone is served as loaded (no signing, no semantic checks, no journal).
std::string KnotConfig(const std::string& dir, const std::string& zone_file, const PeerServerOptions& where,
                       uint16_t port) {
  return Cat("server:\n", "  listen: ", where.address, "@", port, "\n", "  rundir: \"", dir, "/run\"\n",
             "  udp-workers: 1\n", "  tcp-workers: 1\n", "  background-workers: 1\n", "  identity: \"\"\n",
             "  version: \"\"\n", "database:\n", "  storage: \"", dir, "/db\"\n", "control:\n", "  listen: \"", dir,
             "/run/knot.sock\"\n", "log:\n", "  - target: stderr\n", "    any: info\n", "template:\n",
             "  - id: default\n", "    storage: \"", dir, "\"\n", "    semantic-checks: off\n",
             "    zonefile-sync: -1\n", "    zonefile-load: whole\n", "    journal-content: none\n", "zone:\n",
             "  - domain: ", where.origin, "\n", "    file: \"", zone_file, "\"\n");
}

// named in the foreground (-g logs to stderr), authoritative only: no recursion, no validation,
// no rate limiting, version and hostname hidden.
std::string BindConfig(const std::string& dir, const std::string& zone_file, const PeerServerOptions& where,
                       uint16_t port) {
  return Cat("options {\n", "  directory \"", dir, "\";\n", "  pid-file \"", dir, "/named.pid\";\n",
             "  listen-on port ", port, " { ", where.address, "; };\n", "  listen-on-v6 { none; };\n", "  recursion no;\n",
             "  dnssec-validation no;\n", "  version none;\n", "  hostname none;\n", "  server-id none;\n",
             "  notify no;\n", "};\n", "controls { };\n", "zone \".\" {\n", "  type primary;\n", "  file \"",
             zone_file, "\";\n", "};\n");
}

}  // namespace

const char* PeerName(PeerKind kind) {
  switch (kind) {
    case PeerKind::kNsd: return "nsd";
    case PeerKind::kKnot: return "knot";
    case PeerKind::kBind: return "bind";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::Start(PeerKind kind, const std::string& zone_file,
                                                              const std::string& dir,
                                                              const PeerServerOptions& options) {
  using rootd::testing::FileTail;
  using rootd::testing::FindBinary;
  const bool nsd = kind == PeerKind::kNsd, bind = kind == PeerKind::kBind;
  const std::string binary = nsd    ? FindBinary({"/usr/sbin/nsd", "/usr/local/sbin/nsd"})
                             : bind ? FindBinary({"/usr/sbin/named", "/usr/local/sbin/named"})
                                    : FindBinary({"/usr/sbin/knotd", "/usr/local/sbin/knotd"});
  if (binary.empty()) {
    return absl::FailedPreconditionError(Cat(nsd ? "NSD (nsd)" : bind ? "BIND (named)" : "Knot DNS (knotd)",
                                             " is not installed; the peer tests need it: run scripts/setup.sh "
                                             "or apt-get install ",
                                             nsd ? "nsd" : bind ? "bind9" : "knot"));
  }
  const uint16_t port = options.port != 0 ? options.port : rootd::testing::FreePort();
  if (port == 0) return absl::UnavailableError("no free loopback port for both UDP and TCP");
  const std::string config_path = Cat(dir, "/", PeerName(kind), ".conf");
  const std::string log_path = Cat(dir, "/", PeerName(kind), ".out");
  if (kind == PeerKind::kKnot) {
    for (const char* sub : {"/run", "/db"}) {
      if (mkdir(Cat(dir, sub).c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::InternalError(Cat("mkdir ", dir, sub, ": ", std::strerror(errno)));
      }
    }
  }
  const std::string config = nsd    ? NsdConfig(dir, zone_file, options, port)
                             : bind ? BindConfig(dir, zone_file, options, port)
                                    : KnotConfig(dir, zone_file, options, port);
  if (!WriteFile(config_path, config)) {
    return absl::InternalError(Cat("cannot write ", config_path));
  }
  absl::StatusOr<std::unique_ptr<rootd::testing::ChildProcess>> process = rootd::testing::ChildProcess::Start(
      nsd    ? std::vector<std::string>{binary, "-d", "-c", config_path}
      : bind ? std::vector<std::string>{binary, "-g", "-4", "-n", "1", "-c", config_path}
             : std::vector<std::string>{binary, "-c", config_path},
      log_path);
  if (!process.ok()) return process.status();
  std::unique_ptr<PeerServer> server(new PeerServer(kind, port, *std::move(process)));

  const std::vector<std::vector<uint8_t>> probe = {rootd::testing::MakeWireQuery(0x5eed, options.origin, 6)};
  const UdpExchangeOptions quick{
      .window = 1, .timeout = std::chrono::milliseconds(200), .retries = 0, .address = options.address};
  // Ready once it answers NOERROR with an answer (not SERVFAIL while loading).
  const auto answers = [&] {
    const std::vector<uint8_t> r = ExchangeUdp(port, probe, quick)[0];
    return r.size() >= 12 && (r[3] & 0x0f) == 0 && (r[6] << 8 | r[7]) > 0;
  };
  using rootd::testing::ChildProcess;
  const ChildProcess::Wait wait =
      server->process_->WaitUntilReady(answers, options.start_timeout, std::chrono::milliseconds(100));
  if (wait == ChildProcess::Wait::kReady) return server;
  if (wait == ChildProcess::Wait::kExited) {
    return absl::InternalError(Cat(PeerName(kind), " exited (status ", server->process_->exit_status(),
                                   ") before answering; its log (", log_path, "):\n", FileTail(log_path),
                                   nsd ? FileTail(dir + "/nsd.log") : ""));
  }
  return absl::DeadlineExceededError(Cat(PeerName(kind), " did not answer ", options.origin, " SOA on ",
                                         options.address, " port ", port, " within ", options.start_timeout.count(),
                                         " s; its log (", log_path, "):\n", FileTail(log_path),
                                         nsd ? FileTail(dir + "/nsd.log") : ""));
}

std::vector<std::vector<uint8_t>> ExchangeUdp(uint16_t port, const std::vector<std::vector<uint8_t>>& queries,
                                              const UdpExchangeOptions& options) {
  std::vector<std::vector<uint8_t>> responses(queries.size());
  Fd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return responses;
  const sockaddr_in server = Ipv4(options.address, port);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) return responses;
  const int buffer = 4 << 20;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);

  struct InFlight {
    size_t index;
    Clock::time_point sent;
    int attempts;
  };
  std::vector<int64_t> owner(65536, -1);  // wire ID -> slot in `flights`
  std::vector<InFlight> flights;          // compacted by swap-remove
  std::vector<uint16_t> id_of;            // per flight slot
  std::vector<uint8_t> packet;
  uint16_t next_id = 0;
  size_t next = 0;

  auto send_one = [&](size_t index, uint16_t id) {
    packet = queries[index];
    if (packet.size() >= 2) {
      packet[0] = static_cast<uint8_t>(id >> 8);
      packet[1] = static_cast<uint8_t>(id);
    }
    send(fd.get(), packet.data(), packet.size(), 0);
  };
  auto finish = [&](size_t slot) {
    owner[id_of[slot]] = -1;
    const size_t last = flights.size() - 1;
    if (slot != last) {
      flights[slot] = flights[last];
      id_of[slot] = id_of[last];
      owner[id_of[slot]] = static_cast<int64_t>(slot);
    }
    flights.pop_back();
    id_of.pop_back();
  };

  std::vector<uint8_t> in(65535);
  // Bounded: each query is sent at most 1 + retries times and waits at most `timeout` each.
  const size_t max_rounds = queries.size() * (options.retries + 2) * 4 + 1000;
  for (size_t round = 0; round < max_rounds && (next < queries.size() || !flights.empty()); ++round) {
    while (next < queries.size() && flights.size() < static_cast<size_t>(options.window)) {
      while (owner[next_id] != -1) ++next_id;
      owner[next_id] = static_cast<int64_t>(flights.size());
      flights.push_back({next, Clock::now(), 1});
      id_of.push_back(next_id);
      send_one(next, next_id);
      ++next_id;
      ++next;
    }
    pollfd p{fd.get(), POLLIN, 0};
    const int ready = poll(&p, 1, 20);
    if (ready > 0) {
      for (int burst = 0; burst < 4096; ++burst) {
        const ssize_t n = recv(fd.get(), in.data(), in.size(), MSG_DONTWAIT);
        if (n < 0) break;
        if (n < 12) continue;
        const uint16_t id = static_cast<uint16_t>(in[0] << 8 | in[1]);
        const int64_t slot = owner[id];
        if (slot < 0) continue;  // late duplicate
        const size_t index = flights[slot].index;
        std::vector<uint8_t> response(in.begin(), in.begin() + n);
        response[0] = queries[index][0];
        response[1] = queries[index][1];
        responses[index] = std::move(response);
        finish(static_cast<size_t>(slot));
      }
    }
    const auto now = Clock::now();
    for (size_t slot = 0; slot < flights.size();) {
      InFlight& f = flights[slot];
      if (now - f.sent < options.timeout) {
        ++slot;
        continue;
      }
      if (f.attempts <= options.retries) {
        ++f.attempts;
        f.sent = now;
        send_one(f.index, id_of[slot]);
        ++slot;
      } else {
        finish(slot);  // given up: the response stays empty
      }
    }
  }
  return responses;
}

}  // namespace rootd::server::testing
