// Real resolvers' RFC 8145 signals reach rootd's report: Unbound (trust-anchor-signaling) and
// BIND (trust-anchor-telemetry, `-T tat=1`) validate against a lab root served by rootd on
// port 53 of a loopback address of its own, each sending from an address of its own.
#include <chrono>
#include <regex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/lab_zone.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;

// The root's address for the resolvers (BIND's static-stub takes no port: 53 it is).
constexpr char kRootAddress[] = "127.0.53.1";
constexpr char kBindSource[] = "127.0.53.2";
constexpr char kUnboundSource[] = "127.0.53.3";

// A resolver in the foreground of a shell job, its life bounded by `timeout`; killed by the
// destructor.
class Resolver {
 public:
  Resolver(const std::string& dir, const std::string& name, const std::string& command)
      : pid_file_(dir + "/" + name + ".pid") {
    RunCommand("cd " + dir + " && (timeout 120 " + command + " > " + name + ".log 2>&1 & echo $! > " + pid_file_ + ")");
  }
  ~Resolver() { RunCommand("kill $(cat " + pid_file_ + ") 2>/dev/null"); }

 private:
  std::string pid_file_;
};

std::string Dig(uint16_t port, const std::string& query) {
  return RunCommand("dig @127.0.0.1 -p " + std::to_string(port) + " +tries=2 +time=3 " + query).output;
}

TEST(RootdResolverSignalsTest, UnboundAndBindAreSeenWithTheirKeyTags) {
  const std::string dir = MakeTempDir("resolver-signals");
  zone::LabZoneOptions options;
  options.tld_count = 20;
  options.now = absl::Now();
  absl::StatusOr<zone::LabZone> lab = zone::GenerateLabZone(options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  WriteFileText(dir + "/lab.zone", lab->text);
  WriteFileText(dir + "/lab.ds", lab->trust_anchor_ds);
  std::smatch ds;  // ". 86400 IN DS <tag> <alg> <digest type> <digest>"
  ASSERT_TRUE(std::regex_search(lab->trust_anchor_ds, ds, std::regex("DS\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([0-9A-Fa-f]+)")));
  const std::string ksk_tag = ds[1];

  const uint16_t port = FreePort();
  RootdProcess root(dir,
                    {"--zone", dir + "/lab.zone", "--trust-anchor", dir + "/lab.ds", "--listen", "127.0.0.1",
                     "--listen", std::string(kRootAddress) + "@53", "--threads", "1"},
                    port);
  ASSERT_TRUE(root.WaitReady()) << root.Log();

  const uint16_t bind_port = FreePort(), unbound_port = FreePort();
  WriteFileText(dir + "/named.conf",
                "options {\n  directory \"" + dir + "\";\n  pid-file \"" + dir + "/named.pid\";\n  listen-on port " +
                    std::to_string(bind_port) + " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  query-source address " +
                    kBindSource + ";\n  recursion yes;\n  dnssec-validation yes;\n  trust-anchor-telemetry yes;\n};\n"
                    "trust-anchors { . static-ds " + std::string(ds[1]) + " " + std::string(ds[2]) + " " +
                    std::string(ds[3]) + " \"" + std::string(ds[4]) + "\"; };\n"
                    "zone \".\" { type static-stub; server-addresses { " + kRootAddress + "; }; };\n");
  WriteFileText(dir + "/unbound.conf",
                "server:\n  interface: 127.0.0.1@" + std::to_string(unbound_port) + "\n  port: " +
                    std::to_string(unbound_port) + "\n  outgoing-interface: " + kUnboundSource +
                    "\n  do-not-query-localhost: no\n  do-ip6: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"" + dir +
                    "\"\n  pidfile: \"" + dir + "/unbound.pid\"\n  use-syslog: no\n  trust-anchor-signaling: yes\n"
                    "  trust-anchor-file: \"" + dir + "/lab.ds\"\n  module-config: \"validator iterator\"\n"
                    "stub-zone:\n  name: \".\"\n  stub-addr: " + kRootAddress + "\n  stub-prime: no\n"
                    "remote-control:\n  control-enable: no\n");
  // BIND sends a key-tag query every second (-T tat=1); Unbound once it has primed its anchor.
  Resolver bind(dir, "named", "named -g -u root -c " + dir + "/named.conf -T tat=1");
  Resolver unbound(dir, "unbound", "unbound -d -c " + dir + "/unbound.conf");

  std::string bind_answer, unbound_answer;
  for (int i = 0; i < 20 && (bind_answer.find(" ad;") == std::string::npos ||
                             unbound_answer.find(" ad;") == std::string::npos); ++i) {  // at most ~40 s
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    bind_answer = Dig(bind_port, "+dnssec . SOA");
    unbound_answer = Dig(unbound_port, "+dnssec . SOA");
  }
  EXPECT_THAT(bind_answer, HasSubstr(" ad;")) << bind_answer << ReadFileText(dir + "/named.log");
  EXPECT_THAT(unbound_answer, HasSubstr(" ad;")) << unbound_answer << ReadFileText(dir + "/unbound.log");

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
