#include "server/control.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

constexpr size_t kMaxRequest = 4096;

absl::StatusOr<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return absl::InvalidArgumentError(Cat("socket path too long: ", path));
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Writes all of `data` before `deadline`.
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

}  // namespace

absl::StatusOr<ControlRequest> ParseControlRequest(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  ControlRequest request;
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  for (const std::string& word : words) {
    if (word == "--json") {
      request.json = true;
    } else if (request.command.empty()) {
      request.command = word;
    } else {
      request.argument += Cat(request.argument.empty() ? "" : " ", word);
    }
  }
  if (request.command.empty()) return absl::InvalidArgumentError("empty request");
  return request;
}

std::string FormatControlRequest(const ControlRequest& request) {
  return Cat(request.json ? "--json " : "", request.command, request.argument.empty() ? "" : " ", request.argument, "\n");
}

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Create(const std::string& path, Handler handler) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  std::unique_ptr<ControlServer> server(new ControlServer(path, std::move(handler)));
  {
    // Someone answering there is a running rootd: never steal its socket.
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) == 0)
      return absl::AlreadyExistsError(Cat("control socket ", path, " is in use by another process"));
  }
  unlink(path.c_str());
  server->listen_fd_.Reset(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  // The socket file is born 0600: a chmod after bind() would leave a moment in which anyone
  // could connect and reload. umask is per process; this runs at start-up, before any thread
  // that creates files.
  const mode_t old_umask = umask(0177);
  const int bound = bind(server->listen_fd_.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  const int bind_errno = errno;
  umask(old_umask);
  if (bound != 0) return absl::UnavailableError(Cat("cannot bind control socket ", path, ": ", ErrnoText(bind_errno)));
  if (listen(server->listen_fd_.get(), 16) != 0)
    return absl::UnavailableError(Cat("listen on control socket ", path, ": ", ErrnoText(errno)));
  absl::StatusOr<StopSignal> stop = StopSignal::Create();
  if (!stop.ok()) return stop.status();
  server->stop_ = std::move(*stop);
  return server;
}

ControlServer::~ControlServer() {
  Stop();
  if (listen_fd_.valid()) unlink(path_.c_str());
}

void ControlServer::Start() { thread_ = std::thread([this] { Run(); }); }

void ControlServer::Stop() {
  if (!thread_.joinable()) return;
  stop_.Raise();
  thread_.join();
}

void ControlServer::Run() {
  while (true) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LogError(Cat("control: poll: ", ErrnoText(errno)));
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents) {
      UniqueFd client(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (client.valid()) Serve(client.get());
    }
  }
}

void ControlServer::Serve(int fd) {
  // One client at a time: requests are rare, and reloads must not overlap anyway.
  std::string line;
  int64_t deadline = NowMs() + 2000;
  while (line.find('\n') == std::string::npos && line.size() < kMaxRequest) {
    char buffer[512];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      line.append(buffer, n);
      continue;
    }
    if (n == 0) break;
    if (errno != EAGAIN && errno != EINTR) return;
    int64_t left = deadline - NowMs();
    if (left <= 0) return;
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(left));
  }
  line = line.substr(0, line.find('\n'));
  ControlReply reply;
  absl::StatusOr<ControlRequest> request = ParseControlRequest(line);
  if (!request.ok()) {
    reply = {false, Cat(std::string(request.status().message()), "\n")};
  } else {
    LogDebug(Cat("control: ", line));
    reply = handler_(*request);
  }
  WriteAll(fd, Cat(reply.ok ? "ok\n" : "error\n", reply.body), NowMs() + 5000);
}

absl::StatusOr<ControlReply> ControlCall(const std::string& path, const ControlRequest& request, int timeout_ms) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0)
    return absl::UnavailableError(Cat("cannot connect to ", path, ": ", ErrnoText(errno), " (is rootd running?)"));
  int64_t deadline = NowMs() + timeout_ms;
  if (!WriteAll(fd.get(), FormatControlRequest(request), deadline))
    return absl::UnavailableError(Cat("cannot send to ", path));
  std::string reply;
  while (true) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return absl::DeadlineExceededError(Cat("no reply from ", path, " within ", timeout_ms, " ms"));
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buffer[4096];
    ssize_t n = recv(fd.get(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(Cat("reading from ", path, ": ", ErrnoText(errno)));
    }
    reply.append(buffer, n);
  }
  size_t newline = reply.find('\n');
  if (newline == std::string::npos) return absl::DataLossError("truncated reply from rootd");
  std::string status = reply.substr(0, newline);
  if (status != "ok" && status != "error") return absl::DataLossError(Cat("unexpected reply '", status, "'"));
  return ControlReply{status == "ok", reply.substr(newline + 1)};
}

}  // namespace rootd::server
