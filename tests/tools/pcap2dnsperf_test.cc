// Hand-built captures, byte by byte, so each layer the extractor walks is pinned down.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_paths.h"
#include "tools/pcap_reader.h"
#include "tools/query_extractor.h"

namespace rootd::tools {
namespace {

std::string U16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string U32Le(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}
std::string U32Be(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A DNS message with one question; `qname` in wire format.
std::string Dns(std::string_view qname, uint16_t qtype, uint16_t flags = 0x0100, uint16_t qdcount = 1,
                uint16_t qclass = 1) {
  return U16(0x1234) + U16(flags) + U16(qdcount) + U16(0) + U16(0) + U16(0) + std::string(qname) + U16(qtype) +
         U16(qclass);
}
std::string Udp(const std::string& payload, uint16_t dport = 53) {
  return U16(40000) + U16(dport) + U16(static_cast<uint16_t>(8 + payload.size())) + U16(0) + payload;
}
std::string Tcp(const std::string& payload, uint16_t dport = 53) {
  return U16(40000) + U16(dport) + U32Be(1) + U32Be(0) + std::string{0x50, 0x18} + U16(65535) + U16(0) + U16(0) +
         payload;
}
std::string Ipv4(const std::string& payload, uint8_t protocol = 17, uint16_t fragment = 0) {
  return std::string{0x45, 0} + U16(static_cast<uint16_t>(20 + payload.size())) + U16(1) + U16(fragment) +
         std::string{64, static_cast<char>(protocol)} + U16(0) + std::string{10, 0, 0, 1, 10, 0, 0, 2} + payload;
}
std::string Ipv6(const std::string& payload, uint8_t next = 17) {
  return std::string{0x60, 0, 0, 0} + U16(static_cast<uint16_t>(payload.size())) +
         std::string{static_cast<char>(next), 64} + std::string(15, 0) + "\1" + std::string(15, 0) + "\2" + payload;
}
std::string Ethernet(uint16_t ethertype, const std::string& payload, std::vector<uint16_t> vlans = {}) {
  std::string frame = std::string(6, '\xaa') + std::string(6, '\xbb');
  for (uint16_t vlan : vlans) frame += U16(0x8100) + U16(vlan);
  return frame + U16(ethertype) + payload;
}

// A classic pcap file; little-endian microseconds unless told otherwise.
class PcapBuilder {
 public:
  explicit PcapBuilder(uint32_t link_type, bool big_endian = false, bool nanosecond = false)
      : big_endian_(big_endian) {
    bytes_ = U32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4) + U16x(2) + U16x(4) + U32(0) + U32(0) + U32(65535) +
             U32(link_type);
  }
  PcapBuilder& Add(const std::string& frame, size_t captured = std::string::npos) {
    const std::string data = frame.substr(0, captured);
    bytes_ += U32(1700000000) + U32(5) + U32(static_cast<uint32_t>(data.size())) +
              U32(static_cast<uint32_t>(frame.size())) + data;
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string U32(uint32_t v) const { return big_endian_ ? U32Be(v) : U32Le(v); }
  std::string U16x(uint16_t v) const {
    return big_endian_ ? U16(v) : std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  }
  bool big_endian_;
  std::string bytes_;
};

const std::string kCom("\3com\0", 5);
const std::string kWwwExample("\3www\7example\3com\0", 17);

struct Converted {
  std::vector<std::string> lines;
  ExtractStats stats;
  bool truncated_tail = false;
};

Converted Convert(const std::string& pcap, ExtractOptions options = {}) {
  Converted out;
  auto reader = PcapReader::FromBytes(pcap);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  QueryExtractor extractor(reader->link_type(), options);
  PcapPacket packet;
  std::vector<ExtractedQuery> queries;
  while (true) {
    auto more = reader->Next(&packet);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    queries.clear();
    extractor.Extract(packet.data, &queries);
    for (const auto& q : queries) out.lines.push_back(DnsperfLine(q));
  }
  out.stats = extractor.stats();
  out.truncated_tail = reader->truncated_tail();
  return out;
}

uint64_t Skipped(const Converted& c, SkipReason reason) { return c.stats.skipped[static_cast<int>(reason)]; }

TEST(Pcap2Dnsperf, EthernetVlanIpv4Ipv6AndSkips) {
  PcapBuilder pcap(kLinkTypeEthernet);
  pcap.Add(Ethernet(0x0800, Ipv4(Udp(Dns(kWwwExample, 1)))))                                  // written
      .Add(Ethernet(0x86dd, Ipv6(Udp(Dns(kCom, 43))), {100}))                                 // VLAN + IPv6
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 2))), {10, 20}))                               // QinQ
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 2, 0x8180)))))                                 // a response
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 6, 0x2800)))))                                 // UPDATE opcode
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 1, 0x0100, 2)))))                              // QDCOUNT 2
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 1)), 17, 0x2000)))                             // first fragment
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 1)), 17, 0x0010)))                             // later fragment
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 1), 5353))))                                   // other port
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(std::string("\300\014", 2), 1)))))                   // compressed
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(std::string("\x08hostname\x04" "bind\0", 15), 16, 0x0100, 1, 3)))))  // CH
      .Add(Ethernet(0x0806, std::string(28, 0)))                                             // ARP
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kWwwExample, 1)))), 14 + 20 + 8 + 12 + 5)           // snapped short
      .Add(Ethernet(0x0800, Ipv4(Tcp(U16(21) + Dns(kCom, 1)), 6)))                            // TCP, not asked for
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(std::string("\5a.b\\c\1\x20\0", 9), 65534)))));       // odd bytes
  const Converted c = Convert(pcap.bytes());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"www.example.com. A", "com. DS", "com. NS", "a\\.b\\\\c.\\032. TYPE65534"}));
  EXPECT_EQ(c.stats.frames, 15u);
  EXPECT_EQ(c.stats.queries, 4u);
  EXPECT_EQ(Skipped(c, SkipReason::kResponse), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kOpcode), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kQuestionCount), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kFragment), 2u);
  EXPECT_EQ(Skipped(c, SkipReason::kOtherPort), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kCompressedName), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kClassNotIn), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kNotIp), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kTruncated), 1u);
  EXPECT_EQ(Skipped(c, SkipReason::kOtherProtocol), 1u);
  EXPECT_FALSE(c.truncated_tail);
}

TEST(Pcap2Dnsperf, Ipv6ExtensionHeadersAndFragments) {
  const std::string udp = Udp(Dns(kCom, 28));
  const std::string hop_by_hop = std::string{17, 0} + std::string(6, 0);           // next: UDP
  const std::string atomic_fragment = std::string{17, 0, 0, 0} + U32Be(7);         // offset 0, M=0
  const std::string first_fragment = std::string{17, 0, 0, 1} + U32Be(7);          // M=1
  PcapBuilder pcap(kLinkTypeRaw);
  pcap.Add(Ipv6(hop_by_hop + udp, 0)).Add(Ipv6(atomic_fragment + udp, 44)).Add(Ipv6(first_fragment + udp, 44));
  const Converted c = Convert(pcap.bytes());
  EXPECT_EQ(c.lines, (std::vector<std::string>{"com. AAAA", "com. AAAA"}));
  EXPECT_EQ(Skipped(c, SkipReason::kFragment), 1u);
}

TEST(Pcap2Dnsperf, CookedCapturesBothByteOrdersAndNanoseconds) {
  const std::string ip = Ipv4(Udp(Dns(std::string(1, '\0'), 48)));
  // SLL: packet type, ARPHRD, address length, 8 address octets, protocol.
  const std::string sll = U16(0) + U16(1) + U16(6) + std::string(8, 0) + U16(0x0800) + ip;
  // SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address octets.
  const std::string sll2 = U16(0x0800) + U16(0) + U32Be(2) + U16(1) + std::string{0, 6} + std::string(8, 0) + ip;
  for (bool big_endian : {false, true}) {
    for (bool nanosecond : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "big_endian=" << big_endian << " nanosecond=" << nanosecond);
      auto reader = PcapReader::FromBytes(PcapBuilder(kLinkTypeLinuxSll, big_endian, nanosecond).Add(sll).bytes());
      ASSERT_TRUE(reader.ok());
      EXPECT_EQ(reader->link_type(), kLinkTypeLinuxSll);
      EXPECT_EQ(reader->nanosecond(), nanosecond);
      EXPECT_EQ(Convert(PcapBuilder(kLinkTypeLinuxSll, big_endian, nanosecond).Add(sll).bytes()).lines,
                std::vector<std::string>{". DNSKEY"});
      EXPECT_EQ(Convert(PcapBuilder(kLinkTypeLinuxSll2, big_endian, nanosecond).Add(sll2).bytes()).lines,
                std::vector<std::string>{". DNSKEY"});
    }
  }
}

TEST(Pcap2Dnsperf, TcpSegmentsWithWholeMessages) {
  const std::string two = U16(static_cast<uint16_t>(Dns(kCom, 1).size())) + Dns(kCom, 1) +
                          U16(static_cast<uint16_t>(Dns(kWwwExample, 28).size())) + Dns(kWwwExample, 28);
  PcapBuilder pcap(kLinkTypeIpv4);
  pcap.Add(Ipv4(Tcp(two), 6))
      .Add(Ipv4(Tcp(""), 6))                                   // a bare ACK
      .Add(Ipv4(Tcp(U16(200) + Dns(kCom, 1)), 6));             // the start of a split message
  ExtractOptions options;
  options.tcp = true;
  const Converted c = Convert(pcap.bytes(), options);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"com. A", "www.example.com. AAAA"}));
  EXPECT_EQ(Skipped(c, SkipReason::kTcpPartial), 2u);
}

TEST(Pcap2Dnsperf, TruncatedFileAndOtherFormats) {
  PcapBuilder pcap(kLinkTypeRaw);
  pcap.Add(Ipv4(Udp(Dns(kCom, 1)))).Add(Ipv4(Udp(Dns(kCom, 2))));
  const std::string cut = pcap.bytes().substr(0, pcap.bytes().size() - 3);  // killed mid-record
  const Converted c = Convert(cut);
  EXPECT_EQ(c.lines, std::vector<std::string>{"com. A"});
  EXPECT_TRUE(c.truncated_tail);

  auto pcapng = PcapReader::FromBytes(std::string("\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a", 12) + std::string(16, 0));
  ASSERT_FALSE(pcapng.ok());
  EXPECT_NE(pcapng.status().message().find("pcapng is not supported"), std::string::npos);
  EXPECT_NE(pcapng.status().message().find("editcap -F pcap"), std::string::npos);
  EXPECT_FALSE(PcapReader::FromBytes("not a capture at all, no").ok());
  EXPECT_FALSE(PcapReader::FromBytes("\xd4\xc3").ok());

  // A record length no snapshot length allows is corruption, not a packet.
  std::string corrupt = PcapBuilder(kLinkTypeRaw).bytes() + U32Le(0) + U32Le(0) + U32Le(0x7fffffff) + U32Le(0);
  auto reader = PcapReader::FromBytes(corrupt);
  ASSERT_TRUE(reader.ok());
  PcapPacket packet;
  EXPECT_FALSE(reader->Next(&packet).ok());

  const Converted unsupported = Convert(PcapBuilder(147).Add("whatever").bytes());
  EXPECT_EQ(unsupported.stats.skipped[static_cast<int>(SkipReason::kUnsupportedLinkType)], 1u);
}

TEST(Pcap2Dnsperf, TypeMnemonics) {
  EXPECT_EQ(QtypeMnemonic(1), "A");
  EXPECT_EQ(QtypeMnemonic(65), "HTTPS");
  EXPECT_EQ(QtypeMnemonic(255), "ANY");
  EXPECT_EQ(QtypeMnemonic(65534), "TYPE65534");
  EXPECT_EQ(QtypeMnemonic(0), "TYPE0");
}

// The tools' command lines and dnsperf's reading of their output: dnsperf parses the whole
// file before it reports, so one run through it against a closed local port (every query times
// out after a second) proves each line is accepted, without a server.
class ToolsEndToEnd : public ::testing::Test {
 protected:
  static std::string Tool(const char* name) { return rootd::testing::BinaryDir() + "/tools/" + name; }
  // stdout and stderr of `command`; stdout only if `with_stderr` is false.
  static std::string Run(const std::string& command, bool with_stderr = true) {
    std::string output;
    FILE* pipe = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (pipe == nullptr) return output;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    pclose(pipe);
    return output;
  }
  static void TearDownTestSuite() { std::system(("rm -rf " + Dir()).c_str()); }
  static bool HaveDnsperf() { return std::system("command -v dnsperf >/dev/null 2>&1") == 0; }
  static std::string Dir() {
    static const std::string dir = [] {
      char pattern[] = "/tmp/rootd-tools-XXXXXX";
      return std::string(mkdtemp(pattern));
    }();
    return dir;
  }
};

TEST_F(ToolsEndToEnd, QuerymixFileIsAcceptedByDnsperf) {
  const std::string zone = rootd::testing::SharedDataDir() + "/zones/root.zone";
  if (!std::ifstream(zone).good()) GTEST_SKIP() << "no " << zone;
  const std::string out = Dir() + "/mix.txt";
  const std::string log = Run(Tool("rootd-querymix") + " --count 1000 --ta 5 --seed 3 --out " + out + " " + zone);
  EXPECT_NE(log.find("1000 queries"), std::string::npos) << log;
  // Determinism through the command line too.
  EXPECT_TRUE(Run(Tool("rootd-querymix") + " --count 1000 --ta 5 --seed 3 " + zone, false) == Run("cat " + out));
  if (!HaveDnsperf()) GTEST_SKIP() << "dnsperf is not installed (scripts/setup.sh installs it)";
  const std::string report = Run("dnsperf -d " + out + " -n 1 -s 127.0.0.1 -p 9 -t 1 -q 1000");
  EXPECT_NE(report.find("Queries sent:         1000"), std::string::npos) << report;
  EXPECT_EQ(report.find("invalid"), std::string::npos) << report;

  // --do-share splits the dnsperf file in two.
  const std::string split = Dir() + "/split.txt";
  const std::string split_log = Run(Tool("rootd-querymix") + " --count 1000 --do-share 25 --out " + split + " " + zone);
  const std::string plain = Run("wc -l < " + split), with_do = Run("wc -l < " + split + ".do");
  EXPECT_EQ(std::stoi(plain) + std::stoi(with_do), 1000) << split_log;
  EXPECT_NEAR(std::stoi(with_do), 250, 60) << split_log;
  EXPECT_NE(Run(Tool("rootd-querymix") + " --count 10 --do-share 25 " + zone).find("give --out FILE"),
            std::string::npos);
}

TEST_F(ToolsEndToEnd, Pcap2DnsperfWritesLinesDnsperfAccepts) {
  PcapBuilder pcap(kLinkTypeEthernet, /*big_endian=*/true);
  pcap.Add(Ethernet(0x0800, Ipv4(Udp(Dns(kWwwExample, 1)))))
      .Add(Ethernet(0x86dd, Ipv6(Udp(Dns(kCom, 65)))))
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(kCom, 2, 0x8180)))))
      .Add(Ethernet(0x0800, Ipv4(Udp(Dns(std::string("\3a b\0", 5), 1)))));
  const std::string capture = Dir() + "/capture.pcap";
  std::ofstream(capture, std::ios::binary) << pcap.bytes();
  const std::string out = Dir() + "/replay.txt";
  const std::string log = Run(Tool("rootd-pcap2dnsperf") + " --out " + out + " " + capture);
  EXPECT_NE(log.find("packets=4 queries=3 written=3 escaped_names=1 skipped_response=1"), std::string::npos) << log;
  EXPECT_EQ(Run("cat " + out), "www.example.com. A\ncom. HTTPS\na\\032b. A\n");
  EXPECT_NE(Run(Tool("rootd-pcap2dnsperf") + " --skip-escaped --limit 1 " + capture).find("www.example.com. A\n"),
            std::string::npos);

  const std::string pcapng = Dir() + "/capture.pcapng";
  std::ofstream(pcapng, std::ios::binary) << std::string("\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a", 12);
  EXPECT_NE(Run(Tool("rootd-pcap2dnsperf") + " " + pcapng).find("editcap -F pcap"), std::string::npos);

  if (!HaveDnsperf()) GTEST_SKIP() << "dnsperf is not installed (scripts/setup.sh installs it)";
  const std::string report = Run("dnsperf -d " + out + " -n 1 -s 127.0.0.1 -p 9 -t 1");
  EXPECT_NE(report.find("Queries sent:         3"), std::string::npos) << report;
  EXPECT_EQ(report.find("invalid"), std::string::npos) << report;
}

}  // namespace
}  // namespace rootd::tools
