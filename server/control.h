// The control channel: a unix stream socket; one request line per connection, one reply.
//
// Request:  [--json] COMMAND [ARGUMENTS]\n     e.g. "status", "--json stats", "reload /srv/root.zone",
//                                             "clock set 2017-09-12T00:00:00Z", "bundle pin ID"
// Reply:    "ok\n" or "error\n", then the body (text, or one JSON object with --json), then EOF.
// Commands: status, stats, reload [ZONE], clock [set TIME], bundle list|show ID|pin ID|unpin.
// The socket is created mode 0600: whoever may connect may reload the zone.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/accept_loop.h"
#include "server/net.h"

namespace rootd::server {

struct ControlRequest {
  std::string command;
  std::string argument;  // the words after the command, joined by one space; empty if none
  bool json = false;
};

struct ControlReply {
  bool ok = true;
  std::string body;
};

absl::StatusOr<ControlRequest> ParseControlRequest(std::string_view line);
std::string FormatControlRequest(const ControlRequest& request);

class ControlServer {
 public:
  using Handler = std::function<ControlReply(const ControlRequest&)>;

  // Binds `path`; fails if another process answers on it. A stale socket file is replaced.
  static absl::StatusOr<std::unique_ptr<ControlServer>> Create(const std::string& path, Handler handler);
  ~ControlServer();

  void Start();
  void Stop();
  const std::string& path() const { return path_; }

 private:
  ControlServer(std::string path, Handler handler) : path_(std::move(path)), handler_(std::move(handler)) {}
  void Serve(int fd);

  std::string path_;
  Handler handler_;
  bool bound_ = false;  // the socket file is ours to remove
  std::unique_ptr<AcceptLoop> loop_;
};

// Client side (rootctl, tests): sends `request`, returns the reply. `timeout` bounds the wait
// (a reload of the root zone takes seconds).
absl::StatusOr<ControlReply> ControlCall(const std::string& path, const ControlRequest& request, int timeout_ms);

}  // namespace rootd::server
