// DNS over TCP (RFC 7766) on kernel sockets: a few epoll event loops, each with its own
// SO_REUSEPORT listeners and connections.
//
// - Messages carry a two-octet length; several may arrive back to back and are answered in
//   order of arrival (pipelining), each with a 65535-octet buffer so nothing is truncated.
// - A connection is closed after `idle_timeout` without a complete query or write progress
//   (so half a message followed by silence costs the client its connection), or at once when
//   the engine drops a message (garbage).
// - Each loop holds at most ceil(max_connections / loops) connections; a new connection
//   evicts the least recently active one.
// - Buffers are bounded: input holds at most one partial message plus one read; when more
//   than kMaxPendingOutput octets wait to be written the loop stops reading that connection.
// - Stop() stops accepting, answers what was already received, and waits (bounded) for
//   the responses to be written.
#pragma once
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/net.h"
#include "server/stoppable_threads.h"
#include "server/service.h"

namespace rootd::server {

struct TcpOptions {
  int loops = 1;
  int max_connections = 4096;
  absl::Duration idle_timeout = absl::Seconds(10);
  absl::Duration shutdown_grace = absl::Seconds(2);
};

class TcpService final : public Service {
 public:
  // Unwritten response octets per connection before it stops being read: four of the largest
  // (64 KiB) answers, so a pipelining client that reads keeps its stream moving, while one that
  // never reads costs at most this much memory.
  static constexpr size_t kMaxPendingOutput = 256 * 1024;

  static absl::StatusOr<std::unique_ptr<TcpService>> Create(const std::vector<SocketAddress>& addresses,
                                                            const TcpOptions& options, ServiceContext context);
  ~TcpService() override;

  void Start() override;
  void Stop() override;
  std::string Describe() const override;

 private:
  class Loop;
  TcpService(std::vector<SocketAddress> addresses, int max_connections);

  std::vector<SocketAddress> addresses_;
  int max_connections_;

  StoppableThreads threads_;  // one per loop
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace rootd::server
