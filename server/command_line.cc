#include "server/command_line.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace rootd::server {

CommandLine& CommandLine::Switch(const std::string& name, std::function<void()> on) {
  entries_.push_back({"--" + name, false, [on = std::move(on)](const std::string&) { return on(), true; }, ""});
  return *this;
}

CommandLine& CommandLine::Switch(const std::string& name, bool* target) {
  return Switch(name, [target] { *target = true; });
}

CommandLine& CommandLine::Option(const std::string& name, Setter set, std::string expected) {
  entries_.push_back({"--" + name, true, std::move(set), std::move(expected)});
  return *this;
}

CommandLine& CommandLine::Option(const std::string& name, std::string* target) {
  return Option(name, [target](const std::string& value) { return *target = value, true; });
}

CommandLine& CommandLine::Arguments(std::function<bool(const std::string&)> take) {
  take_argument_ = std::move(take);
  return *this;
}

CommandLine& CommandLine::Arguments(std::vector<std::string*> targets) {
  return Arguments([targets = std::move(targets)](const std::string& word) {
    for (std::string* target : targets) {
      if (target->empty()) {
        *target = word;
        return true;
      }
    }
    return false;
  });
}

const CommandLine::Entry* CommandLine::Find(const std::string& name) const {
  for (const Entry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

int CommandLine::UsageError(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\n%s", program_.c_str(), message.c_str(), usage_.c_str());
  return 2;
}

std::optional<int> CommandLine::Parse(int argc, char** argv, int first) const {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage_.c_str(), stdout);
      return 0;
    }
    if (arg.empty() || arg[0] != '-') {
      if (!take_argument_ || !take_argument_(arg)) return UsageError("unexpected argument '" + arg + "'");
      continue;
    }
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    const Entry* entry = Find(arg);
    if (entry == nullptr) return UsageError("unknown option '" + arg + "'");
    if (!entry->takes_value) {
      if (value) return UsageError(arg + " takes no value");
      entry->set("");
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) return UsageError(arg + " needs a value");
      value = argv[++i];
    }
    if (!entry->set(*value)) {
      std::fprintf(stderr, "%s: bad value '%s' for %s%s%s\n", program_.c_str(), value->c_str(), arg.c_str(),
                   entry->expected.empty() ? "" : ": wants ", entry->expected.c_str());
      return 2;
    }
  }
  return std::nullopt;
}

bool ParseUint64(const std::string& text, uint64_t max, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(text.c_str(), &end, 10);
  return !text.empty() && text[0] != '-' && *end == '\0' && errno == 0 && *out <= max;
}

bool ParseDouble(const std::string& text, double* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && errno == 0;
}

}  // namespace rootd::server
