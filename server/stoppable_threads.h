// Threads that run until told to stop, and the one signal that tells them: each thread watches
// stop_fd() (with poll or epoll) among its other descriptors and returns once it is readable.
// The services, the accept loops and the RSSAC002 writer all start and stop their threads so.
#pragma once
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "server/net.h"

namespace rootd::server {

class StoppableThreads {
 public:
  static absl::StatusOr<StoppableThreads> Create() {
    absl::StatusOr<StopSignal> stop = StopSignal::Create();
    if (!stop.ok()) return stop.status();
    return StoppableThreads(std::move(*stop));
  }
  StoppableThreads() = default;  // no signal: Create() makes one
  StoppableThreads(StoppableThreads&&) = default;
  StoppableThreads& operator=(StoppableThreads&& other) noexcept {
    Stop();
    stop_ = std::move(other.stop_);
    threads_ = std::move(other.threads_);
    return *this;
  }
  ~StoppableThreads() { Stop(); }

  int stop_fd() const { return stop_.fd(); }
  void Start(std::function<void()> run) { threads_.emplace_back(std::move(run)); }
  // Raises the signal and joins every thread; the signal stays raised.
  void Stop() {
    if (threads_.empty()) return;
    stop_.Raise();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  explicit StoppableThreads(StopSignal stop) : stop_(std::move(stop)) {}

  StopSignal stop_;
  std::vector<std::thread> threads_;
};

}  // namespace rootd::server
