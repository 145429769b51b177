// The DPDK dataplane as a transport of the server (server/service.h), beside the kernel-socket
// UDP and TCP services: UDP queries to the configured addresses are answered in place by
// lcores polling the port; everything else goes through the exception port (a TAP) to the
// kernel, where ARP, ND, ICMP and rootd's own TCP service answer it.
//
// Like the socket services, each lcore registers one image reader and takes one WorkerStats
// at creation: reloads and bundle swaps reach it through the one publisher, its counts go
// into the one stats path. The glue between EAL/ports and the server core is this file only.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dataplane/eal.h"
#include "dataplane/lcore_loop.h"
#include "dataplane/packet.h"
#include "dataplane/port.h"
#include "server/service.h"

struct rte_mempool;

namespace rootd::dataplane {

struct DpdkOptions {
  std::string eal_arguments;           // one string, split at white space (quotes kept)
  std::string port;                    // devargs of the dataplane port
  std::vector<std::string> addresses;  // IPv4 and IPv6 literals
  uint16_t dns_port = kDnsPort;
  uint16_t queues = 1;
  std::string exception = "net_tap0,iface=rootd0";  // devargs of the exception port
  uint16_t mtu = 0;  // 0: the port's own
};

class DpdkService final : public server::Service {
 public:
  // EAL, the mbuf pool, both ports (started; the exception port given the port's MAC), one
  // reader and one WorkerStats per queue pair. Fails with the reason, nothing left running.
  static absl::StatusOr<std::unique_ptr<DpdkService>> Create(const DpdkOptions& options,
                                                              server::ServiceContext context);
  ~DpdkService() override;

  // Launches one lcore per queue pair.
  void Start() override;
  // Raises the stop flag and joins the lcores (each finishes its burst), then stops and
  // closes both ports (a pcap port flushes its file), frees the pool and cleans up EAL.
  void Stop() override;
  std::string Describe() const override;

 private:
  DpdkService() = default;
  void Release();

  server::ServiceContext context_;
  LocalAddresses local_;
  std::unique_ptr<Eal> eal_;
  rte_mempool* pool_ = nullptr;
  std::unique_ptr<Port> port_, exception_;
  std::vector<std::unique_ptr<server::ImagePublisher::Reader>> readers_;
  std::vector<std::unique_ptr<LcoreContext>> lcores_;  // [queue]
  std::vector<unsigned> launched_;  // the lcores running RunLcore
  std::atomic<bool> stop_{false};
  bool released_ = false;
};

}  // namespace rootd::dataplane
