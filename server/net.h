// Small socket helpers: an owning file descriptor and parsed listen addresses.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace rootd::server {

// Owns a file descriptor; closes it once.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A level-triggered wake-up for threads polling it: an eventfd that turns readable, and stays
// so, once Raise() is called. Services use it to stop their threads.
class StopSignal {
 public:
  static absl::StatusOr<StopSignal> Create();
  int fd() const { return fd_.get(); }
  void Raise() const;  // does nothing on a signal that was never created

 private:
  UniqueFd fd_;
};

// An IPv4 or IPv6 socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;

  int family() const { return storage.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  // "192.0.2.1@53" or "[2001:db8::1]:53".
  std::string ToString() const;
};

// Accepts "192.0.2.1", "192.0.2.1@53", "192.0.2.1:53", "2001:db8::1", "2001:db8::1@53",
// "[2001:db8::1]", "[2001:db8::1]:53"; `default_port` applies when none is given.
// *explicit_port tells whether the text named a port.
absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view text, uint16_t default_port,
                                                 bool* explicit_port = nullptr);

// The errno text of `error`, for messages.
std::string ErrnoText(int error);

// A bound socket (SO_REUSEADDR, and SO_REUSEPORT when `reuse_port`), IPV6_V6ONLY on IPv6
// so that v4 and v6 listen lines never collide. Non-blocking.
absl::StatusOr<UniqueFd> BindSocket(const SocketAddress& address, int type, bool reuse_port);

// Fails when something already holds the port (even with SO_REUSEPORT).
absl::Status CheckPortFree(const SocketAddress& address, int type);

}  // namespace rootd::server
