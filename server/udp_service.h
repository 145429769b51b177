// DNS over UDP on kernel sockets. Each worker thread owns one SO_REUSEPORT socket per listen
// address (the kernel spreads clients over workers by flow hash), reads and writes in batches
// with recvmmsg/sendmmsg, and answers each batch with one Engine::AnswerBurst. Workers share
// nothing but the read-only engine and image: no locks, their own statistics.
#pragma once
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/net.h"
#include "server/stoppable_threads.h"
#include "server/service.h"

namespace rootd::server {

class UdpService final : public Service {
 public:
  // Datagrams per recvmmsg/sendmmsg and per engine burst: one system call then carries enough
  // queries to amortise its cost, and the burst is the engine's (Engine::kMaxBurst).
  static constexpr int kBatch = static_cast<int>(Engine::kMaxBurst);

  // Binds workers × addresses sockets; fails if any address cannot be bound.
  static absl::StatusOr<std::unique_ptr<UdpService>> Create(const std::vector<SocketAddress>& addresses, int workers,
                                                            ServiceContext context);
  ~UdpService() override;

  void Start() override;
  // Stops and joins the workers; queries already read are answered first.
  void Stop() override;
  std::string Describe() const override;

 private:
  struct Worker;
  UdpService(ServiceContext context, std::vector<SocketAddress> addresses);
  void Run(Worker* worker);

  ServiceContext context_;
  std::vector<SocketAddress> addresses_;
  StoppableThreads threads_;  // one per worker
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace rootd::server
