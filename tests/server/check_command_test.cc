// `rootd check` as users run it: the built binary on real and broken zone files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/run_command.h"
#include "tests/test_paths.h"
#include "zone/lab_zone.h"

namespace rootd::server {
namespace {

using ::testing::HasSubstr;

rootd::testing::CommandResult RootdCheck(const std::string& args) {
  return rootd::testing::RunCommand(rootd::testing::BinaryDir() + "/server/rootd check " + args);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kZones = rootd::testing::SharedDataDir() + "/zones";
const std::string kAt = " --at 2017-08-25T00:00:00Z";

TEST(RootdCheck, AcceptsTheRealRootZone) {
  const rootd::testing::CommandResult run = RootdCheck(kZones + "/root.zone --trust-anchor " + kZones + "/root.zone.ds" + kAt);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("serial 2017082100, 1547 TLDs, 22772 records"));
  EXPECT_THAT(run.output, HasSubstr("2950/2950 signatures verified"));
  EXPECT_THAT(run.output, HasSubstr("key 19036 alg 8 2048 bits flags 257 KSK anchored signs DNSKEY"));
  EXPECT_THAT(run.output, HasSubstr("key 20326 alg 8 2048 bits flags 257 KSK signs nothing"));
  EXPECT_THAT(run.output, HasSubstr("earliest signature expiration: 2017-09-03T05:00:00Z"));
}

TEST(RootdCheck, JsonReport) {
  const rootd::testing::CommandResult run = RootdCheck(kZones + "/root.zone --json --trust-anchor " + kZones + "/root.zone.ksk" + kAt);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr(R"("ok":true,"serial":2017082100,"tlds":1547,"records":22772)"));
  EXPECT_THAT(run.output, HasSubstr(R"({"tag":19036,"algorithm":8,"bits":2048,"flags":257,"role":"KSK")"));
}

TEST(RootdCheck, AcceptsTheLabZone) {
  zone::LabZoneOptions options;
  options.tld_count = 300;
  const zone::LabZone lab = zone::GenerateLabZone(options).value();
  const std::string zone_path = WriteTemp("lab.zone", lab.text);
  const std::string anchor = WriteTemp("lab.ds", lab.trust_anchor_ds);
  const rootd::testing::CommandResult run = RootdCheck(zone_path + " --trust-anchor " + anchor + " --at 2026-11-24T00:00:00Z");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("ZONEMD: verified (SHA-384)"));
}

TEST(RootdCheck, RefusesBrokenZonesNamingRecordAndReason) {
  const std::string real = Slurp(kZones + "/root.zone");
  struct Case {
    const char* what;
    std::string text;
    std::string expected;
  };
  auto replace_first = [&](const std::string& from, const std::string& to) {
    std::string t = real;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  const std::vector<Case> cases = {
      {"syntax error", replace_first("\nnet.\t\t\t172800\tIN\tNS", "\nnet.\t\t\t17x2800\tIN\tNS"), "bad TTL"},
      {"not a root zone", "example. 3600 IN SOA ns. host. 1 2 3 4 5\n", "not a root zone"},
      {"removed NSEC", replace_first("\naaa.\t\t\t86400\tIN\tNSEC", "\n;aaa.\t\t\t86400\tIN\tNSEC"), "NSEC"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const rootd::testing::CommandResult run = RootdCheck(WriteTemp("broken.zone", c.text) + " --trust-anchor " + kZones + "/root.zone.ds" + kAt);
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_THAT(run.output, HasSubstr(c.expected)) << run.output;
    EXPECT_THAT(run.output, HasSubstr("broken.zone")) << run.output;
  }
  // Expired: the same zone checked after its signatures ran out.
  const rootd::testing::CommandResult expired = RootdCheck(kZones + "/root.zone --trust-anchor " + kZones + "/root.zone.ds --at 2017-09-10T00:00:00Z");
  EXPECT_EQ(expired.exit_code, 1);
  EXPECT_THAT(expired.output, HasSubstr("signature expired at 2017-09-03T05:00:00Z"));
}

}  // namespace
}  // namespace rootd::server
