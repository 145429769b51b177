// The DPDK dataplane end to end, deterministically: rootd runs as a process with its port a
// net_pcap vdev reading a capture written here and writing the replies to another, and its
// exception port a second net_pcap vdev writing what would go to the kernel. The replies are
// compared octet for octet with the engine's answers to the same queries (over the same
// zone) inside the reply headers test_frames.h expects; the exception capture must hold
// exactly the frames that are not DNS queries to us; the counters come from rootctl --json stats.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/engine.h"
#include "tests/dataplane/test_frames.h"
#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "tools/pcap_reader.h"
#include "zone/image.h"
#include "zone/master_reader.h"

namespace rootd::dataplane::testing {
namespace {

using rootd::testing::MakeWireQuery;
using rootd::testing::RootdProcess;

// The dataplane port's MTU for this run: the real zone's DNSKEY answer with DO (about 1,140
// octets in August 2017) does not fit, every other answer here does.
constexpr uint16_t kMtu = 1100;
// rte_pktmbuf_pool_create's RTE_MBUF_DEFAULT_DATAROOM: the room a frame and its reply share.
constexpr size_t kMbufDataRoom = 2048;

std::string Zones() { return rootd::testing::SharedDataDir() + "/zones"; }

// A classic pcap file (little-endian, microseconds, Ethernet) of `frames`.
void WritePcap(const std::string& path, const std::vector<Bytes>& frames) {
  Bytes out;
  auto put32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put32(0xa1b2c3d4);
  put32(2 | 4 << 16);  // version 2.4
  put32(0);
  put32(0);
  put32(65535);
  put32(1);
  for (const Bytes& frame : frames) {
    put32(1700000000);
    put32(0);
    put32(static_cast<uint32_t>(frame.size()));
    put32(static_cast<uint32_t>(frame.size()));
    out.insert(out.end(), frame.begin(), frame.end());
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(out.data()), out.size());
}

std::vector<Bytes> ReadPcap(const std::string& path) {
  std::vector<Bytes> frames;
  absl::StatusOr<tools::PcapReader> reader = tools::PcapReader::Open(path);
  EXPECT_TRUE(reader.ok()) << path << ": " << reader.status();
  if (!reader.ok()) return frames;
  tools::PcapPacket packet;
  while (true) {
    absl::StatusOr<bool> more = reader->Next(&packet);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    frames.emplace_back(packet.data.begin(), packet.data.end());
  }
  return frames;
}

// The number after "key": inside the JSON object that starts at "object":, or -1.
int64_t JsonNumber(const std::string& json, const std::string& object, const std::string& key) {
  size_t at = object.empty() ? 0 : json.find("\"" + object + "\":");
  if (at == std::string::npos) return -1;
  at = json.find("\"" + key + "\":", at);
  if (at == std::string::npos) return -1;
  return std::stoll(json.substr(at + key.size() + 3));
}

Bytes Query(uint16_t id, const std::string& name, uint16_t qtype, uint16_t edns = 0, bool dnssec_ok = false) {
  return MakeWireQuery(id, name, qtype, edns, dnssec_ok);
}

// An ARP request for our IPv4 address, broadcast.
Bytes ArpRequest() {
  Bytes frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  frame.insert(frame.end(), kClientMac.begin(), kClientMac.end());
  frame.insert(frame.end(), {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1});
  frame.insert(frame.end(), kClientMac.begin(), kClientMac.end());
  frame.insert(frame.end(), kClient4.begin(), kClient4.end());
  frame.insert(frame.end(), 6, 0);
  frame.insert(frame.end(), kServer4.begin(), kServer4.end());
  frame.resize(60, 0);  // Ethernet's minimum frame, padded
  return frame;
}

struct Case {
  const char* name;
  FrameSpec spec;
  Bytes frame;  // spec.Build(), or hand-built
  enum Expect { kAnswered, kToKernel, kDropped } expect;
};

// The frames of the test, to rootd's `port`: what it answers, what goes to the kernel, what
// it drops.
std::vector<Case> TestCases(uint16_t port) {
  std::vector<Case> cases;
  auto query = [&](const char* name, FrameSpec spec, Case::Expect expect) {
    spec.dst_port = port;
    cases.push_back({name, spec, spec.Build(), expect});
  };
  FrameSpec v4;
  v4.payload = Query(1, ".", 6, 1232);
  query("ipv4 SOA", v4, Case::kAnswered);
  FrameSpec v6;
  v6.ipv6 = true;
  v6.payload = Query(2, "com.", 2, 1232, true);
  query("ipv6 com NS +dnssec", v6, Case::kAnswered);
  FrameSpec vlan = v4;
  vlan.vlan = 100;
  vlan.payload = Query(3, "www.example.com.", 1);
  query("vlan ipv4 www.example.com A", vlan, Case::kAnswered);
  FrameSpec vlan6 = v6;
  vlan6.vlan = 0x2064;
  vlan6.payload = Query(4, "no-such-tld.", 1, 1232, true);
  query("vlan ipv6 NXDOMAIN +dnssec", vlan6, Case::kAnswered);
  FrameSpec dnskey = v4;
  dnskey.payload = Query(5, ".", 48, 1232, true);
  query("ipv4 DNSKEY +dnssec over the MTU", dnskey, Case::kAnswered);
  FrameSpec dnskey6 = v6;
  dnskey6.payload = Query(6, ".", 48, 4096, true);
  query("ipv6 DNSKEY +dnssec over the MTU", dnskey6, Case::kAnswered);
  FrameSpec padded = v4;
  padded.payload = Query(7, "org.", 2);
  padded.padding = 4;
  query("ipv4 with Ethernet padding", padded, Case::kAnswered);

  FrameSpec bad_ip = v4;
  bad_ip.ip_checksum = ChecksumMode::kCorrupt;
  query("bad IPv4 header checksum", bad_ip, Case::kDropped);
  FrameSpec bad_udp = v4;
  bad_udp.udp_checksum = ChecksumMode::kCorrupt;
  query("bad UDP checksum", bad_udp, Case::kDropped);
  FrameSpec bad_udp6 = v6;
  bad_udp6.udp_checksum = ChecksumMode::kCorrupt;
  query("bad UDP checksum, ipv6", bad_udp6, Case::kDropped);

  FrameSpec fragment = v4;
  fragment.dont_fragment = false;
  fragment.more_fragments = true;
  query("ipv4 first fragment", fragment, Case::kToKernel);
  FrameSpec fragment6 = v6;
  fragment6.ipv6_extensions.push_back({44, {0, 0, 0, 0, 0, 1}});  // offset 0, id 1, no M: atomic
  query("ipv6 fragment header", fragment6, Case::kToKernel);
  FrameSpec tcp = v4;
  tcp.protocol = 6;
  query("tcp to port 53", tcp, Case::kToKernel);
  FrameSpec icmp = v4;
  icmp.protocol = 1;
  query("icmp", icmp, Case::kToKernel);
  FrameSpec icmp6 = v6;
  icmp6.protocol = 58;
  query("icmpv6", icmp6, Case::kToKernel);
  FrameSpec other_port = v4;
  other_port.payload = Query(8, ".", 6);
  other_port.dst_port = 123;
  cases.push_back({"udp to another port", other_port, other_port.Build(), Case::kToKernel});
  FrameSpec other_address = v4;
  other_address.dst_ip = {192, 0, 2, 54};
  query("udp to another address", other_address, Case::kToKernel);
  cases.push_back({"arp request", FrameSpec{}, ArpRequest(), Case::kToKernel});

  return cases;
}

// What rootd must send: the engine's answers, over the zone rootd serves, with the room the
// reply has, in the reply headers test_frames.h expects; and the frames for the kernel, as
// they came.
struct Expected {
  std::vector<Bytes> replies, exceptions;
  int answered = 0, to_kernel = 0, dropped = 0, cut_to_fit = 0, dnskey_truncated = 0;
};

Expected ExpectedOutput(const std::vector<Case>& cases) {
  Expected e;
  absl::StatusOr<zone::Zone> zone = zone::ReadMasterFile(Zones() + "/root.zone");
  EXPECT_TRUE(zone.ok()) << zone.status();
  if (!zone.ok()) return e;
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image = zone::ZoneImage::Compile(*zone);
  EXPECT_TRUE(image.ok()) << image.status();
  if (!image.ok()) return e;
  const server::Engine engine{server::EngineConfig{}};
  for (const Case& c : cases) {
    if (c.expect == Case::kToKernel) {
      e.exceptions.push_back(c.frame);
      ++e.to_kernel;
      continue;
    }
    if (c.expect == Case::kDropped) {
      ++e.dropped;
      continue;
    }
    ++e.answered;
    const size_t room = std::min(kMbufDataRoom - c.spec.DnsOffset(), size_t{kMtu} - (c.spec.ipv6 ? 48u : 28u));
    const Bytes& dns = c.spec.payload;
    const Bytes source = c.spec.Source();
    server::Request request{dns.data(), dns.size(), server::Transport::kUdp, source.data(),
                            static_cast<uint8_t>(source.size())};
    Bytes response(65535);
    server::QueryInfo info;
    response.resize(engine.Answer(**image, request, response.data(), room, &info));
    EXPECT_GT(response.size(), 0u) << c.name;
    if (info.truncated && room < engine.config().max_udp_payload) ++e.cut_to_fit;
    if (info.qtype == 48) {
      // The whole answer does not fit the MTU: TC, as for a client's small payload size.
      Bytes whole(65535);
      server::QueryInfo whole_info;
      whole.resize(engine.Answer(**image, request, whole.data(), whole.size(), &whole_info));
      EXPECT_GT(whole.size() + (c.spec.ipv6 ? 48 : 28), size_t{kMtu}) << c.name;
      EXPECT_TRUE(info.truncated) << c.name;
      e.dnskey_truncated += info.truncated ? 1 : 0;
    }
    FrameSpec reply = c.spec.ReplyTo();
    reply.payload = response;
    e.replies.push_back(reply.Build());
  }
  return e;
}

// One rootd run over `queues` queue pairs of net_pcap vdevs, each queue reading `frames`:
// what it wrote per queue, and what rootctl said once every frame was read.
struct RootdRun {
  std::vector<std::vector<Bytes>> replies, exceptions;  // [queue]
  std::string stats, text_stats, status;
  int exit_status = -1;
};

RootdRun RunRootd(const std::vector<Bytes>& frames, int queues, uint16_t port, const std::string& dir) {
  std::string port_args, exception_args;
  for (int q = 0; q < queues; ++q) {
    const std::string n = std::to_string(q);
    WritePcap(dir + "/in" + n + ".pcap", frames);
    port_args += ",rx_pcap=" + dir + "/in" + n + ".pcap,tx_pcap=" + dir + "/out" + n + ".pcap";
    exception_args += ",tx_pcap=" + dir + "/exception" + n + ".pcap";
  }
  // One worker lcore per queue, all on CPU 0: runs on any machine (idle lcores nap).
  std::string lcores = "0@0";
  for (int q = 1; q <= queues; ++q) lcores += "," + std::to_string(q) + "@0";
  const std::string eal = "--no-huge -m 256 --no-pci --no-shconf --no-telemetry --lcores " + lcores +
                          " --vdev net_pcap0" + port_args + " --vdev net_pcap1" + exception_args;
  RootdProcess rootd(dir,
                     {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds", "--at",
                      "2017-08-25T00:00:00Z", "--threads", "1", "--dpdk", eal, "--dpdk-port", "net_pcap0",
                      "--dpdk-exception", "net_pcap1", "--dpdk-address", "192.0.2.53", "--dpdk-address",
                      "2001:db8::53", "--dpdk-mtu", std::to_string(kMtu), "--dpdk-queues", std::to_string(queues)},
                     port);
  RootdRun run;
  EXPECT_TRUE(rootd.WaitReady()) << rootd.Log();
  // Every frame read: each capture is consumed in one pass.
  const std::string rootctl = rootd::testing::BinaryDir() + "/tools/rootctl --socket " + rootd.control_socket();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    run.stats = rootd::testing::RunCommand(rootctl + " --json stats").output;
    if (JsonNumber(run.stats, "dataplane", "rx") >= static_cast<int64_t>(frames.size()) * queues) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  run.text_stats = rootd::testing::RunCommand(rootctl + " stats").output;
  run.status = rootd::testing::RunCommand(rootctl + " status").output;
  run.exit_status = rootd.Stop();  // closing the ports flushes the captures
  EXPECT_EQ(run.exit_status, 0) << rootd.Log();
  for (int q = 0; q < queues; ++q) {
    run.replies.push_back(ReadPcap(dir + "/out" + std::to_string(q) + ".pcap"));
    run.exceptions.push_back(ReadPcap(dir + "/exception" + std::to_string(q) + ".pcap"));
  }
  return run;
}

void ExpectReplies(const std::vector<Bytes>& replies, const std::vector<Bytes>& expected) {
  ASSERT_EQ(replies.size(), expected.size());
  for (size_t i = 0; i < replies.size(); ++i) {
    EXPECT_EQ(replies[i], expected[i]) << "reply " << i;
    EXPECT_TRUE(ReferenceChecksumsVerify(replies[i].data(), replies[i].size())) << "reply " << i;
  }
}

class DpdkPcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(Zones() + "/root.zone")) GTEST_SKIP() << "no shared data (the real root zone)";
  }
  // The test's frames through rootd on `queues` queue pairs (each reading all of them), and
  // what it should have sent.
  void RunCases(int queues, const std::string& name) {
    const uint16_t port = rootd::testing::FreePort();
    ASSERT_NE(port, 0);
    const std::vector<Case> cases = TestCases(port);
    for (const Case& c : cases) frames_.push_back(c.frame);
    run_ = RunRootd(frames_, queues, port, rootd::testing::MakeTempDir(name));
    expected_ = ExpectedOutput(cases);
  }
  std::vector<Bytes> frames_;
  RootdRun run_;
  Expected expected_;
};

TEST_F(DpdkPcapTest, RepliesInPlaceAndEverythingElseToTheKernel) {
  ASSERT_NO_FATAL_FAILURE(RunCases(1, "dpdk_pcap"));
  const RootdRun& run = run_;
  const Expected& e = expected_;
  const std::vector<Bytes>& frames = frames_;
  EXPECT_EQ(e.dnskey_truncated, 2);

  ExpectReplies(run.replies[0], e.replies);
  EXPECT_EQ(run.exceptions[0], e.exceptions);

  const std::string& stats = run.stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "workers"), 1) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "rx"), static_cast<int64_t>(frames.size())) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "tx"), e.answered) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "tx_dropped"), 0) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "to_kernel"), e.to_kernel) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "from_kernel"), 0) << stats;
  EXPECT_EQ(JsonNumber(stats, "dataplane", "truncated_to_fit"), e.cut_to_fit) << stats;
  EXPECT_GE(e.cut_to_fit, 2);
  EXPECT_EQ(JsonNumber(stats, "frames", "dns_query"), e.answered) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "bad_ip_checksum"), 1) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "bad_udp_checksum"), 2) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "ip_fragment"), 2) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "not_udp"), 3) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "not_our_port"), 1) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "not_our_address"), 1) << stats;
  EXPECT_EQ(JsonNumber(stats, "frames", "not_ip"), 1) << stats;
  EXPECT_EQ(e.dropped, 3);
  // The dataplane's queries in the one query count (WaitReady's SOA is IPv4).
  EXPECT_EQ(JsonNumber(stats, "", "queries_udp_ipv6"), 3) << stats;
  EXPECT_NE(run.text_stats.find("dpdk rx"), std::string::npos) << run.text_stats;
  EXPECT_NE(run.status.find("dpdk: 1 lcores on net_pcap0"), std::string::npos) << run.status;
}

// Two queue pairs, two lcores: each answers its own queue, into its own capture, the same as
// one lcore does; the counters add up over both in the one stats path.
TEST_F(DpdkPcapTest, TwoQueuesTwoLcores) {
  ASSERT_NO_FATAL_FAILURE(RunCases(2, "dpdk_pcap2"));
  const RootdRun& run = run_;
  const Expected& e = expected_;
  const std::vector<Bytes>& frames = frames_;
  for (int q = 0; q < 2; ++q) {
    SCOPED_TRACE(q);
    ExpectReplies(run.replies[q], e.replies);
    EXPECT_EQ(run.exceptions[q], e.exceptions);
  }
  EXPECT_EQ(JsonNumber(run.stats, "dataplane", "workers"), 2) << run.stats;
  EXPECT_EQ(JsonNumber(run.stats, "dataplane", "rx"), 2 * static_cast<int64_t>(frames.size())) << run.stats;
  EXPECT_EQ(JsonNumber(run.stats, "dataplane", "tx"), 2 * e.answered) << run.stats;
  EXPECT_EQ(JsonNumber(run.stats, "frames", "dns_query"), 2 * e.answered) << run.stats;
  EXPECT_NE(run.status.find("dpdk: 2 lcores on net_pcap0"), std::string::npos) << run.status;
}

}  // namespace
}  // namespace rootd::dataplane::testing
