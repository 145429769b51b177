// Signature bundles served by rootd from real SKR files, against a real client view: the
// DNSKEY answer on the wire, and rootctl's clock and bundle commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Zones() { return SharedDataDir() + "/zones"; }
std::string Skr(const std::string& name) { return SharedDataDir() + "/skr/" + name; }

// The production SKR of 2017 Q3: its sixth bundle carries the very RRSIG(DNSKEY) of the real
// root zone of 2017-08-21 (README of ../shared/data/skr).
constexpr char kQ3[] = "skr-root-2017-q3-0-c_to_d.xml";
constexpr char kSixthBundle[] = "ea0319d3";    // prefix of its id
constexpr char kLaterBundle[] = "c8037f41";   // the eighth, from 2017-09-09

std::vector<std::string> RealZoneArgs(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds",
                                   "--at", "2017-08-25T00:00:00Z", "--threads", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class RootdBundleTest : public ::testing::Test {
 protected:
  std::unique_ptr<RootdProcess> Start(const std::string& name, const std::vector<std::string>& extra) {
    const uint16_t port = FreePort();
    auto server = std::make_unique<RootdProcess>(MakeTempDir(name), RealZoneArgs(extra), port);
    EXPECT_TRUE(server->WaitReady()) << server->Log();
    return server;
  }
  std::string Ctl(const RootdProcess& server, const std::string& command, int* status = nullptr) {
    const CommandResult r = server.Ctl(command);
    if (status != nullptr) *status = r.exit_code;
    return r.output;
  }
};

TEST_F(RootdBundleTest, ProductionBundleAnswersByteForByteAsTheZoneFile) {
  auto zone_only = Start("zone-only", {});
  auto with_skr = Start("with-skr", {"--skr", Skr(kQ3), "--clock", "2017-08-25T00:00:00Z"});
  const std::vector<uint8_t> expected = DnskeyWithDo(zone_only->port());
  ASSERT_GT(expected.size(), 1000u);
  EXPECT_EQ(DnskeyWithDo(with_skr->port()), expected);
  EXPECT_THAT(Ctl(*with_skr, "status"), HasSubstr(std::string("bundle        ") + kSixthBundle));
}

TEST_F(RootdBundleTest, ClockSetMovesToTheNextBundleAndBack) {
  auto server = Start("clock", {"--skr", Skr(kQ3), "--clock", "2017-08-25T00:00:00Z"});
  const std::vector<uint8_t> sixth = DnskeyWithDo(server->port());
  int status = -1;
  EXPECT_THAT(Ctl(*server, "clock set 2017-09-12T00:00:00Z", &status), HasSubstr(kLaterBundle));
  EXPECT_EQ(status, 0);
  const std::vector<uint8_t> seventh = DnskeyWithDo(server->port());
  ASSERT_GT(seventh.size(), 1000u);
  EXPECT_NE(seventh, sixth);  // another RRSIG over the same keys
  EXPECT_THAT(Ctl(*server, "bundle list"), HasSubstr(std::string("* ") + kLaterBundle));
  Ctl(*server, "clock set 2017-08-25T00:00:00Z", &status);
  EXPECT_EQ(DnskeyWithDo(server->port()), sixth);
  const std::string json = Ctl(*server, "--json status");
  EXPECT_THAT(json, HasSubstr("\"bundle_swaps\":3"));
  EXPECT_THAT(json, HasSubstr("\"clock_set\":true"));
}

// The bundle thread wakes at the next inception by itself: ten seconds before 2017-09-09 the
// seventh bundle serves, a moment after it the eighth. (The lab clock runs from rootd's start,
// and loading the real zone takes over a second under ASan or on a loaded machine.)
TEST_F(RootdBundleTest, TheNextBundleServesFromItsInceptionWithoutAnyCommand) {
  auto server = Start("boundary", {"--skr", Skr(kQ3), "--clock", "2017-09-08T23:59:50Z"});
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr("bundle        2fc9c6b6"));
  std::string status;
  for (int i = 0; i < 200 && status.find(kLaterBundle) == std::string::npos; ++i) {  // at most 20 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = Ctl(*server, "status");
  }
  EXPECT_THAT(status, HasSubstr(std::string("bundle        ") + kLaterBundle));
}

// The warnings an operator needs before the bundles run out: on 2017-10-05 the ninth and last
// bundle of the quarter serves, and its signatures expire on 2017-10-10, in five days.
TEST_F(RootdBundleTest, WarnsWhenServingTheLastBundleAndWhenItsSignaturesExpireWithinAWeek) {
  auto server = Start("last-bundle", {"--skr", Skr(kQ3), "--clock", "2017-10-05T00:00:00Z"});
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr("bundle        9a4470a8"));
  EXPECT_THAT(server->Log(), HasSubstr("serving bundle 9a4470a8-f682-464b-8f88-c27b25d8d5e1, the last of the loaded SKRs"));
  EXPECT_THAT(server->Log(), HasSubstr("bundle 9a4470a8-f682-464b-8f88-c27b25d8d5e1: its signatures expire at "
                                       "2017-10-10T00:00:00Z, in less than 7 days"));
}

// Neither warning a month earlier, in the middle of the quarter.
TEST_F(RootdBundleTest, NoExpiryWarningsInTheMiddleOfTheQuarter) {
  auto server = Start("mid-quarter", {"--skr", Skr(kQ3), "--clock", "2017-08-25T00:00:00Z"});
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr(std::string("bundle        ") + kSixthBundle));
  EXPECT_THAT(server->Log(), Not(HasSubstr("the last of the loaded SKRs")));
  EXPECT_THAT(server->Log(), Not(HasSubstr("in less than 7 days")));
}

// A bundle boundary inside a dnsperf run: no query lost, and every DNSKEY answer sampled is,
// octet for octet, either the old bundle's answer or the new one's, never a mix.
TEST_F(RootdBundleTest, ABoundaryUnderLoadLosesNothingAndEveryAnswerIsOneBundles) {
  // Two seconds before the eighth bundle's inception (2017-09-09), two workers.
  auto server = Start("boundary-load", {"--skr", Skr(kQ3), "--clock", "2017-09-08T23:59:58Z", "--threads", "2"});
  const std::string dir = MakeTempDir("boundary-load-queries");
  WriteFileText(dir + "/queries", ". DNSKEY\n. SOA\nno-such-tld-xyz A\n");
  std::string dnsperf_output;
  std::thread load([&] {
    dnsperf_output = RunCommand("dnsperf -s 127.0.0.1 -p " + std::to_string(server->port()) + " -d " + dir +
                                "/queries -D -l 4 -c 4 -Q 4000 -t 3").output;
  });
  const std::vector<uint8_t> before = DnskeyWithDo(server->port());
  ASSERT_GT(before.size(), 1000u);
  std::vector<std::vector<uint8_t>> answers;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (std::chrono::steady_clock::now() < deadline) answers.push_back(DnskeyWithDo(server->port()));
  load.join();
  const std::vector<uint8_t> after = DnskeyWithDo(server->port());
  ASSERT_NE(after, before);  // the eighth bundle's RRSIG
  size_t old_bundle = 0, new_bundle = 0;
  for (const std::vector<uint8_t>& answer : answers) {
    if (answer == before) ++old_bundle;
    if (answer == after) ++new_bundle;
  }
  EXPECT_EQ(old_bundle + new_bundle, answers.size()) << "answers that are neither bundle's, or lost";
  EXPECT_GT(old_bundle, 0u);
  EXPECT_GT(new_bundle, 0u);
  EXPECT_THAT(dnsperf_output, HasSubstr("Queries lost:         0 ")) << dnsperf_output;
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr(std::string("bundle        ") + kLaterBundle));
}

// Pinning serves a bundle whatever the clock says, if the zone takes it: at 2017-08-25 the fifth
// bundle (2017-08-10 to 08-31) is still valid, the eighth (from 09-09) not yet.
TEST_F(RootdBundleTest, PinAndUnpin) {
  auto server = Start("pin", {"--skr", Skr(kQ3), "--clock", "2017-08-25T00:00:00Z"});
  const std::string list = Ctl(*server, "bundle list");
  auto id_of = [&list](const std::string& prefix) {
    const size_t at = list.find(prefix);
    return at == std::string::npos ? prefix : list.substr(at, list.find(' ', at) - at);
  };
  const std::string fifth = id_of("c92f52db");
  ASSERT_EQ(fifth.size(), 36u) << list;
  int status = -1;
  Ctl(*server, "bundle pin " + fifth, &status);
  EXPECT_EQ(status, 0);
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr(fifth + " (pinned)"));
  EXPECT_THAT(Ctl(*server, "bundle pin " + id_of(kLaterBundle), &status), HasSubstr("valid at 2017-08-25"));
  EXPECT_EQ(status, 1);
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr(fifth + " (pinned)"));  // the refused pin changed nothing
  Ctl(*server, "bundle pin no-such-bundle", &status);
  EXPECT_EQ(status, 1);
  Ctl(*server, "bundle unpin", &status);
  EXPECT_EQ(status, 0);
  EXPECT_THAT(Ctl(*server, "status"), HasSubstr(std::string("bundle        ") + kSixthBundle));
}

// A bundle whose keys lack the zone's ZSK is refused: the previous DNSKEY RRset keeps serving
// and status says why. The 2017 Q1 SKR carries other ZSKs than the zone of 2017-08-21.
TEST_F(RootdBundleTest, ABundleWithoutTheZonesZskIsRefusedAndTheOldKeysServe) {
  auto zone_only = Start("zone-only-2", {});
  auto server = Start("refused", {"--skr", Skr("skr-root-2017-q1-0.xml"), "--clock", "2017-02-01T00:00:00Z"});
  EXPECT_EQ(DnskeyWithDo(server->port()), DnskeyWithDo(zone_only->port()));
  const std::string status = Ctl(*server, "status");
  EXPECT_THAT(status, HasSubstr("refused       bundle "));
  EXPECT_THAT(status, HasSubstr("lacks key 15768"));
  const std::string stats = Ctl(*server, "stats");
  EXPECT_THAT(stats, HasSubstr("bundle refusals    1\n"));
  EXPECT_THAT(stats, HasSubstr("bundle refused     bundle "));
  EXPECT_THAT(stats, HasSubstr("lacks key 15768"));
  EXPECT_THAT(Ctl(*server, "--json stats"), HasSubstr("\"bundle_refusals\":1,"));
}

}  // namespace
}  // namespace rootd::testing
