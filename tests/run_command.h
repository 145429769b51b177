// Runs a shell command for a test and collects what it printed (stdout and stderr).
#pragma once
#include <string>

namespace rootd::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

CommandResult RunCommand(const std::string& command);
// The same, for callers that want the output with the exit code beside it.
std::string RunCommand(const std::string& command, int* exit_code);

}  // namespace rootd::testing
