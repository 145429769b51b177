#include "tests/server/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "tests/test_paths.h"
#include "zone/text.h"

namespace rootd::testing {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(std::vector<std::string> args,
                                                                  const std::string& log_path) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(Cat("open ", log_path, ": ", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(Cat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  setpgid(pid, pid);  // also here: the group exists before Stop() can signal it, whoever runs first
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  kill(-pid_, SIGKILL);  // stragglers of the group, if any
  pid_ = -1;
  return false;
}

ChildProcess::Wait ChildProcess::WaitUntilReady(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                                                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running()) return Wait::kExited;
    if (ready()) return Wait::kReady;
    std::this_thread::sleep_for(interval);
  }
  return Wait::kTimedOut;
}

void ChildProcess::Stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {  // up to 5 s, then SIGKILL
    if (!Running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_status_ = 128 + SIGKILL;
  pid_ = -1;
}

std::string FindBinary(const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

std::string FileTail(const std::string& path, size_t max_chars) {
  const std::string text = ReadFileText(path);
  return text.size() > max_chars ? text.substr(text.size() - max_chars) : text;
}

}  // namespace rootd::testing
