// The command-line reader shared by `rootd check` and the tools.
#include "server/command_line.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rootd::server {
namespace {

struct Parsed {
  std::optional<int> status;
  std::string out, count_text;
  uint64_t count = 0;
  bool verbose = false;
  std::vector<std::string> arguments;
};

Parsed ParseArgs(std::vector<std::string> args) {
  Parsed p;
  CommandLine command_line("prog", "usage: prog [--out FILE] [--count N] [--verbose] ARG\n");
  command_line.Option("out", &p.out)
      .Option("count", [&p](const std::string& v) { return ParseUint64(v, 100, &p.count); })
      .Switch("verbose", &p.verbose)
      .Arguments([&p](const std::string& a) {
        if (p.arguments.size() == 1) return false;
        p.arguments.push_back(a);
        return true;
      });
  std::vector<char*> argv = {const_cast<char*>("prog")};
  for (std::string& a : args) argv.push_back(a.data());
  p.status = command_line.Parse(static_cast<int>(argv.size()), argv.data());
  return p;
}

TEST(CommandLine, ReadsBothValueFormsSwitchesAndArguments) {
  Parsed p = ParseArgs({"--out", "a.txt", "--count=7", "--verbose", "zone"});
  EXPECT_FALSE(p.status.has_value());
  EXPECT_EQ(p.out, "a.txt");
  EXPECT_EQ(p.count, 7u);
  EXPECT_TRUE(p.verbose);
  EXPECT_EQ(p.arguments, std::vector<std::string>{"zone"});
}

TEST(CommandLine, HelpExitsZeroAndUsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::optional<int> status;
  };
  const Case kCases[] = {
      {{"--help"}, 0},          {{"-h"}, 0},
      {{"--bogus"}, 2},         {{"--out"}, 2},            // unknown; value missing
      {{"--count", "101"}, 2},  {{"--count", "-1"}, 2},    // beyond the maximum; not a number
      {{"--verbose=yes"}, 2},   {{"a", "b"}, 2},           // a switch has no value; one argument too many
      {{"a"}, std::nullopt},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.args.front());
    EXPECT_EQ(ParseArgs(c.args).status, c.status);
  }
}

// Arguments into targets: each word fills the first target still empty, in order; a word
// beyond the last target is a usage error, whatever comes between them.
TEST(CommandLine, ArgumentsFillTheirTargetsInOrder) {
  auto parse = [](std::vector<std::string> args, std::string* first, std::string* second) {
    CommandLine command_line("prog", "usage: prog [--out FILE] A B\n");
    std::string out;
    command_line.Option("out", &out).Arguments({first, second});
    std::vector<char*> argv = {const_cast<char*>("prog")};
    for (std::string& a : args) argv.push_back(a.data());
    return command_line.Parse(static_cast<int>(argv.size()), argv.data());
  };
  std::string a, b;
  EXPECT_EQ(parse({"one", "--out", "x", "two"}, &a, &b), std::nullopt);
  EXPECT_EQ(a, "one");
  EXPECT_EQ(b, "two");
  std::string c, d;
  EXPECT_EQ(parse({"one"}, &c, &d), std::nullopt);
  EXPECT_EQ(c, "one");
  EXPECT_EQ(d, "");
  std::string e, f;
  EXPECT_EQ(parse({"one", "two", "three"}, &e, &f), 2);
}

TEST(ParseNumbers, WholeStringOnly) {
  uint64_t u = 0;
  EXPECT_TRUE(ParseUint64("65535", 65535, &u));
  EXPECT_FALSE(ParseUint64("65536", 65535, &u));
  EXPECT_FALSE(ParseUint64("12x", 100, &u));
  EXPECT_FALSE(ParseUint64("", 100, &u));
  double d = 0;
  EXPECT_TRUE(ParseDouble("8.35", &d));
  EXPECT_DOUBLE_EQ(d, 8.35);
  EXPECT_FALSE(ParseDouble("8.35%", &d));
}

}  // namespace
}  // namespace rootd::server
