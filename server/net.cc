#include "server/net.h"

#include <sys/eventfd.h>

#include <arpa/inet.h>
#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "zone/text.h"

namespace rootd::server {

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void SocketAddress::set_port(uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
}

std::string SocketAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = "?";
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text, sizeof text);
    return Cat(text, "@", port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text, sizeof text);
    return Cat("[", text, "]:", port());
  }
  return "?";
}

absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view text, uint16_t default_port,
                                                 bool* explicit_port) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError(Cat("missing ']' in '", text, "'"));
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' && rest.front() != '@')
        return absl::InvalidArgumentError(Cat("expected ':PORT' after ']' in '", text, "'"));
      port_text = rest.substr(1);
    }
  } else if (size_t at = text.rfind('@'); at != std::string_view::npos) {
    host = std::string(text.substr(0, at));
    port_text = text.substr(at + 1);
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    host = std::string(text.substr(0, colon));  // exactly one colon: IPv4:port
    port_text = text.substr(colon + 1);
  } else {
    host = std::string(text);
  }

  uint16_t port = default_port;
  if (explicit_port) *explicit_port = !port_text.empty();
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (error != std::errc() || end != port_text.data() + port_text.size() || value > 65535)
      return absl::InvalidArgumentError(Cat("bad port '", port_text, "' in '", text, "'"));
    port = static_cast<uint16_t>(value);
  }

  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    address.size = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    address.size = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(Cat("bad IP address '", host, "' in '", text, "'"));
  }
  address.set_port(port);
  return address;
}

std::string ErrnoText(int error) {
  char buffer[128];
  return strerror_r(error, buffer, sizeof buffer);
}

absl::StatusOr<UniqueFd> BindSocket(const SocketAddress& address, int type, bool reuse_port) {
  UniqueFd fd(socket(address.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::InternalError(Cat("socket: ", ErrnoText(errno)));
  int one = 1;
  // Only TCP gets SO_REUSEADDR (TIME_WAIT after a restart): on UDP it would let two servers
  // share the port silently.
  if (type == SOCK_STREAM) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return absl::InternalError(Cat("SO_REUSEPORT: ", ErrnoText(errno)));
  if (address.family() == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.size) != 0) {
    int error = errno;
    return absl::UnavailableError(Cat("cannot bind ", type == SOCK_STREAM ? "TCP " : "UDP ", address.ToString(), ": ",
                                      ErrnoText(error)));
  }
  return fd;
}

}  // namespace rootd::server

namespace rootd::server {

absl::Status CheckPortFree(const SocketAddress& address, int type) {
  // SO_REUSEPORT sockets of the same user share a port silently, so a second rootd would
  // start and steal half the traffic: probe with a plain socket first, which any holder blocks.
  absl::StatusOr<UniqueFd> probe = BindSocket(address, type, /*reuse_port=*/false);
  if (!probe.ok()) return probe.status();
  return absl::OkStatus();
}

absl::StatusOr<StopSignal> StopSignal::Create() {
  StopSignal signal;
  signal.fd_.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!signal.fd_.valid()) return absl::InternalError(Cat("eventfd: ", ErrnoText(errno)));
  return signal;
}

void StopSignal::Raise() const {
  if (!fd_.valid()) return;
  const uint64_t one = 1;
  ssize_t ignored = write(fd_.get(), &one, sizeof one);
  (void)ignored;
}

}  // namespace rootd::server
