// One DPDK Ethernet port, found by name (a PCI address or a vdev name), configured with N
// RX/TX queue pairs (RSS over IP addresses and UDP ports when N > 1) and the checksum
// offloads it offers, started; stopped and closed by the destructor.
#pragma once
#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace rootd::dataplane {

struct PortOptions {
  // Device arguments: "0000:01:00.0", "net_pcap0", "net_tap0,iface=rootd0" (the name is what
  // comes before the first comma; EAL has created the device, see eal.h WithVdev).
  std::string devargs;
  uint16_t queues = 1;
  rte_mempool* pool = nullptr;  // RX buffers; owned by the caller, outlives the port
  // The MTU to set; 0 keeps the device's. A device that cannot set it (a pcap file) still
  // takes it as the bound of the replies sent on it.
  uint16_t mtu = 0;
  // Use the checksum offloads the device offers. Off for the exception port: the frames it
  // carries are passed through, never checked or built, and a TAP's "offload" is software.
  bool offloads = true;
  // Ring sizes: 1024 descriptors ride out a scheduling hiccup of the lcore at line rate on
  // 10G (about 70 us of minimum-size frames); ports that offer less get their maximum.
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
};

// The checksum offloads in use: offered by the device and enabled.
struct Offloads {
  bool rx_ip_checksum = false;
  bool rx_udp_checksum = false;
  bool tx_ip_checksum = false;
  bool tx_udp_checksum = false;
};

class Port {
 public:
  static absl::StatusOr<std::unique_ptr<Port>> Open(const PortOptions& options);
  // Stops and closes the port (a pcap port flushes its files here).
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  uint16_t id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& driver() const { return driver_; }
  const Offloads& offloads() const { return offloads_; }
  const rte_ether_addr& mac() const { return mac_; }
  uint16_t mtu() const { return mtu_; }
  uint16_t queues() const { return queues_; }

  // Gives this port `mac` (the exception port takes the dataplane port's, so that the kernel
  // accepts the frames handed to it and answers with the port's address), then reads it back
  // (for a TAP, from the kernel's interface too): an error unless it is `mac` now.
  absl::Status SetMac(const rte_ether_addr& mac);

  // "net_pcap0 (net_pcap) 02:00:00:00:00:01 mtu 1500, 1 queue, offloads rx-ip rx-udp ...".
  std::string Describe() const;

 private:
  Port() = default;
  uint16_t id_ = 0;
  bool started_ = false;
  std::string name_, driver_;
  Offloads offloads_;
  rte_ether_addr mac_{};
  uint16_t mtu_ = 1500;
  uint16_t queues_ = 1;
  unsigned if_index_ = 0;  // the kernel interface of a TAP, 0 otherwise
};

std::string MacText(const rte_ether_addr& mac);

}  // namespace rootd::dataplane
