// rootlab as a user runs it: the built binary makes a lab, the built rootd serves it, and real
// DNS tools (dig, delv, ldns, NSD's checker) read what they made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBounded[] = "timeout 60 ";

std::string Rootlab() { return BinaryDir() + "/tools/rootlab"; }

CommandResult Init(const std::string& dir, const std::string& options = "") {
  return RunCommand(Cat(kBounded, Rootlab(), " init '", dir, "' ", options));
}

TEST(RootlabInit, RootdServesTheLabAndDelvValidatesFromEveryBindAnchor) {
  const std::string dir = MakeTempDir("rootlab_init") + "/lab";
  const CommandResult init = Init(dir, "--tlds 30");
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_THAT(init.output, HasSubstr("serve it: rootd --zone " + dir + "/root.zone --trust-anchor " + dir + "/root.ds"));

  RootdProcess rootd(MakeTempDir("rootlab_init_rootd"),
                     {"--zone", dir + "/root.zone", "--trust-anchor", dir + "/root.ds", "--threads", "1"}, FreePort());
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  const std::string at = Cat("@127.0.0.1 -p ", rootd.port());
  // Priming: the root servers are all the lab server, IPv4 only.
  const CommandResult priming = RunCommand(Cat(kBounded, "dig +norec +noall +additional ", at, " . NS"));
  EXPECT_EQ(priming.exit_code, 0) << priming.output;
  for (char letter = 'a'; letter <= 'm'; ++letter) {
    EXPECT_THAT(priming.output, HasSubstr(Cat(letter, ".root-servers.net.\t518400\tIN\tA\t127.0.53.1")));
  }
  EXPECT_THAT(priming.output, Not(HasSubstr("AAAA")));
  // The lab TLD's referral.
  const CommandResult referral = RunCommand(Cat(kBounded, "dig +norec +dnssec ", at, " www.lab. A"));
  EXPECT_THAT(referral.output, HasSubstr("lab.\t\t\t172800\tIN\tNS\tns.lab."));
  EXPECT_THAT(referral.output, HasSubstr("ns.lab.\t\t\t172800\tIN\tA\t127.0.53.10"));
  EXPECT_THAT(referral.output, HasSubstr("IN\tDS\t"));
  // delv validates the root and the lab TLD's DS from the BIND anchor file (initial-key).
  for (const char* question : {". SOA", ". DNSKEY", "lab. DS"}) {
    const CommandResult delv = RunCommand(
        Cat(kBounded, "delv ", at, " -a ", dir, "/anchors/bind-trust-anchors.conf +root=. ", question));
    EXPECT_THAT(delv.output, HasSubstr("; fully validated")) << question << "\n" << delv.output;
  }
}

TEST(RootlabInit, LabZoneIsReadyForAStandardServer) {
  const std::string dir = MakeTempDir("rootlab_tld") + "/lab";
  ASSERT_EQ(Init(dir, "--tlds 3 --lab-tld-address 127.0.53.77").exit_code, 0);
  const CommandResult check = RunCommand(Cat(kBounded, "nsd-checkzone lab. ", dir, "/lab.zone"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("zone lab. is ok"));
  // The DNSKEY whose DS the root publishes verifies the whole child zone.
  const CommandResult verify = RunCommand(
      Cat(kBounded, "sh -c \"grep -E '^lab\\. [0-9]+ IN DNSKEY' ", dir, "/lab.zone > ", dir, "/lab.key && ",
          "ldns-verify-zone -k ", dir, "/lab.key ", dir, "/lab.zone\""));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("Zone is verified and complete"));
  EXPECT_THAT(ReadFileText(dir + "/lab.zone"), HasSubstr("ns.lab. 3600 IN A 127.0.53.77"));
  EXPECT_THAT(ReadFileText(dir + "/root.zone"), HasSubstr("ns.lab. 172800 IN A 127.0.53.77"));
}

TEST(RootlabInit, UsageAndRefusals) {
  const std::string dir = MakeTempDir("rootlab_usage") + "/lab";
  EXPECT_EQ(RunCommand(Rootlab()).exit_code, 2);
  EXPECT_EQ(Init(dir, "--algorithm rsasha1").exit_code, 2);
  EXPECT_EQ(Init(dir, "--validity soon").exit_code, 2);
  const CommandResult bad_address = Init(dir, "--server-address 300.1.1.1");
  EXPECT_EQ(bad_address.exit_code, 1);
  EXPECT_THAT(bad_address.output, HasSubstr("'300.1.1.1' is not an IPv4 address"));
  ASSERT_EQ(Init(dir, "--tlds 1 --algorithm ecdsap256sha256 --validity PT2H").exit_code, 0);
  const CommandResult again = Init(dir, "--tlds 1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("already holds a lab"));
}

}  // namespace
}  // namespace rootd::testing
