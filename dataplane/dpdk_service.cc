#include "dataplane/dpdk_service.h"

#include <arpa/inet.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstring>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::dataplane {

namespace {
// Mbufs in the pool: every RX descriptor of both ports can hold one, plus each lcore's burst
// and mempool cache in flight, plus the TX rings that have not yet completed (twice the ring
// sizes, as seastar reasons: PMDs refill the RX ring before TX frees).
unsigned PoolSize(uint16_t queues) { return 2u * 2u * 2048u * queues + 4096u; }
// Per-lcore mempool cache: the usual 256, which amortises the ring operations over bursts of 32.
constexpr unsigned kPoolCache = 256;

absl::StatusOr<LocalAddresses> ParseAddresses(const std::vector<std::string>& texts, uint16_t port) {
  LocalAddresses local;
  local.port = port;
  for (const std::string& text : texts) {
    std::array<uint8_t, 4> v4;
    std::array<uint8_t, 16> v6;
    if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
      local.ipv4.push_back(v4);
    } else if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
      local.ipv6.push_back(v6);
    } else {
      return absl::InvalidArgumentError(Cat("dpdk_address: not an IPv4 or IPv6 address: '", text, "'"));
    }
  }
  return local;
}
}  // namespace

absl::StatusOr<std::unique_ptr<DpdkService>> DpdkService::Create(const DpdkOptions& options,
                                                                   server::ServiceContext context) {
  std::unique_ptr<DpdkService> service(new DpdkService());
  service->context_ = context;
  absl::StatusOr<LocalAddresses> local = ParseAddresses(options.addresses, options.dns_port);
  if (!local.ok()) return local.status();
  service->local_ = std::move(*local);

  absl::StatusOr<std::vector<std::string>> args = SplitArguments(options.eal_arguments);
  if (!args.ok()) return args.status();
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(WithVdev(WithVdev(*args, options.port), options.exception));
  if (!eal.ok()) return eal.status();
  service->eal_ = std::move(*eal);
  if (service->eal_->worker_lcores().size() < options.queues)
    return absl::InvalidArgumentError(Cat("dpdk_queues ", options.queues,
                                          " needs as many EAL worker lcores, there are ",
                                          service->eal_->worker_lcores().size(),
                                          ": give EAL one more core than queues (-l 0-N)"));

  service->pool_ = rte_pktmbuf_pool_create("rootd_mbufs", PoolSize(options.queues), kPoolCache, 0,
                                           RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (service->pool_ == nullptr)
    return absl::ResourceExhaustedError(Cat("mbuf pool: ", rte_strerror(rte_errno), " (more EAL memory: -m)"));

  PortOptions port_options;
  port_options.devargs = options.port;
  port_options.queues = options.queues;
  port_options.pool = service->pool_;
  port_options.mtu = options.mtu;
  absl::StatusOr<std::unique_ptr<Port>> port = Port::Open(port_options);
  if (!port.ok()) return port.status();
  service->port_ = std::move(*port);
  port_options.devargs = options.exception;
  // The kernel's frames go out on the port: the TAP takes its MTU, so that TCP segments (and
  // the kernel's path MTU) fit it.
  port_options.mtu = service->port_->mtu();
  port_options.offloads = false;
  absl::StatusOr<std::unique_ptr<Port>> exception = Port::Open(port_options);
  if (!exception.ok())
    return absl::Status(exception.status().code(), Cat("exception port: ", exception.status().message()));
  service->exception_ = std::move(*exception);
  if (absl::Status mac = service->exception_->SetMac(service->port_->mac()); !mac.ok()) return mac;

  for (uint16_t q = 0; q < options.queues; ++q) {
    auto reader = context.publisher->RegisterReader();
    if (reader == nullptr) return absl::ResourceExhaustedError("too many image readers");
    LcoreContext& x = *service->lcores_.emplace_back(std::make_unique<LcoreContext>());
    x.port = service->port_->id();
    x.exception = service->exception_->id();
    x.queue = q;
    x.offloads = service->port_->offloads();
    x.mtu = service->port_->mtu();
    x.local = &service->local_;
    x.engine = context.engine;
    x.reader = reader.get();
    x.stats = context.stats->Add();
    x.stats->dataplane_worker = true;
    x.stop = &service->stop_;
    service->readers_.push_back(std::move(reader));
  }
  return service;
}

void DpdkService::Start() {
  if (!launched_.empty() || released_) return;
  for (size_t q = 0; q < lcores_.size(); ++q) {
    const unsigned lcore = eal_->worker_lcores()[q];
    lcores_[q]->launched.store(true, std::memory_order_release);
    if (int e = rte_eal_remote_launch(RunLcore, lcores_[q].get(), lcore); e != 0) {
      // launched_[q] stays the lcore of queue q: the queues after it are not served.
      server::LogError(Cat("dpdk: cannot launch lcore ", lcore, ": ", rte_strerror(-e), "; queues ", q, " and up idle"));
      break;
    }
    launched_.push_back(lcore);
  }
}

void DpdkService::Stop() {
  stop_.store(true, std::memory_order_relaxed);
  for (size_t q = 0; q < launched_.size(); ++q) {
    rte_eal_wait_lcore(launched_[q]);
    if (!lcores_[q]->finished.load(std::memory_order_acquire))
      server::LogError(Cat("dpdk: lcore ", launched_[q], " returned without finishing its loop"));
  }
  launched_.clear();
  Release();
}

void DpdkService::Release() {
  if (released_) return;
  released_ = true;
  // Ports before the pool their RX rings hold mbufs of; EAL last.
  exception_.reset();
  port_.reset();
  if (pool_ != nullptr) rte_mempool_free(pool_);
  pool_ = nullptr;
  readers_.clear();
  eal_.reset();
}

DpdkService::~DpdkService() { Stop(); }

std::string DpdkService::Describe() const {
  if (port_ == nullptr) return "dpdk: stopped";
  std::string addresses;
  char text[INET6_ADDRSTRLEN];
  for (const auto& a : local_.ipv4) addresses += Cat(" ", inet_ntop(AF_INET, a.data(), text, sizeof text));
  for (const auto& a : local_.ipv6) addresses += Cat(" ", inet_ntop(AF_INET6, a.data(), text, sizeof text));
  return Cat("dpdk: ", lcores_.size(), " lcores on ", port_->Describe(), ", port ", local_.port, " of", addresses,
             "; exception ", exception_->Describe());
}

}  // namespace rootd::dataplane
