// A thread that accepts connections on a listening socket and serves them one at a time: for
// the rare requests of the control channel and the metrics endpoint, never for DNS. Plus the
// bounded reads and writes those requests are made of.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/net.h"
#include "server/stoppable_threads.h"

namespace rootd::server {

class AcceptLoop {
 public:
  using Serve = std::function<void(int fd)>;  // a non-blocking connection, closed after

  // `listen_fd`: bound and listening. `name` prefixes errors in the log.
  static absl::StatusOr<std::unique_ptr<AcceptLoop>> Create(UniqueFd listen_fd, std::string name, Serve serve);
  ~AcceptLoop();

  void Start();
  void Stop();  // wakes the thread and joins it; a connection being served is finished first
  int listen_fd() const { return listen_fd_.get(); }

 private:
  AcceptLoop(UniqueFd listen_fd, std::string name, Serve serve)
      : listen_fd_(std::move(listen_fd)), name_(std::move(name)), serve_(std::move(serve)) {}
  void Run();

  UniqueFd listen_fd_;
  std::string name_;
  Serve serve_;
  StoppableThreads thread_;
};

// Milliseconds of a monotonic clock.
int64_t NowMs();
// Writes all of `data` to the non-blocking `fd` before `deadline` (NowMs()); false if not.
bool WriteAll(int fd, std::string_view data, int64_t deadline);
// Reads from the non-blocking `fd` until `end` has arrived, `max` octets are read, the peer
// closes, or `timeout_ms` passes; returns what was read.
std::string ReadUntil(int fd, std::string_view end, size_t max, int timeout_ms);

}  // namespace rootd::server
