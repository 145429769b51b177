// One way to read a command line, for `rootd check` and the tools in tools/. (rootd's own
// settings go through config.cc's ParseCommandLine instead, which maps every config-file key to
// a flag.) Options are `--name VALUE` or `--name=VALUE`, switches a bare `--name`; `--help` and
// `-h` print the usage on stdout. Errors name the program and go to stderr with the usage.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rootd::server {

class CommandLine {
 public:
  // Stores a value; false if it is not a valid one.
  using Setter = std::function<bool(const std::string& value)>;

  CommandLine(std::string program, std::string usage) : program_(std::move(program)), usage_(std::move(usage)) {}

  // `--name` alone.
  CommandLine& Switch(const std::string& name, std::function<void()> on);
  CommandLine& Switch(const std::string& name, bool* target);
  // `--name VALUE`; `expected` (e.g. "a time like 2026-11-20T00:00:00Z") completes the error.
  CommandLine& Option(const std::string& name, Setter set, std::string expected = "");
  CommandLine& Option(const std::string& name, std::string* target);
  // Each argument that is not an option, in order; `take` returns false for one too many.
  CommandLine& Arguments(std::function<bool(const std::string&)> take);
  // The arguments into `targets`, each into the first still empty; one more is a usage error.
  CommandLine& Arguments(std::vector<std::string*> targets);

  // Reads argv[first] .. argv[argc - 1]. Returns nullopt when the program should go on, else
  // its exit status: 0 after --help, 2 after a usage error (already reported).
  std::optional<int> Parse(int argc, char** argv, int first = 1) const;

  // Prints "PROGRAM: message" and the usage on stderr; returns 2, the usage-error status.
  int UsageError(const std::string& message) const;

 private:
  struct Entry {
    std::string name;  // with its leading "--"
    bool takes_value = false;
    Setter set;
    std::string expected;
  };
  const Entry* Find(const std::string& name) const;

  std::string program_;
  std::string usage_;
  std::vector<Entry> entries_;
  std::function<bool(const std::string&)> take_argument_;
};

// Whole-string decimal parsers for option values.
bool ParseUint64(const std::string& text, uint64_t max, uint64_t* out);
bool ParseDouble(const std::string& text, double* out);

}  // namespace rootd::server
