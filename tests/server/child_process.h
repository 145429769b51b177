// A program a test runs as a child process (a peer DNS server, a resolver): in a process group
// of its own, so that one that forks workers is stopped whole, its stdout and stderr in a log
// file, stopped by the destructor.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rootd::testing {

class ChildProcess {
 public:
  // Starts `args` (args[0] the binary's path); fails when it cannot be forked or the log opened.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::vector<std::string> args,
                                                             const std::string& log_path);
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // False once it has exited; exit_status() then says how (128 + N for signal N).
  bool Running();
  // Asks `ready` every `interval` until it says yes, the process exits, or `timeout` passes.
  enum class Wait { kReady, kExited, kTimedOut };
  Wait WaitUntilReady(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval);
  int exit_status() const { return exit_status_; }
  // SIGTERM to the group, SIGKILL after 5 s; waits for it.
  void Stop();
  const std::string& log_path() const { return log_path_; }

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  int exit_status_ = -1;
  std::string log_path_;
};

// The first executable among `candidates`, or "" when there is none.
std::string FindBinary(const std::vector<std::string>& candidates);

// The end of a file (at most `max_chars`), for failure messages.
std::string FileTail(const std::string& path, size_t max_chars = 2000);

}  // namespace rootd::testing
