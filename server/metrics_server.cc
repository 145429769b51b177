#include "server/metrics_server.h"

#include <sys/socket.h>

#include <cerrno>

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
constexpr size_t kMaxRequestHead = 8192;

std::string HttpResponse(std::string_view status, std::string_view content_type, std::string_view body) {
  return Cat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type, "\r\nContent-Length: ", body.size(),
             "\r\nConnection: close\r\n\r\n", body);
}
}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Create(const SocketAddress& address, Render render) {
  std::unique_ptr<MetricsServer> server(new MetricsServer(std::move(render)));
  absl::StatusOr<UniqueFd> fd = BindSocket(address, SOCK_STREAM, /*reuse_port=*/false);
  if (!fd.ok()) return absl::Status(fd.status().code(), Cat("metrics: ", fd.status().message()));
  if (listen(fd->get(), 16) != 0) return absl::UnavailableError(Cat("metrics: listen: ", ErrnoText(errno)));
  server->address_ = address;
  server->address_.size = sizeof server->address_.storage;
  getsockname(fd->get(), reinterpret_cast<sockaddr*>(&server->address_.storage), &server->address_.size);
  MetricsServer* raw = server.get();
  absl::StatusOr<std::unique_ptr<AcceptLoop>> loop =
      AcceptLoop::Create(std::move(*fd), "metrics", [raw](int client) { raw->Serve(client); });
  if (!loop.ok()) return loop.status();
  server->loop_ = std::move(*loop);
  return server;
}

void MetricsServer::Serve(int fd) {
  const std::string head = ReadUntil(fd, "\r\n\r\n", kMaxRequestHead, 2000);
  const std::string_view line = std::string_view(head).substr(0, head.find("\r\n"));
  std::string response;
  if (head.find("\r\n\r\n") == std::string::npos) {
    response = HttpResponse("400 Bad Request", "text/plain", "incomplete request\n");
  } else if (line.rfind("GET ", 0) != 0) {
    response = HttpResponse("405 Method Not Allowed", "text/plain", "only GET\n");
  } else if (constexpr std::string_view kPath = "GET /metrics";
             line.rfind(kPath, 0) != 0 || line.size() == kPath.size() ||
             (line[kPath.size()] != ' ' && line[kPath.size()] != '?')) {
    response = HttpResponse("404 Not Found", "text/plain", "rootd serves /metrics\n");
  } else {
    response = HttpResponse("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_());
  }
  WriteAll(fd, response, NowMs() + 5000);
}

}  // namespace rootd::server
