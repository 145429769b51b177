// The Prometheus endpoint: a minimal HTTP/1.1 server on a TCP address (loopback unless
// configured otherwise) answering GET /metrics with the exposition text, one connection at a
// time and closed after each answer. Scrapes are rare; it shares nothing with the DNS workers.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/accept_loop.h"
#include "server/net.h"

namespace rootd::server {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;  // the exposition text, rendered per scrape

  // Binds `address` (fails if the port is taken).
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Create(const SocketAddress& address, Render render);

  void Start() { loop_->Start(); }
  void Stop() { loop_->Stop(); }
  // Where it listens, with the port the kernel chose for port 0.
  const SocketAddress& address() const { return address_; }

 private:
  explicit MetricsServer(Render render) : render_(std::move(render)) {}
  void Serve(int fd);

  Render render_;
  SocketAddress address_;
  std::unique_ptr<AcceptLoop> loop_;
};

}  // namespace rootd::server
