// The DPDK dataplane live, with real clients: rootd's port is a kernel-interface PMD
// (net_af_packet, net_af_xdp) on one end of a veth pair whose other end is in a network
// namespace made here, its exception port a TAP. From the namespace, dig and kdig get UDP
// answers from the dataplane, ARP and ND resolve the server to the port's MAC and ping is
// answered, both by the kernel through the TAP, dig +tcp reaches rootd's TCP service through
// the TAP, an answer over the client's EDNS size comes back TC and dig's retry over TCP gets
// it whole, and dnsperf at a modest fixed rate loses nothing; every query and echo is answered
// once (af_packet leaves the kernel a copy of each frame: see KeepKernelIpOffHost). Then the
// checksum offloads, on a TAP port whose kernel side is the client's interface.
// Needs root, iproute2, ethtool, dig, kdig, dnsperf and ping; skipped otherwise. Every command
// is bounded in time, and the namespace (and with it the veth pair) is deleted whatever happens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"

namespace rootd::dataplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using rootd::testing::RunCommand;

// TEST-NET-3 (RFC 5737) and a documentation prefix: TEST-NET-1 may be the machine's own.
constexpr char kServer4[] = "203.0.113.53";
constexpr char kClient4[] = "203.0.113.1";
constexpr char kServer6[] = "2001:db8:53::53";
constexpr char kClient6[] = "2001:db8:53::1";

std::string Zones() { return rootd::testing::SharedDataDir() + "/zones"; }

bool Have(const std::string& tool) { return RunCommand("command -v " + tool + " >/dev/null").exit_code == 0; }

// A network namespace for the clients, deleted (with the interfaces moved into it) whatever
// happens. Interface names carry the test's pid: concurrent runs do not collide.
class ClientNamespace {
 public:
  ClientNamespace() {
    const std::string id = std::to_string(getpid() % 100000);
    name_ = "rootd-dp" + id;
    host_ = "rdph" + id;
    client_ = "rdpc" + id;
    tap_ = "rdpt" + id;
    ok_ = Run("ip netns add " + name_) && In("ip link set lo up");
  }
  ~ClientNamespace() {
    RunCommand("ip netns del " + name_ + " 2>/dev/null");
    RunCommand("ip link del " + host_ + " 2>/dev/null");
  }
  // A veth pair: host() stays here for rootd, client() goes into the namespace with the
  // client addresses.
  bool AddVeth() {
    return Run("ip link add " + host_ + " type veth peer name " + client_) &&
           Run("ip link set " + client_ + " netns " + name_) && Run("ip link set " + host_ + " up") &&
           AddClientAddresses(client_) &&
           // Or the client's UDP checksums arrive unfinished (veth offload) and are dropped as bad.
           In("ethtool -K " + client_ + " tx off");
  }
  // af_packet copies the frames it reads and the kernel still gets them: its IP must stay off
  // host(), or it takes each query to the server's address (the TAP's, so its own) as well and
  // answers it through rootd's wildcard socket, a second answer (ping a second reply). Strict
  // reverse-path filtering drops IPv4 there (the client is routed through the TAP; the stricter
  // of this and `all` applies), IPv6 is off there, and ARP is answered only through the TAP.
  bool KeepKernelIpOffHost() const {
    return Run("sysctl -qw net.ipv4.conf." + host_ + ".rp_filter=1 net.ipv4.conf." + host_ +
               ".arp_ignore=1 net.ipv6.conf." + host_ + ".disable_ipv6=1");
  }
  // Moves `interface` (rootd's TAP port) into the namespace as the client's interface, with a
  // MAC of its own (a TAP's kernel side starts with the port's).
  bool TakeInterface(const std::string& interface) {
    return Run("ip link set " + interface + " netns " + name_) &&
           In("ip link set " + interface + " address 02:00:00:00:00:07") && AddClientAddresses(interface);
  }
  bool ok() const { return ok_; }
  const std::string& host() const { return host_; }
  const std::string& client() const { return client_; }
  const std::string& tap() const { return tap_; }
  // Runs `command` in the namespace; its output.
  std::string Exec(const std::string& command) const {
    return RunCommand("ip netns exec " + name_ + " " + command).output;
  }
  bool In(const std::string& command) const { return Run("ip netns exec " + name_ + " " + command); }

  static bool Run(const std::string& command) {
    const rootd::testing::CommandResult r = RunCommand(command);
    if (r.exit_code != 0) ADD_FAILURE() << command << ": " << r.output;
    return r.exit_code == 0;
  }

 private:
  bool AddClientAddresses(const std::string& interface) const {
    return In("ip addr add " + std::string(kClient4) + "/24 dev " + interface) &&
           In("ip -6 addr add " + std::string(kClient6) + "/64 dev " + interface + " nodad") &&
           In("ip link set " + interface + " up");
  }
  std::string name_, host_, client_, tap_;
  bool ok_ = false;
};

// The kernel's side of the exception path: the TAP, which rootd made with the port's MAC,
// gets the addresses, so that the kernel answers ARP, ND and ping, and TCP reaches rootd.
bool ConfigureExceptionTap(const std::string& tap) {
  return ClientNamespace::Run("ip addr add " + std::string(kServer4) + "/24 dev " + tap) &&
         ClientNamespace::Run("ip -6 addr add " + std::string(kServer6) + "/64 dev " + tap + " nodad") &&
         ClientNamespace::Run("ip link set " + tap + " up");
}

std::string SkipReason() {
  if (geteuid() != 0) return "needs root (network namespaces, af_packet, TAP)";
  for (const char* tool : {"ip", "ethtool", "dig", "kdig", "dnsperf", "ping"}) {
    if (!Have(tool)) return std::string("needs ") + tool;
  }
  if (!std::filesystem::exists(Zones() + "/root.zone")) return "no shared data (the real root zone)";
  return "";
}

std::vector<std::string> RootdArgs(const std::string& eal, const std::string& port, const std::string& exception) {
  return {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds", "--at",
          "2017-08-25T00:00:00Z", "--threads", "1", "--listen", "0.0.0.0", "--listen", "::", "--dpdk",
          "--no-huge -m 256 --no-pci --no-shconf --no-telemetry" + eal, "--dpdk-port", port, "--dpdk-exception",
          exception, "--dpdk-address", kServer4, "--dpdk-address", kServer6};
}

const char kSoa[] = "a.root-servers.net. nstld.verisign-grs.com. 2017082100";

// The poll-mode drivers that put a kernel interface under DPDK: each test runs on both.
std::string PmdName(const ::testing::TestParamInfo<std::string>& info) { return info.param.substr(4); }

class DpdkVethTest : public ::testing::TestWithParam<std::string> {};

// A count rootd's or dnsperf's text output gives after `label` (spaces, then digits); -1 if absent.
int64_t CountAfter(const std::string& text, const std::string& label) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(label + " +([0-9]+)"))) return -1;
  return std::stoll(match[1]);
}

TEST_P(DpdkVethTest, DigKdigArpPingTcpRetryAndDnsperfFromANamespace) {
  if (const std::string skip = SkipReason(); !skip.empty()) GTEST_SKIP() << skip;
  ClientNamespace ns;
  ASSERT_TRUE(ns.ok() && ns.AddVeth());
  // af_xdp takes the frames (its XDP program redirects them all): the kernel never sees them.
  if (GetParam() == "net_af_packet") {
    ASSERT_TRUE(ns.KeepKernelIpOffHost());
  }

  const std::string dir = rootd::testing::MakeTempDir("dpdk_veth");
  const std::string device = GetParam() + "0";
  const uint16_t port = rootd::testing::FreePort();
  rootd::testing::RootdProcess rootd(
      dir, RootdArgs(" --vdev " + device + ",iface=" + ns.host(), device, "net_tap0,iface=" + ns.tap()), port);
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  ASSERT_TRUE(ConfigureExceptionTap(ns.tap()));
  EXPECT_THAT(rootd.Ctl("status").output, HasSubstr(device + " (" + GetParam() + ")"));
  const std::string mac_line = RunCommand("cat /sys/class/net/" + ns.host() + "/address").output;
  EXPECT_EQ(RunCommand("cat /sys/class/net/" + ns.tap() + "/address").output, mac_line);
  const std::string mac = mac_line.substr(0, mac_line.find('\n'));

  const std::string dig = "dig -p " + std::to_string(port) + " +tries=2 +time=2 ";
  const std::string kdig = "kdig -p " + std::to_string(port) + " +retry=0 +timeout=3 ";
  const std::string soa = kSoa;
  EXPECT_THAT(ns.Exec(dig + "@" + kServer4 + " . SOA +short"), HasSubstr(soa));
  EXPECT_THAT(ns.Exec(kdig + "@" + kServer6 + " . SOA +short"), HasSubstr(soa));
  // The queries went out, so ARP and ND found the server: at the port's MAC, answered by the
  // kernel behind the TAP (which has that MAC), not a static entry.
  EXPECT_THAT(ns.Exec("ip neigh show " + std::string(kServer4) + " dev " + ns.client()),
              HasSubstr("lladdr " + mac));
  EXPECT_THAT(ns.Exec("ip -6 neigh show " + std::string(kServer6) + " dev " + ns.client()),
              HasSubstr("lladdr " + mac));
  // Each echo answered once: by the kernel behind the TAP, not also by the kernel on the port.
  for (const std::string& ping : {"ping -c 2 -W 2 " + std::string(kServer4), "ping -6 -c 2 -W 2 " + std::string(kServer6)}) {
    const std::string replies = ns.Exec(ping);
    EXPECT_THAT(replies, HasSubstr("2 received"));
    EXPECT_THAT(replies, Not(HasSubstr("duplicates")));
  }
  EXPECT_THAT(ns.Exec(dig + "+tcp @" + kServer4 + " . SOA +short"), HasSubstr(soa));
  // The real zone's DNSKEY answer with DO is 1,167 octets: over the client's 1,024, TC.
  const std::string dnskey = ns.Exec(dig + "@" + kServer4 + " . DNSKEY +dnssec +bufsize=1024");
  EXPECT_THAT(dnskey, HasSubstr("Truncated, retrying in TCP mode."));
  EXPECT_THAT(dnskey, HasSubstr("ANSWER: 4,"));  // three keys and their signature, whole
  const std::string stats = rootd.Ctl("stats").output;
  EXPECT_THAT(stats, HasSubstr("  dns_query        3\n"));

  // dnsperf at a fixed rate far below what even the sanitizer build answers, for a bounded
  // time: every query answered, and every one by the dataplane.
  const std::string queries = dir + "/queries.txt";
  RunCommand("printf '. SOA\\n. NS\\n. DNSKEY\\ncom. NS\\nwww.example.com. A\\nnonexistent-tld. AAAA\\n' > " + queries);
  const std::string perf = ns.Exec("dnsperf -s " + std::string(kServer4) + " -p " + std::to_string(port) + " -d " +
                                   queries + " -D -l 2 -Q 1000 -c 2 -t 2");
  const int64_t sent = CountAfter(perf, "Queries sent:");
  EXPECT_GT(sent, 1000) << perf;
  EXPECT_EQ(CountAfter(perf, "Queries completed:"), sent) << perf;
  EXPECT_EQ(CountAfter(perf, "Queries lost:"), 0) << perf;
  // One answer a query: dnsperf warns of any other ("a response with an unexpected ... id").
  EXPECT_EQ(perf.find("unexpected"), std::string::npos) << "a query answered more than once";
  EXPECT_EQ(CountAfter(rootd.Ctl("stats").output, "dns_query"), 3 + sent);
  EXPECT_EQ(rootd.Stop(), 0) << rootd.Log();
}

INSTANTIATE_TEST_SUITE_P(KernelInterfacePmds, DpdkVethTest, ::testing::Values("net_af_packet", "net_af_xdp"),
                         PmdName);

// The checksum offloads, on a port that offers them: a TAP (whose PMD does in software what a
// NIC does) as the port, its kernel side moved into the namespace as the client's interface.
// The queries arrive with their checksums checked by the port (RX offload flags), the replies
// leave with the pseudo-header sum for the port to finish (TX offload); the client's kernel
// accepts them only if the port finished them right.
TEST(DpdkTapTest, ChecksumOffloadsOnATapPort) {
  if (const std::string skip = SkipReason(); !skip.empty()) GTEST_SKIP() << skip;
  ClientNamespace ns;
  ASSERT_TRUE(ns.ok());
  const std::string client_tap = ns.tap() + "c", exception_tap = ns.tap();
  const uint16_t port = rootd::testing::FreePort();
  rootd::testing::RootdProcess rootd(
      rootd::testing::MakeTempDir("dpdk_tap"),
      RootdArgs("", "net_tap0,iface=" + client_tap, "net_tap1,iface=" + exception_tap), port);
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  ASSERT_TRUE(ns.TakeInterface(client_tap));
  ASSERT_TRUE(ConfigureExceptionTap(exception_tap));

  const std::string status = RunCommand(rootd::testing::BinaryDir() + "/tools/rootctl --socket " +
                                        rootd.control_socket() + " status").output;
  EXPECT_THAT(status, HasSubstr("checksum offloads: rx-ip rx-udp tx-ip tx-udp, port"));
  const std::string dig = "dig -p " + std::to_string(port) + " +tries=2 +time=2 ";
  EXPECT_THAT(ns.Exec(dig + "@" + kServer4 + " . SOA +short"), HasSubstr(kSoa));
  EXPECT_THAT(ns.Exec(dig + "@" + kServer6 + " . SOA +short"), HasSubstr(kSoa));
  EXPECT_THAT(ns.Exec("ping -c 1 -W 2 " + std::string(kServer4)), HasSubstr("1 received"));
  const std::string stats = RunCommand(rootd::testing::BinaryDir() + "/tools/rootctl --socket " +
                                       rootd.control_socket() + " stats").output;
  EXPECT_THAT(stats, HasSubstr("  dns_query        2\n"));
  EXPECT_THAT(stats, HasSubstr("  bad_udp_checksum 0\n"));
  EXPECT_EQ(rootd.Stop(), 0) << rootd.Log();
}

}  // namespace
}  // namespace rootd::dataplane::testing
