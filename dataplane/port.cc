#include "dataplane/port.h"

#include <net/if.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "dataplane/eal.h"
#include "zone/text.h"

namespace rootd::dataplane {

namespace {
absl::Status EthError(const std::string& what, const std::string& port, int error) {
  return absl::InternalError(Cat(port, ": ", what, ": ", rte_strerror(error < 0 ? -error : error)));
}

// The MAC address of kernel interface `if_index`, or an error.
absl::StatusOr<rte_ether_addr> KernelMac(unsigned if_index) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(if_index, name) == nullptr) return absl::NotFoundError(Cat("no interface with index ", if_index));
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket for SIOCGIFHWADDR");
  ifreq request{};
  std::memcpy(request.ifr_name, name, sizeof request.ifr_name - 1);
  const int result = ioctl(fd, SIOCGIFHWADDR, &request);
  close(fd);
  if (result != 0) return absl::InternalError(Cat("SIOCGIFHWADDR on ", name, " failed"));
  rte_ether_addr mac;
  std::memcpy(mac.addr_bytes, request.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
  return mac;
}
}  // namespace

std::string MacText(const rte_ether_addr& mac) {
  char text[RTE_ETHER_ADDR_FMT_SIZE];
  rte_ether_format_addr(text, sizeof text, &mac);
  return text;
}

absl::StatusOr<std::unique_ptr<Port>> Port::Open(const PortOptions& options) {
  std::unique_ptr<Port> port(new Port());
  port->name_ = DeviceName(options.devargs);
  if (rte_eth_dev_get_port_by_name(port->name_.c_str(), &port->id_) != 0)
    return absl::NotFoundError(Cat("no DPDK port named ", port->name_,
                                   " (a PCI device bound to vfio-pci, or a vdev in the EAL arguments)"));
  rte_eth_dev_info info;
  if (int e = rte_eth_dev_info_get(port->id_, &info); e != 0) return EthError("device info", port->name_, e);
  port->driver_ = info.driver_name ? info.driver_name : "";
  port->if_index_ = port->driver_ == "net_tap" ? info.if_index : 0;
  if (options.queues > info.max_rx_queues || options.queues > info.max_tx_queues)
    return absl::InvalidArgumentError(Cat(port->name_, ": ", options.queues, " queue pairs asked, the device has ",
                                          info.max_rx_queues, " RX and ", info.max_tx_queues, " TX queues"));
  port->queues_ = options.queues;

  rte_eth_conf conf{};
  if (options.queues > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = nullptr;  // the driver's default key
    conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  // Checksum offloads, each used only if the device offers it; the lcore loop checks and
  // computes in software whatever is not offloaded.
  Offloads& o = port->offloads_;
  if (options.offloads) {
    o.rx_ip_checksum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
    o.rx_udp_checksum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0;
    o.tx_ip_checksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
    o.tx_udp_checksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
  }
  if (o.rx_ip_checksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
  if (o.rx_udp_checksum) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
  if (o.tx_ip_checksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
  if (o.tx_udp_checksum) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;

  if (int e = rte_eth_dev_configure(port->id_, options.queues, options.queues, &conf); e != 0)
    return EthError("configure", port->name_, e);
  if (options.mtu != 0) {
    const int e = rte_eth_dev_set_mtu(port->id_, options.mtu);
    if (e != 0 && e != -ENOTSUP) return EthError(Cat("MTU ", options.mtu), port->name_, e);
  }
  uint16_t rx_descriptors = options.rx_descriptors, tx_descriptors = options.tx_descriptors;
  if (int e = rte_eth_dev_adjust_nb_rx_tx_desc(port->id_, &rx_descriptors, &tx_descriptors); e != 0)
    return EthError("descriptor counts", port->name_, e);
  const int socket = rte_eth_dev_socket_id(port->id_);
  const unsigned socket_id = socket < 0 ? SOCKET_ID_ANY : static_cast<unsigned>(socket);
  for (uint16_t q = 0; q < options.queues; ++q) {
    rte_eth_rxconf rx = info.default_rxconf;
    rx.offloads = conf.rxmode.offloads;
    if (int e = rte_eth_rx_queue_setup(port->id_, q, rx_descriptors, socket_id, &rx, options.pool); e != 0)
      return EthError(Cat("RX queue ", q), port->name_, e);
    rte_eth_txconf tx = info.default_txconf;
    tx.offloads = conf.txmode.offloads;
    if (int e = rte_eth_tx_queue_setup(port->id_, q, tx_descriptors, socket_id, &tx); e != 0)
      return EthError(Cat("TX queue ", q), port->name_, e);
  }
  if (int e = rte_eth_dev_start(port->id_); e != 0) return EthError("start", port->name_, e);
  port->started_ = true;
  // All multicast: IPv6 neighbour discovery reaches the kernel (through the exception port) at
  // solicited-node multicast MACs a NIC would filter out. Unicast needs nothing: the exception
  // port has the port's MAC. Not every driver has it (a pcap file takes everything).
  (void)rte_eth_allmulticast_enable(port->id_);
  if (int e = rte_eth_macaddr_get(port->id_, &port->mac_); e != 0) return EthError("MAC address", port->name_, e);
  uint16_t mtu = 0;
  if (options.mtu != 0) {
    port->mtu_ = options.mtu;
  } else if (rte_eth_dev_get_mtu(port->id_, &mtu) == 0 && mtu >= 576) {
    port->mtu_ = mtu;
  }
  return port;
}

absl::Status Port::SetMac(const rte_ether_addr& mac) {
  rte_ether_addr wanted = mac;
  if (int e = rte_eth_dev_default_mac_addr_set(id_, &wanted); e != 0) {
    // A device that cannot change its address (a pcap file) needs none: no kernel reads it.
    if (e == -ENOTSUP && if_index_ == 0) return absl::OkStatus();
    return EthError(Cat("set MAC ", MacText(mac)), name_, e);
  }
  if (int e = rte_eth_macaddr_get(id_, &mac_); e != 0) return EthError("MAC address", name_, e);
  if (!rte_is_same_ether_addr(&mac_, &mac))
    return absl::InternalError(Cat(name_, ": MAC is ", MacText(mac_), " after setting ", MacText(mac)));
  if (if_index_ != 0) {
    absl::StatusOr<rte_ether_addr> kernel = KernelMac(if_index_);
    if (!kernel.ok()) return kernel.status();
    if (!rte_is_same_ether_addr(&*kernel, &mac))
      return absl::InternalError(
          Cat(name_, ": the kernel interface has MAC ", MacText(*kernel), ", not ", MacText(mac)));
  }
  return absl::OkStatus();
}

std::string Port::Describe() const {
  std::string text = Cat(name_, " (", driver_, ") ", MacText(mac_), " mtu ", mtu_, ", ", queues_,
                         queues_ == 1 ? " queue" : " queues");
  std::string offloads;
  if (offloads_.rx_ip_checksum) offloads += " rx-ip";
  if (offloads_.rx_udp_checksum) offloads += " rx-udp";
  if (offloads_.tx_ip_checksum) offloads += " tx-ip";
  if (offloads_.tx_udp_checksum) offloads += " tx-udp";
  return Cat(text, ", checksum offloads:", offloads.empty() ? " none" : offloads);
}

Port::~Port() {
  if (started_) (void)rte_eth_dev_stop(id_);
  (void)rte_eth_dev_close(id_);
}

}  // namespace rootd::dataplane
