#include "dataplane/lcore_loop.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <time.h>

#include <algorithm>
#include <memory>

namespace rootd::dataplane {

namespace {

using server::Bump;

constexpr uint16_t kBurst = kLcoreBurst;
static_assert(kBurst <= server::Engine::kMaxBurst);
// Polls that find nothing before the lcore naps: an idle lcore then yields its core to the
// kernel-socket workers and the control thread (the machines rootd runs on in the lab share
// cores); 1024 empty polls is about 50-100 us of spinning, and a nap of 20 us adds at most
// that to the first query after a silence.
constexpr int kIdlePollsBeforeNap = 1024;
constexpr long kNapNanoseconds = 20'000;

static_assert(static_cast<int>(Reason::kCount) == server::DataplaneCounters::kReasons,
              "server::DataplaneCounters::kFrameReasonNames must name every dataplane::Reason, in order");

constexpr size_t kIpv4Header = 20, kIpv6Header = 40, kUdpHeader = 8;

// Sends `count` frames on `port`/`queue`; frees what the queue refused. Returns how many went.
uint16_t SendOrFree(uint16_t port, uint16_t queue, rte_mbuf** frames, uint16_t count, server::DataplaneCounters& c) {
  if (count == 0) return 0;
  const uint16_t sent = rte_eth_tx_burst(port, queue, frames, count);
  if (sent < count) {
    rte_pktmbuf_free_bulk(frames + sent, count - sent);
    Bump(c.tx_dropped, count - sent);
  }
  return sent;
}

// How much of a response fits: the buffer after the DNS message's start, and the port's MTU
// after the reply's IP and UDP headers.
size_t ResponseRoom(size_t buffer_after_dns, uint16_t mtu, bool ipv6) {
  const size_t headers = (ipv6 ? kIpv6Header : kIpv4Header) + kUdpHeader;
  const size_t mtu_room = mtu > headers ? mtu - headers : 0;
  return std::min(buffer_after_dns, mtu_room);
}

void HandlePortBurst(const LcoreContext& x, rte_mbuf** rx, uint16_t count, LcoreScratch& b) {
  server::DataplaneCounters& c = x.stats->dataplane;
  Bump(c.rx, count);
  uint16_t queries = 0, to_kernel = 0, dropped = 0;
  for (uint16_t i = 0; i < count; ++i) {
    rte_mbuf* m = rx[i];
    if (i + 3 < count) rte_prefetch0(rte_pktmbuf_mtod(rx[i + 3], void*));
    ClassifyOptions options;
    const uint64_t flags = m->ol_flags;
    options.ip_checksum_verified =
        x.offloads.rx_ip_checksum && (flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD;
    options.udp_checksum_verified =
        x.offloads.rx_udp_checksum && (flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;
    Reason reason = Reason::kTruncated;
    Verdict verdict = Verdict::kDrop;
    // Chained mbufs come only from scattered RX, which is not enabled: a frame is one segment.
    if (m->nb_segs == 1) {
      verdict = ClassifyFrame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, *x.local, options,
                              &b.frames[queries], &reason);
    }
    Bump(c.frames[static_cast<int>(reason)]);
    switch (verdict) {
      case Verdict::kQuery:
        b.queries[queries++] = m;
        break;
      case Verdict::kException:
        b.to_kernel[to_kernel++] = m;
        break;
      case Verdict::kDrop:
        b.dropped[dropped++] = m;
        break;
    }
  }
  if (dropped > 0) rte_pktmbuf_free_bulk(b.dropped, dropped);
  const uint16_t sent_to_kernel = SendOrFree(x.exception, x.queue, b.to_kernel, to_kernel, c);
  Bump(c.to_kernel, sent_to_kernel);
  if (queries == 0) return;

  // Each response is written over its query, in the mbuf: it may use the rest of the buffer
  // (the tailroom after the frame) and no more than the MTU allows. The engine answers with
  // what fits, TC set if not everything did, as for a client's small EDNS payload size.
  const uint32_t now = static_cast<uint32_t>(time(nullptr));
  for (uint16_t i = 0; i < queries; ++i) {
    rte_mbuf* m = b.queries[i];
    const QueryFrame& f = b.frames[i];
    uint8_t* dns = rte_pktmbuf_mtod_offset(m, uint8_t*, f.dns_offset);
    server::BurstQuery& q = b.answers[i];
    q.request = server::Request{};
    q.request.data = dns;
    q.request.size = f.dns_size;
    q.request.transport = server::Transport::kUdp;
    q.request.client_address = f.client_address;
    q.request.client_address_size = f.client_address_size;
    q.request.now = now;
    q.out = dns;
    const size_t buffer_after_dns = rte_pktmbuf_tailroom(m) + m->data_len - f.dns_offset;
    q.out_capacity = ResponseRoom(buffer_after_dns, x.mtu, f.ipv6);
  }
  const zone::ZoneImage& image = *x.reader->Current();
  x.engine->AnswerBurst(image, b.answers, queries);
  x.stats->RecordBurst(b.answers, queries, image.identity().StatsKey());
  const size_t configured_limit = x.engine->config().max_udp_payload;

  ReplyOptions reply_options;
  reply_options.ip_checksum_offload = x.offloads.tx_ip_checksum;
  reply_options.udp_checksum_offload = x.offloads.tx_udp_checksum;
  uint16_t replies = 0;
  dropped = 0;
  for (uint16_t i = 0; i < queries; ++i) {
    rte_mbuf* m = b.queries[i];
    const server::BurstQuery& q = b.answers[i];
    if (q.response_size == 0) {
      b.dropped[dropped++] = m;
      continue;
    }
    if (q.info.truncated && q.out_capacity < configured_limit) Bump(c.truncated_to_fit);
    const BuiltReply reply = BuildReply(rte_pktmbuf_mtod(m, uint8_t*), b.frames[i], q.response_size, reply_options);
    m->data_off = static_cast<uint16_t>(m->data_off + reply.frame_offset);
    m->data_len = reply.frame_size;
    m->pkt_len = reply.frame_size;
    m->ol_flags = 0;
    if (x.offloads.tx_ip_checksum || x.offloads.tx_udp_checksum) {
      m->l2_len = reply.l2_size;
      m->l3_len = reply.l3_size;
      m->ol_flags |= b.frames[i].ipv6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
      if (x.offloads.tx_ip_checksum && !b.frames[i].ipv6) m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
      if (x.offloads.tx_udp_checksum) m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
    }
    b.to_port[replies++] = m;
  }
  // The responses are in the mbufs: this lcore holds no pointer into the image any more.
  x.reader->QuiescentState();
  if (dropped > 0) rte_pktmbuf_free_bulk(b.dropped, dropped);
  Bump(c.tx, SendOrFree(x.port, x.queue, b.to_port, replies, c));
}

}  // namespace

uint16_t PollOnce(const LcoreContext& x, LcoreScratch& scratch) {
  server::DataplaneCounters& c = x.stats->dataplane;
  rte_mbuf** rx = scratch.rx;
  const uint16_t from_port = rte_eth_rx_burst(x.port, x.queue, rx, kBurst);
  if (from_port > 0) HandlePortBurst(x, rx, from_port, scratch);
  const uint16_t from_kernel = rte_eth_rx_burst(x.exception, x.queue, rx, kBurst);
  if (from_kernel > 0) {
    Bump(c.from_kernel, from_kernel);
    Bump(c.tx, SendOrFree(x.port, x.queue, rx, from_kernel, c));
  }
  x.reader->QuiescentState();
  return static_cast<uint16_t>(from_port + from_kernel);
}

int RunLcore(void* argument) {
  LcoreContext& x = *static_cast<LcoreContext*>(argument);
  if (!x.launched.load(std::memory_order_acquire)) return -1;  // not handed over by Start()
  auto scratch = std::make_unique<LcoreScratch>();  // before the loop: nothing is allocated in it
  int idle_polls = 0;
  x.reader->Online();
  while (!x.stop->load(std::memory_order_relaxed)) {
    if (PollOnce(x, *scratch) == 0) {
      if (++idle_polls >= kIdlePollsBeforeNap) {
        idle_polls = 0;
        x.reader->Offline();  // a reload never waits for a napping lcore
        const timespec nap{0, kNapNanoseconds};
        nanosleep(&nap, nullptr);
        x.reader->Online();
      } else {
        rte_pause();
      }
    } else {
      idle_polls = 0;
    }
  }
  x.reader->Offline();
  x.finished.store(true, std::memory_order_release);
  return 0;
}

}  // namespace rootd::dataplane
