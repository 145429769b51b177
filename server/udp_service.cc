#include "server/udp_service.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
constexpr size_t kReceiveSize = 4096;  // larger queries are not DNS queries a root server answers
// Receive buffer per socket. The kernel default (net.core.rmem_default, 212,992 bytes on Debian) holds only
// a few hundred queries (each costs its skb truesize, ~1 KB, not its 40 bytes): a burst that arrives while
// the worker is answering the previous batch overflows it, and queries are dropped (UdpRcvbufErrors) at
// well under the worker's capacity. 4 MiB rides out several milliseconds at a few hundred thousand qps.
constexpr int kReceiveBuffer = 4 << 20;

// SO_RCVBUFFORCE passes net.core.rmem_max when we have CAP_NET_ADMIN (a server started as root); otherwise
// SO_RCVBUF gets as much as rmem_max allows. Never lowers a larger default. Failure is not fatal.
void EnlargeReceiveBuffer(int fd) {
  int current = 0;
  socklen_t length = sizeof current;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &current, &length) == 0 && current >= kReceiveBuffer) return;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) == 0) return;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
}
}  // namespace

struct UdpService::Worker {
  std::vector<UniqueFd> sockets;
  WorkerStats* stats = nullptr;
  std::unique_ptr<ImagePublisher::Reader> reader;
  UniqueFd epoll_fd;

  // Batch buffers, reused for every batch.
  std::vector<uint8_t> in, out;
  size_t out_size = 0;
  mmsghdr in_msgs[kBatch];
  iovec in_iov[kBatch];
  sockaddr_storage peers[kBatch];
  BurstQuery burst[kBatch];
  mmsghdr out_msgs[kBatch];
  iovec out_iov[kBatch];
};

namespace {
// The peer's address octets, for server cookies and statistics.
void SetClientAddress(const sockaddr_storage& peer, Request& request) {
  if (peer.ss_family == AF_INET) {
    request.client_address = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr);
    request.client_address_size = 4;
  } else if (peer.ss_family == AF_INET6) {
    request.client_address = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr);
    request.client_address_size = 16;
  }
}
}  // namespace

absl::StatusOr<std::unique_ptr<UdpService>> UdpService::Create(const std::vector<SocketAddress>& addresses, int workers,
                                                               ServiceContext context) {
  std::unique_ptr<UdpService> service(new UdpService(context, addresses));
  absl::StatusOr<StoppableThreads> threads = StoppableThreads::Create();
  if (!threads.ok()) return threads.status();
  service->threads_ = std::move(*threads);
  for (const SocketAddress& address : addresses) {
    if (absl::Status free = CheckPortFree(address, SOCK_DGRAM); !free.ok()) return free;
  }
  const size_t out_size = context.engine->config().max_udp_payload;  // at least 512: the engine sees to it
  for (int i = 0; i < workers; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->epoll_fd.Reset(epoll_create1(EPOLL_CLOEXEC));
    if (!worker->epoll_fd.valid()) return absl::InternalError(Cat("epoll_create1: ", ErrnoText(errno)));
    for (const SocketAddress& address : addresses) {
      absl::StatusOr<UniqueFd> fd = BindSocket(address, SOCK_DGRAM, /*reuse_port=*/true);
      if (!fd.ok()) return fd.status();
      EnlargeReceiveBuffer(fd->get());
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = static_cast<uint32_t>(worker->sockets.size());
      if (epoll_ctl(worker->epoll_fd.get(), EPOLL_CTL_ADD, fd->get(), &event) != 0)
        return absl::InternalError(Cat("epoll_ctl: ", ErrnoText(errno)));
      worker->sockets.push_back(std::move(*fd));
    }
    epoll_event stop{};
    stop.events = EPOLLIN;
    stop.data.u32 = UINT32_MAX;
    if (epoll_ctl(worker->epoll_fd.get(), EPOLL_CTL_ADD, service->threads_.stop_fd(), &stop) != 0)
      return absl::InternalError(Cat("epoll_ctl: ", ErrnoText(errno)));

    worker->stats = context.stats->Add();
    worker->reader = context.publisher->RegisterReader();
    if (worker->reader == nullptr) return absl::ResourceExhaustedError("too many image readers");
    worker->in.resize(kBatch * kReceiveSize);
    worker->out_size = out_size;
    worker->out.resize(kBatch * out_size);
    service->workers_.push_back(std::move(worker));
  }
  return service;
}

UdpService::UdpService(ServiceContext context, std::vector<SocketAddress> addresses)
    : context_(context), addresses_(std::move(addresses)) {}

std::string UdpService::Describe() const {
  std::string out = Cat("udp: ", workers_.size(), " workers on");
  for (const SocketAddress& address : addresses_) out += Cat(" ", address.ToString());
  return out;
}

UdpService::~UdpService() { Stop(); }

void UdpService::Start() {
  for (auto& worker : workers_) threads_.Start([this, w = worker.get()] { Run(w); });
}

void UdpService::Stop() { threads_.Stop(); }

void UdpService::Run(Worker* w) {
  const Engine& engine = *context_.engine;
  epoll_event events[16];
  bool stopping = false;
  while (!stopping) {
    // Offline while blocked: a reload never waits for an idle worker.
    w->reader->Offline();
    int ready = epoll_wait(w->epoll_fd.get(), events, 16, -1);
    w->reader->Online();
    if (ready < 0) {
      if (errno == EINTR) continue;
      LogError(Cat("udp worker: epoll_wait: ", ErrnoText(errno)));
      break;
    }
    for (int e = 0; e < ready; ++e) {
      if (events[e].data.u32 == UINT32_MAX) {
        stopping = true;
        continue;
      }
      const int fd = w->sockets[events[e].data.u32].get();
      // Drain a few batches per wake-up, then give the other sockets their turn.
      for (int round = 0; round < 8; ++round) {
        for (int i = 0; i < kBatch; ++i) {
          w->in_iov[i] = {w->in.data() + i * kReceiveSize, kReceiveSize};
          w->in_msgs[i].msg_hdr = {};
          w->in_msgs[i].msg_hdr.msg_name = &w->peers[i];
          w->in_msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
          w->in_msgs[i].msg_hdr.msg_iov = &w->in_iov[i];
          w->in_msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int received = recvmmsg(fd, w->in_msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (received <= 0) break;

        const zone::ZoneImage& image = *w->reader->Current();
        const uint32_t now = static_cast<uint32_t>(time(nullptr));
        for (int i = 0; i < received; ++i) {
          BurstQuery& query = w->burst[i];
          query.request = Request{};
          query.request.data = w->in.data() + i * kReceiveSize;
          query.request.size = w->in_msgs[i].msg_len;
          query.request.transport = Transport::kUdp;
          query.request.now = now;
          SetClientAddress(w->peers[i], query.request);
          if (w->in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) query.request.size = 0;  // oversized: the engine drops it
          query.out = w->out.data() + i * w->out_size;
          query.out_capacity = w->out_size;
        }
        engine.AnswerBurst(image, w->burst, received);
        w->stats->RecordBurst(w->burst, received, image.identity().StatsKey());
        int to_send = 0;
        for (int i = 0; i < received; ++i) {
          const BurstQuery& query = w->burst[i];
          if (query.response_size == 0) continue;
          w->out_iov[to_send] = {query.out, query.response_size};
          w->out_msgs[to_send].msg_hdr = {};
          w->out_msgs[to_send].msg_hdr.msg_name = &w->peers[i];
          w->out_msgs[to_send].msg_hdr.msg_namelen = w->in_msgs[i].msg_hdr.msg_namelen;
          w->out_msgs[to_send].msg_hdr.msg_iov = &w->out_iov[to_send];
          w->out_msgs[to_send].msg_hdr.msg_iovlen = 1;
          ++to_send;
        }
        // The responses are in our buffers: the image is no longer referenced.
        w->reader->QuiescentState();
        int sent = 0;
        while (sent < to_send) {
          int n = sendmmsg(fd, w->out_msgs + sent, to_send - sent, 0);
          if (n < 0) {
            if (errno == EINTR) continue;
            // A full send buffer would refuse the rest of the batch at once: drop it. Any other
            // error belongs to one destination and costs that response only.
            const int dropped = (errno == EAGAIN || errno == EWOULDBLOCK) ? to_send - sent : 1;
            Bump(w->stats->udp_send_errors, dropped);
            sent += dropped;
            continue;
          }
          sent += n;
        }
        if (received < kBatch) break;
      }
    }
  }
  w->reader->Offline();
}

}  // namespace rootd::server
