#include "server/tcp_service.h"

#include <sys/resource.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <list>
#include <string>
#include <unordered_map>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxMessage = 65535;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// True when `in` starts with a whole length-prefixed message.
bool HasWholeMessage(const std::string& in) {
  return in.size() >= 2 && in.size() - 2 >= (size_t{static_cast<uint8_t>(in[0])} << 8 | static_cast<uint8_t>(in[1]));
}

}  // namespace

class TcpService::Loop {
 public:
  Loop(ServiceContext context, const TcpOptions& options, int cap, int stop_fd)
      : context_(context),
        idle_ms_(absl::ToInt64Milliseconds(options.idle_timeout)),
        grace_ms_(absl::ToInt64Milliseconds(options.shutdown_grace)),
        cap_(cap),
        stop_fd_(stop_fd),
        scratch_(kMaxMessage) {}

  absl::Status Init(const std::vector<SocketAddress>& addresses) {
    epoll_fd_.Reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_fd_.valid()) return absl::InternalError(Cat("epoll_create1: ", ErrnoText(errno)));
    for (const SocketAddress& address : addresses) {
      absl::StatusOr<UniqueFd> fd = BindSocket(address, SOCK_STREAM, /*reuse_port=*/true);
      if (!fd.ok()) return fd.status();
      // The kernel's queue of connections not yet accepted: a burst of clients (a resolver
      // farm falling back to TCP after TC) waits there instead of being refused.
      if (listen(fd->get(), 1024) != 0)
        return absl::UnavailableError(Cat("listen on TCP ", address.ToString(), ": ", ErrnoText(errno)));
      if (!Watch(fd->get(), EPOLLIN)) return absl::InternalError(Cat("epoll_ctl: ", ErrnoText(errno)));
      listeners_.push_back(std::move(*fd));
    }
    if (!Watch(stop_fd_, EPOLLIN)) return absl::InternalError(Cat("epoll_ctl: ", ErrnoText(errno)));
    stats_ = context_.stats->Add();
    reader_ = context_.publisher->RegisterReader();
    if (reader_ == nullptr) return absl::ResourceExhaustedError("too many image readers");
    return absl::OkStatus();
  }

  void Run();

 private:
  struct Connection {
    UniqueFd fd;
    uint8_t address[16] = {};
    uint8_t address_size = 0;
    std::string in;         // received, not yet answered: at most one partial message
    std::string out;        // responses not yet written, from out_sent on
    size_t out_sent = 0;
    int64_t last_active_ms = 0;
    bool reading = true;    // EPOLLIN wanted
    bool writing = false;   // EPOLLOUT wanted
    bool peer_closed = false;
    std::list<Connection*>::iterator lru;
    // Tells this connection from an earlier one with the same fd number: an eviction closes
    // an fd that a later accept in the same batch of events may get again, and the batch may
    // still hold an event for the closed one.
    uint32_t generation = 0;
  };

  // epoll data: the fd and the generation of the connection it was registered for (0 for the
  // listeners and the stop signal).
  static uint64_t EventData(int fd, uint32_t generation) {
    return uint64_t{generation} << 32 | static_cast<uint32_t>(fd);
  }
  static int EventFd(const epoll_event& e) { return static_cast<int>(e.data.u64 & 0xffffffffu); }
  static uint32_t EventGeneration(const epoll_event& e) { return static_cast<uint32_t>(e.data.u64 >> 32); }
  // The connection an event is for, or null when it was closed (and its fd perhaps reused).
  Connection* Find(const epoll_event& e) {
    auto it = connections_.find(EventFd(e));
    if (it == connections_.end() || it->second->generation != EventGeneration(e)) return nullptr;
    return it->second.get();
  }

  // False when epoll refuses (out of memory, or the watch limit): the caller gives up that fd.
  bool Watch(int fd, uint32_t events, uint32_t generation = 0) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = EventData(fd, generation);
    return epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event) == 0;
  }
  // False when epoll refuses: the connection can no longer be driven and is closed.
  [[nodiscard]] bool UpdateEvents(Connection* c) {
    epoll_event event{};
    event.events = (c->reading ? uint32_t{EPOLLIN} : 0u) | (c->writing ? uint32_t{EPOLLOUT} : 0u);
    event.data.u64 = EventData(c->fd.get(), c->generation);
    if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, c->fd.get(), &event) == 0) return true;
    LogWarning(Cat("tcp: epoll_ctl: ", ErrnoText(errno), "; closing the connection"));
    Bump(stats_->tcp_closed_error);
    return false;
  }
  void Touch(Connection* c, int64_t now) {
    c->last_active_ms = now;
    lru_.splice(lru_.end(), lru_, c->lru);
  }
  bool IsListener(int fd) const {
    for (const UniqueFd& l : listeners_) {
      if (l.get() == fd) return true;
    }
    return false;
  }

  void Accept(int listener, int64_t now);
  void Close(Connection* c) {
    lru_.erase(c->lru);
    connections_.erase(c->fd.get());  // closes the fd: epoll forgets it
  }
  // Reads what is there and answers every complete message. Returns false when the
  // connection is to be closed.
  bool HandleReadable(Connection* c, int64_t now);
  bool AnswerMessages(Connection* c, int64_t now);
  bool Flush(Connection* c, int64_t now);
  bool Pump(Connection* c, int64_t now);
  bool Drained(Connection* c) const;
  void ExpireIdle(int64_t now);
  void Drain();

  ServiceContext context_;
  int64_t idle_ms_, grace_ms_;
  size_t cap_;
  int stop_fd_;
  UniqueFd epoll_fd_;
  std::vector<UniqueFd> listeners_;
  WorkerStats* stats_ = nullptr;
  std::unique_ptr<ImagePublisher::Reader> reader_;
  std::vector<uint8_t> scratch_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::list<Connection*> lru_;  // least recently active first
  uint32_t next_generation_ = 1;
};

void TcpService::Loop::Accept(int listener, int64_t now) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof peer;
    int fd = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &peer_size, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if ((errno == EMFILE || errno == ENFILE) && !lru_.empty()) {
        // Out of descriptors before the cap: the least active connection makes room, as it
        // would at the cap. Otherwise the listener stays readable and the loop would spin.
        Bump(stats_->tcp_evicted);
        Close(lru_.front());
        continue;
      }
      if (errno == EMFILE || errno == ENFILE) LogWarning("tcp: out of file descriptors, not accepting");
      return;
    }
    if (connections_.size() >= cap_ && !lru_.empty()) {
      // Over the cap: the least recently active connection makes room (RFC 7766 6.2.2).
      Bump(stats_->tcp_evicted);
      Close(lru_.front());
    }
    auto c = std::make_unique<Connection>();
    c->fd.Reset(fd);
    if (peer.ss_family == AF_INET6) {
      std::memcpy(c->address, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, 16);
      c->address_size = 16;
    } else {
      std::memcpy(c->address, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, 4);
      c->address_size = 4;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->last_active_ms = now;
    Connection* raw = c.get();
    lru_.push_back(raw);
    raw->lru = std::prev(lru_.end());
    raw->generation = next_generation_++;
    if (next_generation_ == 0) next_generation_ = 1;  // 0 names the listeners and the stop signal
    connections_[fd] = std::move(c);
    Bump(stats_->tcp_accepted);
    if (!Watch(fd, EPOLLIN, raw->generation)) {
      LogWarning(Cat("tcp: epoll_ctl: ", ErrnoText(errno), "; closing the new connection"));
      Bump(stats_->tcp_closed_error);
      Close(raw);
    }
  }
}

bool TcpService::Loop::HandleReadable(Connection* c, int64_t now) {
  // Read at most a few chunks per wake-up so that one busy client cannot starve the loop.
  for (int round = 0; round < 4 && c->reading; ++round) {
    if (c->out.size() - c->out_sent > kMaxPendingOutput) break;
    size_t old_size = c->in.size();
    c->in.resize(old_size + kReadChunk);
    ssize_t n = recv(c->fd.get(), c->in.data() + old_size, kReadChunk, 0);
    c->in.resize(old_size + (n > 0 ? n : 0));
    if (n == 0) {
      c->peer_closed = true;
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      Bump(stats_->tcp_closed_error);
      return false;
    }
    if (!AnswerMessages(c, now)) return false;
    if (static_cast<size_t>(n) < kReadChunk) break;
  }
  if (!Pump(c, now)) return false;
  // The peer has sent everything (half-close): close once every answer is written.
  if (c->peer_closed) {
    if (c->out.size() == c->out_sent) return false;
    c->reading = false;
    if (!UpdateEvents(c)) return false;
  }
  return true;
}

bool TcpService::Loop::AnswerMessages(Connection* c, int64_t now) {
  size_t offset = 0;
  const zone::ZoneImage& image = *reader_->Current();
  while (c->in.size() - offset >= 2 && c->out.size() - c->out_sent <= kMaxPendingOutput) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(c->in.data()) + offset;
    size_t length = size_t{p[0]} << 8 | p[1];
    if (c->in.size() - offset - 2 < length) break;  // partial message: wait for the rest
    Request request;
    request.data = p + 2;
    request.size = length;
    request.transport = Transport::kTcp;
    request.client_address = c->address;
    request.client_address_size = c->address_size;
    request.now = static_cast<uint32_t>(time(nullptr));
    QueryInfo info;
    size_t size = context_.engine->Answer(image, request, scratch_.data(), scratch_.size(), &info);
    stats_->Record(request, info, image.identity().StatsKey());
    offset += 2 + length;
    if (size == 0) {
      // Not a query we answer: over TCP the stream can no longer be trusted.
      Bump(stats_->tcp_closed_error);
      return false;
    }
    c->out.push_back(static_cast<char>(size >> 8));
    c->out.push_back(static_cast<char>(size & 0xff));
    c->out.append(reinterpret_cast<const char*>(scratch_.data()), size);
    Touch(c, now);
  }
  c->in.erase(0, offset);
  return true;
}

bool TcpService::Loop::Flush(Connection* c, int64_t now) {
  while (c->out_sent < c->out.size()) {
    ssize_t n = send(c->fd.get(), c->out.data() + c->out_sent, c->out.size() - c->out_sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      Bump(stats_->tcp_closed_error);
      return false;
    }
    c->out_sent += n;
    Touch(c, now);
  }
  if (c->out_sent == c->out.size()) {
    c->out.clear();
    c->out_sent = 0;
  } else if (c->out_sent > kMaxPendingOutput) {
    c->out.erase(0, c->out_sent);
    c->out_sent = 0;
  }
  bool want_write = c->out_sent < c->out.size();
  // Backpressure: a client that does not read its answers stops being read.
  bool want_read = !c->peer_closed && c->out.size() - c->out_sent <= kMaxPendingOutput;
  if (want_write != c->writing || want_read != c->reading) {
    c->writing = want_write;
    c->reading = want_read;
    if (!UpdateEvents(c)) return false;
  }
  return true;
}

// Writes, and answers the messages held back by the output bound as room appears, until
// the bound or a full socket stops it. Afterwards either `in` holds no whole message or
// more than kMaxPendingOutput waits (reading off, EPOLLOUT on). Flush alone is not enough:
// with the answers written and nothing more arriving no event would ever come for the
// held-back queries, and reading on while they wait would grow `in` by every read.
bool TcpService::Loop::Pump(Connection* c, int64_t now) {
  while (true) {
    if (!Flush(c, now)) return false;
    if (!HasWholeMessage(c->in) || c->out.size() - c->out_sent > kMaxPendingOutput) return true;
    if (!AnswerMessages(c, now)) return false;
  }
}

// Shutdown: true once everything the connection sent has been answered and written. The
// socket must hold no unread query either: closing it then would send a reset, which also
// throws away answers the kernel has not transmitted yet.
bool TcpService::Loop::Drained(Connection* c) const {
  if (c->out_sent < c->out.size() || HasWholeMessage(c->in)) return false;
  if (c->peer_closed) return true;
  char byte;
  return recv(c->fd.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;  // EOF, or nothing (EAGAIN)
}

void TcpService::Loop::ExpireIdle(int64_t now) {
  while (!lru_.empty() && now - lru_.front()->last_active_ms >= idle_ms_) {
    Bump(stats_->tcp_closed_idle);
    Close(lru_.front());
  }
}

void TcpService::Loop::Run() {
  epoll_event events[128];
  while (true) {
    int64_t now = NowMs();
    ExpireIdle(now);
    int timeout = lru_.empty() ? -1 : static_cast<int>(std::max<int64_t>(1, lru_.front()->last_active_ms + idle_ms_ - now));
    reader_->Offline();
    int ready = epoll_wait(epoll_fd_.get(), events, 128, timeout);
    reader_->Online();
    if (ready < 0) {
      if (errno == EINTR) continue;
      LogError(Cat("tcp: epoll_wait: ", ErrnoText(errno)));
      break;
    }
    now = NowMs();
    bool stop = false;
    for (int e = 0; e < ready; ++e) {
      const int fd = EventFd(events[e]);
      if (fd == stop_fd_) {
        stop = true;
        continue;
      }
      if (IsListener(fd)) {
        Accept(fd, now);
        continue;
      }
      Connection* c = Find(events[e]);
      if (c == nullptr) continue;  // closed earlier in this batch
      bool keep = true;
      if (events[e].events & (EPOLLERR | EPOLLHUP)) {
        // Still read: data may precede the hang-up.
        keep = HandleReadable(c, now) && !(events[e].events & EPOLLERR);
      } else {
        // Output drained below the bound: answer what was held back, if anything.
        if (keep && (events[e].events & EPOLLOUT)) keep = Pump(c, now);
        if (keep && (events[e].events & EPOLLIN)) keep = HandleReadable(c, now);
        if (keep && c->peer_closed && c->out.size() == c->out_sent) keep = false;
      }
      if (!keep) Close(c);
    }
    reader_->QuiescentState();
    if (stop) break;
  }
  Drain();
  reader_->Offline();
}

void TcpService::Loop::Drain() {
  // No new connections; answer what has arrived and write it out within the grace period.
  listeners_.clear();
  int64_t deadline = NowMs() + grace_ms_;
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection* c = it->second.get();
    ++it;
    bool keep = HandleReadable(c, NowMs());
    if (!keep || Drained(c)) Close(c);
  }
  epoll_event events[128];
  while (!connections_.empty()) {
    int64_t left = deadline - NowMs();
    if (left <= 0) break;
    reader_->Offline();
    int ready = epoll_wait(epoll_fd_.get(), events, 128, static_cast<int>(left));
    reader_->Online();
    for (int e = 0; e < ready; ++e) {
      Connection* c = Find(events[e]);
      if (c == nullptr) continue;
      // Not only write: the queries held back by the output bound, and those still in the
      // socket, were received before the stop and are answered too (as in Run()).
      bool keep = true;
      if (events[e].events & EPOLLOUT) keep = Pump(c, NowMs());
      if (keep && (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) keep = HandleReadable(c, NowMs());
      if (!keep || Drained(c)) Close(c);
    }
    reader_->QuiescentState();
  }
  if (!connections_.empty()) LogWarning(Cat("tcp: closing ", connections_.size(), " connections with unsent answers"));
  connections_.clear();
  lru_.clear();
}

absl::StatusOr<std::unique_ptr<TcpService>> TcpService::Create(const std::vector<SocketAddress>& addresses,
                                                               const TcpOptions& options, ServiceContext context) {
  std::unique_ptr<TcpService> service(new TcpService(addresses, options.max_connections));
  absl::StatusOr<StoppableThreads> threads = StoppableThreads::Create();
  if (!threads.ok()) return threads.status();
  service->threads_ = std::move(*threads);
  for (const SocketAddress& address : addresses) {
    if (absl::Status free = CheckPortFree(address, SOCK_STREAM); !free.ok()) return free;
  }
  int loops = std::max(1, options.loops);
  // The cap must be reachable: raise the descriptor limit to its hard maximum and keep the
  // cap below it, with room for the listening and UDP sockets.
  int max_connections = options.max_connections;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    constexpr rlim_t kReserved = 256;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur > kReserved &&
        static_cast<rlim_t>(max_connections) > limit.rlim_cur - kReserved) {
      max_connections = static_cast<int>(limit.rlim_cur - kReserved);
      LogWarning(Cat("tcp: connection cap lowered to ", max_connections, " by the file descriptor limit"));
    }
  }
  service->max_connections_ = max_connections;
  int cap = (max_connections + loops - 1) / loops;
  for (int i = 0; i < loops; ++i) {
    auto loop = std::make_unique<Loop>(context, options, cap, service->threads_.stop_fd());
    if (absl::Status s = loop->Init(addresses); !s.ok()) return s;
    service->loops_.push_back(std::move(loop));
  }
  return service;
}

TcpService::TcpService(std::vector<SocketAddress> addresses, int max_connections)
    : addresses_(std::move(addresses)), max_connections_(max_connections) {}

std::string TcpService::Describe() const {
  std::string out = Cat("tcp: ", loops_.size(), " loops, at most ", max_connections_, " connections, on");
  for (const SocketAddress& address : addresses_) out += Cat(" ", address.ToString());
  return out;
}

TcpService::~TcpService() { Stop(); }

void TcpService::Start() {
  for (auto& loop : loops_) threads_.Start([l = loop.get()] { l->Run(); });
}

void TcpService::Stop() { threads_.Stop(); }

}  // namespace rootd::server
