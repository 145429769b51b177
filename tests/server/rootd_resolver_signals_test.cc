// Real resolvers' RFC 8145 signals reach rootd's report: Unbound (trust-anchor-signaling) and
// BIND (trust-anchor-telemetry, `-T tat=1`) validate against a lab root served by rootd on
// port 53 of a loopback address of its own, each sending from an address of its own.
#include <chrono>
#include <memory>
#include <regex>
#include <thread>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/server/lab_resolvers.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;

// The root's address for the resolvers (root hints take no port: 53 it is).
constexpr char kRootAddress[] = "127.0.53.1";
constexpr char kBindSource[] = "127.0.53.2";
constexpr char kUnboundSource[] = "127.0.53.3";

TEST(RootdResolverSignalsTest, UnboundAndBindAreSeenWithTheirKeyTags) {
  const std::string dir = MakeTempDir("resolver-signals");
  // A lab as rootlab makes it: its root servers' glue is rootd's address, so priming stays in
  // the lab.
  const std::string lab = dir + "/lab";
  const CommandResult init = RunCommand(Cat("timeout 60 ", BinaryDir(), "/tools/rootlab init ", lab,
                                            " --tlds 20 --server-address ", kRootAddress));
  ASSERT_EQ(init.exit_code, 0) << init.output;
  std::smatch ds;  // ". 86400 IN DS <tag> <alg> <digest type> <digest>"
  const std::string root_ds = ReadFileText(lab + "/root.ds");
  ASSERT_TRUE(std::regex_search(root_ds, ds, std::regex("DS\\s+(\\d+)")));
  const std::string ksk_tag = ds[1];

  const uint16_t port = FreePort();
  RootdProcess root(dir,
                    {"--zone", lab + "/root.zone", "--trust-anchor", lab + "/root.ds", "--listen", "127.0.0.1",
                     "--listen", std::string(kRootAddress) + "@53", "--threads", "1"},
                    port);
  ASSERT_TRUE(root.WaitReady()) << root.Log();

  // Static trust anchors: BIND sends a key-tag query every second (-T tat=1), Unbound once it
  // has primed its anchor.
  std::vector<std::unique_ptr<LabResolver>> resolvers;
  for (auto [kind, source, anchor] : {std::tuple{ResolverKind::kBind, kBindSource, "bind-trust-anchors.conf"},
                                      {ResolverKind::kUnbound, kUnboundSource, "unbound-root.key"}}) {
    LabResolverOptions options{.kind = kind, .dir = Cat(dir, "/", source), .source_address = source,
                               .root_address = kRootAddress, .anchor_file = Cat(lab, "/anchors/", anchor),
                               .managed = false};
    absl::StatusOr<std::unique_ptr<LabResolver>> resolver = LabResolver::Start(options);
    if (absl::IsFailedPrecondition(resolver.status())) GTEST_SKIP() << resolver.status();
    ASSERT_TRUE(resolver.ok()) << resolver.status();
    resolvers.push_back(*std::move(resolver));
  }
  for (const std::unique_ptr<LabResolver>& resolver : resolvers) {
    std::string answer;
    for (int i = 0; i < 20 && answer.find(" ad;") == std::string::npos; ++i) {  // at most ~40 s
      answer = resolver->Dig("+dnssec . SOA");
      if (answer.find(" ad;") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    EXPECT_THAT(answer, HasSubstr(" ad;")) << resolver->name() << ":\n" << answer << resolver->LogTail();
  }

  // Both resolvers trust the lab KSK alone: one set, two sources, shares all old-only when the
  // lab KSK is named the old one.
  const std::string report_command = Rootctl() + " --socket " + root.control_socket() + " ta-report " + ksk_tag + " 1";
  const std::regex set_line("\\n +2 +[0-9]+ +[0-9a-f]{8}  " + ksk_tag + "\\n");
  std::string report;
  for (int i = 0; i < 50 && !std::regex_search(report, set_line); ++i) {  // at most ~10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    report = RunCommand(report_command).output;
  }
  EXPECT_TRUE(std::regex_search(report, set_line)) << report;
  EXPECT_THAT(report, HasSubstr("  _ta query\n"));
  EXPECT_THAT(report, HasSubstr("2 sources: old only 100.0%, new only 0.0%, both 0.0%, neither 0.0%\n"));
}

}  // namespace
}  // namespace rootd::testing
