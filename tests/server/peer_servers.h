// Real DNS servers (NSD, Knot DNS, BIND 9) run as child processes for differential tests, and a
// pipelining UDP client to ask them.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rootd::server::testing {

enum class PeerKind { kNsd, kKnot, kBind };
const char* PeerName(PeerKind kind);

// One peer serving one zone file as ".", in the foreground, on 127.0.0.1 at a free port, with
// its configuration, database and logs in `dir`. The destructor stops it (SIGTERM, then
// SIGKILL) and waits for it.
class PeerServer {
 public:
  // Fails with a message naming the missing binary when the server is not installed, and with
  // the tail of its log when it does not answer ". SOA" within `start_timeout`.
  static absl::StatusOr<std::unique_ptr<PeerServer>> Start(PeerKind kind, const std::string& zone_file,
                                                           const std::string& dir,
                                                           std::chrono::seconds start_timeout = std::chrono::seconds(30));
  ~PeerServer();
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  PeerKind kind() const { return kind_; }
  uint16_t port() const { return port_; }
  const std::string& log_path() const { return log_path_; }

 private:
  PeerServer(PeerKind kind, pid_t pid, uint16_t port, std::string log_path)
      : kind_(kind), pid_(pid), port_(port), log_path_(std::move(log_path)) {}
  void Stop();

  PeerKind kind_;
  pid_t pid_;
  uint16_t port_;
  std::string log_path_;
};

struct UdpExchangeOptions {
  int window = 64;                                           // queries in flight
  std::chrono::milliseconds timeout{1000};                   // per attempt
  int retries = 1;                                           // resends after a timeout
};

// Sends every query (their IDs are rewritten to be unique in flight and restored in the
// responses) to 127.0.0.1:port over UDP and returns the responses in query order; an empty
// response means none came after all attempts.
std::vector<std::vector<uint8_t>> ExchangeUdp(uint16_t port, const std::vector<std::vector<uint8_t>>& queries,
                                              const UdpExchangeOptions& options = {});

// A loopback port free for both UDP and TCP at the time of the call.
absl::StatusOr<uint16_t> FreeLoopbackPort();

}  // namespace rootd::server::testing
