#include "server/control.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "server/accept_loop.h"
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
  UniqueFd listen_fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  // The socket file is born 0600: a chmod after bind() would leave a moment in which anyone
  // could connect and reload. umask is per process; this runs at start-up, before any thread
  // that creates files.
  const mode_t old_umask = umask(0177);
  const int bound = bind(listen_fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  const int bind_errno = errno;
  umask(old_umask);
  if (bound != 0) return absl::UnavailableError(Cat("cannot bind control socket ", path, ": ", ErrnoText(bind_errno)));
  server->bound_ = true;
  if (listen(listen_fd.get(), 16) != 0)
    return absl::UnavailableError(Cat("listen on control socket ", path, ": ", ErrnoText(errno)));
  ControlServer* raw = server.get();
  absl::StatusOr<std::unique_ptr<AcceptLoop>> loop =
      AcceptLoop::Create(std::move(listen_fd), "control", [raw](int fd) { raw->Serve(fd); });
  if (!loop.ok()) return loop.status();
  server->loop_ = std::move(*loop);
  return server;
}

ControlServer::~ControlServer() {
  Stop();
  if (bound_) unlink(path_.c_str());
}

void ControlServer::Start() { loop_->Start(); }

void ControlServer::Stop() {
  if (loop_) loop_->Stop();
}

void ControlServer::Serve(int fd) {
  // One client at a time: requests are rare, and reloads must not overlap anyway.
  std::string line = ReadUntil(fd, "\n", kMaxRequest, 2000);
  if (line.empty()) return;  // closed or silent
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
