#include "server/accept_loop.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

absl::StatusOr<std::unique_ptr<AcceptLoop>> AcceptLoop::Create(UniqueFd listen_fd, std::string name, Serve serve) {
  std::unique_ptr<AcceptLoop> loop(new AcceptLoop(std::move(listen_fd), std::move(name), std::move(serve)));
  absl::StatusOr<StoppableThreads> thread = StoppableThreads::Create();
  if (!thread.ok()) return thread.status();
  loop->thread_ = std::move(*thread);
  return loop;
}

AcceptLoop::~AcceptLoop() { Stop(); }

void AcceptLoop::Start() { thread_.Start([this] { Run(); }); }

void AcceptLoop::Stop() { thread_.Stop(); }

void AcceptLoop::Run() {
  while (true) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {thread_.stop_fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LogError(Cat(name_, ": poll: ", ErrnoText(errno)));
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents) {
      UniqueFd client(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (client.valid()) serve_(client.get());
    }
  }
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool WriteAll(int fd, std::string_view data, int64_t deadline) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    pollfd p{fd, POLLOUT, 0};
    poll(&p, 1, static_cast<int>(left));
  }
  return true;
}

std::string ReadUntil(int fd, std::string_view end, size_t max, int timeout_ms) {
  std::string read;
  const int64_t deadline = NowMs() + timeout_ms;
  while (read.find(end) == std::string::npos && read.size() < max) {
    char buffer[512];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      read.append(buffer, n);
      continue;
    }
    if (n == 0) break;
    if (errno != EAGAIN && errno != EINTR) break;
    const int64_t left = deadline - NowMs();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(left));
  }
  return read;
}

}  // namespace rootd::server
