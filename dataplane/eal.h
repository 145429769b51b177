// The DPDK Environment Abstraction Layer, initialised once per process from the configured
// arguments (`dpdk_eal`, `--dpdk "..."`) and cleaned up when its owner goes. Errors are
// values: nothing here exits the process.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rootd::dataplane {

// "--no-huge -m 256 --vdev 'net_pcap0,rx_pcap=a b.pcap'": words split at white space; single
// or double quotes keep spaces inside a word. Fails on an unterminated quote.
absl::StatusOr<std::vector<std::string>> SplitArguments(std::string_view text);

// `devargs` ("net_tap0,iface=rootd0") is a virtual device (net_...) not created by a --vdev
// argument in `args`: the returned arguments end with `--vdev devargs`, so that EAL creates it.
std::vector<std::string> WithVdev(std::vector<std::string> args, const std::string& devargs);

// The device name of a device argument string: "net_tap0" of "net_tap0,iface=rootd0".
std::string DeviceName(const std::string& devargs);

class Eal {
 public:
  // rte_eal_init with `args` (without a program name). Once per process: EAL cannot be
  // initialised again even after cleanup. The calling thread becomes the main lcore; its CPU
  // affinity is restored afterwards, so that threads it starts later (rootd's kernel-socket
  // workers) are not all pinned to the main lcore's core.
  static absl::StatusOr<std::unique_ptr<Eal>> Init(const std::vector<std::string>& args);
  // rte_eal_cleanup: after every port is closed and every pool freed.
  ~Eal();
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  // The worker lcores EAL launched (the main lcore excluded): one per queue pair.
  const std::vector<unsigned>& worker_lcores() const { return worker_lcores_; }

 private:
  Eal() = default;
  std::vector<unsigned> worker_lcores_;
};

}  // namespace rootd::dataplane
