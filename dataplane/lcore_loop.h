// The dataplane's per-lcore loop: one RX/TX queue pair of the dataplane port and the same
// queue pair of the exception port, owned by one lcore.
//   port RX burst -> ClassifyFrame -> kQuery: answered in place in its mbuf by one
//                                     Engine::AnswerBurst, reply headers built before the
//                                     response (BuildReply), TX burst on the port
//                                  -> kException: TX burst to the exception port (the kernel)
//                                  -> kDrop: freed
//   exception RX burst (the kernel's ARP, ND, ICMP, TCP) -> TX burst on the port
// Every mbuf received is sent or freed on this lcore. No locks, no atomic read-modify-write
// per packet: the counters are this lcore's WorkerStats, written by it alone.
#pragma once
#include <rte_mbuf.h>

#include <atomic>
#include <cstdint>

#include "dataplane/packet.h"
#include "dataplane/port.h"
#include "server/engine.h"
#include "server/image_publisher.h"
#include "server/stats.h"

namespace rootd::dataplane {

struct alignas(64) LcoreContext {
  uint16_t port = 0;       // the dataplane port
  uint16_t exception = 0;  // the exception port (to the kernel)
  uint16_t queue = 0;      // this lcore's queue pair, on both ports
  Offloads offloads;       // the dataplane port's, in use
  uint16_t mtu = 1500;     // the dataplane port's: no reply is larger
  const LocalAddresses* local = nullptr;
  const server::Engine* engine = nullptr;
  server::ImagePublisher::Reader* reader = nullptr;  // this lcore's
  server::WorkerStats* stats = nullptr;              // this lcore's
  const std::atomic<bool>* stop = nullptr;           // raised by the service's Stop()
  // Set (release) by Start() once the rest is filled in, read (acquire) by the lcore first:
  // the hand-over of this context, visible to ThreadSanitizer as EAL's launch is not.
  std::atomic<bool> launched{false};
  // Set (release) by the lcore as it returns; read (acquire) by Stop() after
  // rte_eal_wait_lcore, before the ports are closed: the hand-over of the queues in the C++
  // memory model (EAL's own wait is invisible to ThreadSanitizer, EAL being uninstrumented).
  std::atomic<bool> finished{false};
};

// Frames per RX burst: the usual DPDK burst, well inside one Engine::AnswerBurst.
inline constexpr uint16_t kLcoreBurst = 32;

// One lcore's per-burst working arrays, allocated once before its loop (too large for a
// lcore's stack to be comfortable, and nothing is allocated per burst).
struct LcoreScratch {
  rte_mbuf* rx[kLcoreBurst];
  rte_mbuf* queries[kLcoreBurst];
  QueryFrame frames[kLcoreBurst];
  server::BurstQuery answers[kLcoreBurst];
  rte_mbuf* to_port[kLcoreBurst];
  rte_mbuf* to_kernel[kLcoreBurst];
  rte_mbuf* dropped[kLcoreBurst];
};

// One iteration of RunLcore's loop: one RX burst from the port (answered, handed to the
// kernel or freed) and one from the exception port (sent on the port), then a quiescent
// state of context.reader, which must be online. Returns how many frames were received on
// both. RunLcore is this in a loop with its idle naps; a benchmark drives it burst by burst.
uint16_t PollOnce(const LcoreContext& context, LcoreScratch& scratch);

// Runs until *context->stop; `context` is an LcoreContext (rte_eal_remote_launch's signature).
// Returns 0.
int RunLcore(void* context);

}  // namespace rootd::dataplane
