#include "server/config.h"

#include <netinet/in.h>

#include "gtest/gtest.h"

namespace rootd::server {
namespace {

TEST(ParseSocketAddressTest, AcceptsEveryDocumentedForm) {
  struct Case {
    const char* text;
    int family;
    uint16_t port;
    bool explicit_port;
  } cases[] = {
      {"192.0.2.1", AF_INET, 53, false},         {"192.0.2.1@5353", AF_INET, 5353, true},
      {"192.0.2.1:5300", AF_INET, 5300, true},   {"2001:db8::1", AF_INET6, 53, false},
      {"2001:db8::1@54", AF_INET6, 54, true},    {"[2001:db8::1]", AF_INET6, 53, false},
      {"[2001:db8::1]:55", AF_INET6, 55, true},  {"::1", AF_INET6, 53, false},
  };
  for (const Case& c : cases) {
    bool explicit_port = false;
    absl::StatusOr<SocketAddress> address = ParseSocketAddress(c.text, 53, &explicit_port);
    ASSERT_TRUE(address.ok()) << c.text << ": " << address.status();
    EXPECT_EQ(address->family(), c.family) << c.text;
    EXPECT_EQ(address->port(), c.port) << c.text;
    EXPECT_EQ(explicit_port, c.explicit_port) << c.text;
  }
  EXPECT_EQ(ParseSocketAddress("[::1]:53", 0)->ToString(), "[::1]:53");
  EXPECT_EQ(ParseSocketAddress("127.0.0.1@53", 0)->ToString(), "127.0.0.1@53");
}

TEST(ParseSocketAddressTest, RejectsBadInput) {
  for (const char* bad : {"", "example.com", "192.0.2.1@70000", "192.0.2.1@x", "[::1", "[::1]x", "1.2.3.4.5"}) {
    EXPECT_FALSE(ParseSocketAddress(bad, 53).ok()) << bad;
  }
}

TEST(ConfigTest, ParsesEveryKeyWithCommentsAndQuotes) {
  ServerConfig config;
  absl::Status s = ParseConfigText(R"(# comment
zone /z/root.zone   # trailing comment
trust_anchor /z/root.ds
verify_at 2017-08-25T00:00:00Z
listen 192.0.2.1
listen [2001:db8::1]:8053

port 5300
workers 3
tcp_workers 1
max_udp_payload 1400
nsid lab1
identity "host # one"
version "rootd 1.0"
control_socket /run/rootd.ctl
log_level debug
state_dir /var/lib/rootd
tcp_idle_timeout 2500
tcp_max_connections 100
)",
                                   "t.conf", &config);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(config.zone, "/z/root.zone");
  EXPECT_EQ(config.trust_anchor, "/z/root.ds");
  EXPECT_EQ(config.verify_at, absl::FromUnixSeconds(1503619200));
  ASSERT_EQ(config.listen.size(), 2u);
  std::vector<SocketAddress> addresses = config.ListenAddresses();
  EXPECT_EQ(addresses[0].ToString(), "192.0.2.1@5300");  // the port line applies, whatever its place
  EXPECT_EQ(addresses[1].ToString(), "[2001:db8::1]:8053");
  EXPECT_EQ(config.EffectiveWorkers(), 3);
  EXPECT_EQ(config.EffectiveTcpWorkers(), 1);
  EXPECT_EQ(config.max_udp_payload, 1400);
  EXPECT_EQ(config.nsid, "lab1");
  EXPECT_EQ(config.identity, "host # one");
  EXPECT_EQ(config.version, "rootd 1.0");
  EXPECT_EQ(config.ControlSocketPath(), "/run/rootd.ctl");
  EXPECT_EQ(config.log_level, LogLevel::kDebug);
  EXPECT_EQ(config.state_dir, "/var/lib/rootd");
  EXPECT_EQ(config.tcp_idle_timeout_ms, 2500);
  EXPECT_EQ(config.tcp_max_connections, 100);
}

TEST(ConfigTest, DefaultsServeLoopbackOnPort5353) {
  ServerConfig config;
  std::vector<SocketAddress> addresses = config.ListenAddresses();
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].ToString(), "127.0.0.1@5353");
  EXPECT_EQ(addresses[1].ToString(), "[::1]:5353");
  EXPECT_EQ(config.ControlSocketPath(), ".state/rootd.ctl");
  EXPECT_GE(config.EffectiveWorkers(), 1);
}

TEST(ConfigTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"zone a\nbogus 1\n", "t.conf:2: unknown setting 'bogus'"},
      {"\n\nport 0\n", "t.conf:3: port: expected an integer"},
      {"listen 300.1.1.1\n", "t.conf:1: listen: bad IP address"},
      {"workers\n", "t.conf:1: setting 'workers' has no value"},
      {"identity \"open\n", "t.conf:1: unterminated quoted value"},
      {"log_level loud\n", "t.conf:1: log_level: unknown log level"},
      {"verify_at yesterday\n", "t.conf:1: verify_at: expected an RFC 3339 time"},
      {"dpdk_address 192.0.2.300\n", "t.conf:1: dpdk_address: expected an IPv4 or IPv6 address, got '192.0.2.300'"},
      {"dpdk_address 192.0.2.1@53\n", "t.conf:1: dpdk_address: expected an IPv4 or IPv6 address"},
      {"dpdk_queues 0\n", "t.conf:1: dpdk_queues: expected an integer in [1, 64], got '0'"},
      {"dpdk_mtu 500\n", "t.conf:1: dpdk_mtu: 0 or at least 576, got 500"},
  };
  for (const Case& c : cases) {
    ServerConfig config;
    absl::Status s = ParseConfigText(c.text, "t.conf", &config);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(std::string(s.message()).find(c.expected), std::string::npos) << s.message();
  }
  ServerConfig config;
  EXPECT_TRUE(ParseConfigText("nsid " + std::string(128, 'x') + "\n", "t.conf", &config).ok());
  const absl::Status s = ParseConfigText("nsid " + std::string(129, 'x') + "\n", "t.conf", &config);
  EXPECT_EQ(s.message(), "t.conf:1: nsid: longer than 128 octets");
}

TEST(ConfigTest, FlagsOverrideTheFileAndListenFlagsReplaceItsList) {
  std::string path = ::testing::TempDir() + "/rootd_config_test.conf";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("zone /file.zone\nlisten 192.0.2.1\nlisten 192.0.2.2\nworkers 4\n", f);
  std::fclose(f);
  std::string config_flag = "--config=" + path;
  const char* argv[] = {"rootd", "--zone", "/flag.zone", "--listen", "[::1]", config_flag.c_str(),
                        "--threads", "2", "--port", "9953", "--trust-anchor=/ta", "--at", "2017-08-25T00:00:00Z",
                        "--no-verify"};
  ServerConfig config;
  absl::Status s = ParseCommandLine(std::size(argv), const_cast<char**>(argv), 1, &config);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(config.zone, "/flag.zone");
  EXPECT_EQ(config.workers, 2);
  EXPECT_EQ(config.trust_anchor, "/ta");
  EXPECT_FALSE(config.verify);
  ASSERT_EQ(config.ListenAddresses().size(), 1u);
  EXPECT_EQ(config.ListenAddresses()[0].ToString(), "[::1]:9953");
}

TEST(ConfigTest, DataplaneSettingsFromFileAndFlags) {
  ServerConfig config;
  absl::Status s = ParseConfigText(
      "dpdk_eal \"-l 0-2 --in-memory\"\ndpdk_port 0000:01:00.0\ndpdk_address 192.0.2.53\n"
      "dpdk_address 2001:db8::53\ndpdk_queues 2\ndpdk_exception net_tap1,iface=dns0\ndpdk_mtu 9000\n",
      "t.conf", &config);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(ValidateConfig(config).ok());
  EXPECT_EQ(config.dpdk_eal, "-l 0-2 --in-memory");
  EXPECT_EQ(config.dpdk_port, "0000:01:00.0");
  EXPECT_EQ(config.dpdk_addresses, (std::vector<std::string>{"192.0.2.53", "2001:db8::53"}));
  EXPECT_EQ(config.dpdk_queues, 2);
  EXPECT_EQ(config.dpdk_exception, "net_tap1,iface=dns0");
  EXPECT_EQ(config.dpdk_mtu, 9000);

  // --dpdk is dpdk_eal; --dpdk-address flags replace the file's list.
  const char* argv[] = {"rootd", "--dpdk", "--no-huge -m 256", "--dpdk-port", "net_pcap0", "--dpdk-address",
                        "198.51.100.1"};
  ServerConfig flags;
  flags.dpdk_addresses = {"192.0.2.1"};
  s = ParseCommandLine(std::size(argv), const_cast<char**>(argv), 1, &flags);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(flags.dpdk_eal, "--no-huge -m 256");
  EXPECT_EQ(flags.dpdk_addresses, std::vector<std::string>{"198.51.100.1"});
  EXPECT_EQ(flags.dpdk_exception, "net_tap0,iface=rootd0");  // the default
}

TEST(ConfigTest, DataplaneSettingsAreValidated) {
  ServerConfig config;
  config.dpdk_port = "net_pcap0";
  EXPECT_EQ(ValidateConfig(config).message(), "dpdk_port net_pcap0 needs at least one dpdk_address to answer on");
  config.dpdk_addresses = {"192.0.2.53"};
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.dpdk_exception = "net_pcap0,tx_pcap=x";
  EXPECT_EQ(ValidateConfig(config).message(), "dpdk_exception net_pcap0,tx_pcap=x is the dataplane's own port");
  config.dpdk_exception = "";
  EXPECT_NE(ValidateConfig(config).message().find("dpdk_exception: empty"), std::string::npos);
  ServerConfig no_port;
  no_port.dpdk_addresses = {"192.0.2.53"};
  EXPECT_EQ(ValidateConfig(no_port).message(),
            "dpdk_address and dpdk_eal (--dpdk) need dpdk_port: the port to serve them on");
  // The command line is validated as a whole.
  const char* argv[] = {"rootd", "--dpdk-port", "net_pcap0"};
  ServerConfig from_flags;
  EXPECT_FALSE(ParseCommandLine(std::size(argv), const_cast<char**>(argv), 1, &from_flags).ok());
}

TEST(ConfigTest, FlagErrorsNameTheFlag) {
  const char* bad_value[] = {"rootd", "--tcp-max-connections", "none"};
  ServerConfig config;
  absl::Status s = ParseCommandLine(3, const_cast<char**>(bad_value), 1, &config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("--tcp-max-connections"), std::string::npos) << s.message();
  const char* positional[] = {"rootd", "zonefile"};
  EXPECT_FALSE(ParseCommandLine(2, const_cast<char**>(positional), 1, &config).ok());
  const char* missing[] = {"rootd", "--zone"};
  EXPECT_FALSE(ParseCommandLine(2, const_cast<char**>(missing), 1, &config).ok());
  const char* missing_file[] = {"rootd", "--config", "/nonexistent/rootd.conf"};
  EXPECT_FALSE(ParseCommandLine(3, const_cast<char**>(missing_file), 1, &config).ok());
}

TEST(ConfigTest, ExampleConfigurationParses) {
  ServerConfig config;
  absl::Status s = ParseConfigFile(std::string(ROOTD_SOURCE_DIR) + "/conf/rootd.conf", &config);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(config.ListenAddresses().size(), 2u);
}

}  // namespace
}  // namespace rootd::server
