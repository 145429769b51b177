// DNS over UDP on kernel sockets. Each worker thread owns one SO_REUSEPORT socket per listen
// address (the kernel spreads clients over workers by flow hash), reads and writes in batches
// with recvmmsg/sendmmsg, and calls the engine once per packet. Workers share nothing but the
// read-only engine and image: no locks, their own statistics.
#pragma once
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "server/net.h"
#include "server/service_context.h"

namespace rootd::server {

class UdpService {
 public:
  static constexpr int kBatch = 64;

  // Binds workers × addresses sockets; fails if any address cannot be bound.
  static absl::StatusOr<std::unique_ptr<UdpService>> Create(const std::vector<SocketAddress>& addresses, int workers,
                                                            ServiceContext context);
  ~UdpService();

  void Start();
  // Stops and joins the workers; queries already read are answered first.
  void Stop();

 private:
  struct Worker;
  explicit UdpService(ServiceContext context);
  void Run(Worker* worker);

  ServiceContext context_;
  StopSignal stop_;  // raised by Stop(): wakes every thread of the service
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace rootd::server
