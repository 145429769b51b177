// Real DNS servers (NSD, Knot DNS, BIND 9) run as child processes for differential tests, and a
// pipelining UDP client to ask them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/server/child_process.h"

namespace rootd::server::testing {

enum class PeerKind { kNsd, kKnot, kBind };
const char* PeerName(PeerKind kind);

struct PeerServerOptions {
  std::string origin = ".";           // the zone the file holds
  std::string address = "127.0.0.1";  // an IPv4 loopback address to listen on
  uint16_t port = 0;                  // 0: a free port
  std::chrono::seconds start_timeout{30};
};

// One peer serving one zone file, in the foreground, on 127.0.0.1 at a free port unless told
// otherwise, with its configuration, database and logs in `dir`. The destructor stops it
// (SIGTERM, then SIGKILL) and waits for it.
class PeerServer {
 public:
  // Fails with a message naming the missing binary when the server is not installed, and with
  // the tail of its log when it does not answer the origin's SOA within the start timeout.
  static absl::StatusOr<std::unique_ptr<PeerServer>> Start(PeerKind kind, const std::string& zone_file,
                                                           const std::string& dir,
                                                           const PeerServerOptions& options = {});
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  PeerKind kind() const { return kind_; }
  uint16_t port() const { return port_; }
  const std::string& log_path() const { return process_->log_path(); }

 private:
  PeerServer(PeerKind kind, uint16_t port, std::unique_ptr<rootd::testing::ChildProcess> process)
      : kind_(kind), port_(port), process_(std::move(process)) {}

  PeerKind kind_;
  uint16_t port_;
  std::unique_ptr<rootd::testing::ChildProcess> process_;
};

struct UdpExchangeOptions {
  int window = 64;                                           // queries in flight
  std::chrono::milliseconds timeout{1000};                   // per attempt
  int retries = 1;                                           // resends after a timeout
  std::string address = "127.0.0.1";                         // the server's IPv4 address
};

// Sends every query (their IDs are rewritten to be unique in flight and restored in the
// responses) to options.address:port over UDP and returns the responses in query order; an empty
// response means none came after all attempts.
std::vector<std::vector<uint8_t>> ExchangeUdp(uint16_t port, const std::vector<std::vector<uint8_t>>& queries,
                                              const UdpExchangeOptions& options = {});

}  // namespace rootd::server::testing
