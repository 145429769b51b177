#include "tests/run_command.h"

#include <sys/wait.h>

#include <cstdio>

namespace rootd::testing {

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string RunCommand(const std::string& command, int* exit_code) {
  CommandResult result = RunCommand(command);
  if (exit_code != nullptr) *exit_code = result.exit_code;
  return std::move(result.output);
}

}  // namespace rootd::testing
