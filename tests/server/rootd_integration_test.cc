// End-to-end tests of the rootd binary with real clients (dig, kdig, dnsperf, rootctl, raw
// sockets). Every wait is bounded; nothing asserts on timing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/lab_zone.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kRealSerial = 2017082100;

std::string Zones() { return SharedDataDir() + "/zones"; }

std::vector<std::string> RealZoneArgs() {
  return {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds", "--at",
          "2017-08-25T00:00:00Z", "--listen", "127.0.0.1", "--listen", "::1", "--threads", "2",
          "--tcp-idle-timeout", "1000"};
}

std::string Dig(uint16_t port, const std::string& args, const std::string& server = "127.0.0.1") {
  return RunCommand("dig @" + server + " -p " + std::to_string(port) + " +tries=1 +time=3 " + args).output;
}

// One rootd on the real 2017 root zone, shared by the tests of this suite.
class RealZoneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = FreePort();
    dir_ = MakeTempDir("real");
    server_ = new RootdProcess(dir_, RealZoneArgs(), port_);
    ready_ = server_->WaitReady();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << server_->Log(); }

  static inline uint16_t port_ = 0;
  static inline std::string dir_;
  static inline RootdProcess* server_ = nullptr;
  static inline bool ready_ = false;
};

TEST_F(RealZoneTest, AnswersOverUdpAndTcpOnBothFamilies) {
  for (const char* transport : {"+notcp", "+tcp"}) {
    for (const char* server : {"127.0.0.1", "::1"}) {
      SCOPED_TRACE(std::string(transport) + " " + server);
      std::string soa = Dig(port_, std::string(transport) + " +norec . SOA", server);
      EXPECT_THAT(soa, HasSubstr("status: NOERROR"));
      EXPECT_THAT(soa, HasSubstr("flags: qr aa;"));
      EXPECT_THAT(soa, HasSubstr("2017082100"));

      std::string referral = Dig(port_, std::string(transport) + " +norec www.example.com A", server);
      EXPECT_THAT(referral, HasSubstr("status: NOERROR"));
      EXPECT_THAT(referral, HasSubstr("ANSWER: 0, AUTHORITY: 13"));
      EXPECT_THAT(referral, HasSubstr("com.\t\t\t172800\tIN\tNS\ta.gtld-servers.net."));
      EXPECT_THAT(referral, Not(HasSubstr("flags: qr aa")));

      std::string nx = Dig(port_, std::string(transport) + " +norec +dnssec no-such-tld-xyz. A", server);
      EXPECT_THAT(nx, HasSubstr("status: NXDOMAIN"));
      EXPECT_THAT(nx, HasSubstr("NSEC"));
    }
  }
}

TEST_F(RealZoneTest, DnskeyWithSignaturesOverKdig) {
  for (const char* transport : {"+notcp", "+tcp"}) {
    std::string out = RunCommand("kdig @127.0.0.1 -p " + std::to_string(port_) + " " + transport +
                                 " +retry=0 +time=3 +dnssec +norec . DNSKEY").output;
    EXPECT_THAT(out, HasSubstr("status: NOERROR")) << out;
    EXPECT_THAT(out, HasSubstr("DNSKEY\t257 3 8"));
    EXPECT_THAT(out, HasSubstr("DNSKEY\t256 3 8"));
    EXPECT_THAT(out, HasSubstr("RRSIG\tDNSKEY 8 0 172800"));
  }
}

TEST_F(RealZoneTest, TruncatedAt512IsFetchedWholeOverTcpByDig) {
  std::string out = Dig(port_, "+norec +dnssec +bufsize=512 . DNSKEY");
  EXPECT_THAT(out, HasSubstr("Truncated, retrying in TCP mode"));
  EXPECT_THAT(out, HasSubstr("status: NOERROR"));
  EXPECT_THAT(out, HasSubstr("ANSWER: 4,"));  // three keys and the signature, whole
  // The UDP answer itself has TC and fits 512 octets.
  auto udp = UdpExchange(port_, MakeWireQuery(7, ".", 48, 512, true), 3000);
  ASSERT_TRUE(udp.has_value());
  EXPECT_LE(udp->size(), 512u);
  EXPECT_TRUE((*udp)[2] & 0x02);
}

TEST_F(RealZoneTest, SurvivesABurstOfMalformedUdp) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port_);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::mt19937 random(42);
  std::vector<uint8_t> valid = MakeWireQuery(9, "com", 2, 1232, true);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> packet;
    switch (i % 4) {
      case 0:  // random bytes of random length, including empty
        packet.resize(random() % 600);
        for (uint8_t& b : packet) b = static_cast<uint8_t>(random());
        break;
      case 1:  // a valid query cut short
        packet.assign(valid.begin(), valid.begin() + random() % valid.size());
        break;
      case 2:  // a valid query with a few bytes flipped
        packet = valid;
        for (int k = 0; k < 3; ++k) packet[random() % packet.size()] ^= static_cast<uint8_t>(1 + random() % 255);
        break;
      case 3:  // a response (QR set): must be dropped, never answered
        packet = valid;
        packet[2] |= 0x80;
        break;
    }
    sendto(fd, packet.data(), packet.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  close(fd);
  // The burst may overflow the socket buffer and cost a query of ours too: that is UDP, so
  // ask a few times.
  std::optional<std::vector<uint8_t>> response;
  for (int attempt = 0; attempt < 10 && !response; ++attempt) response = UdpExchange(port_, MakeWireQuery(10, ".", 6), 1000);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(SoaSerial(*response), kRealSerial);
  EXPECT_THAT(Dig(port_, "+tcp . SOA"), HasSubstr("status: NOERROR"));
}

TEST_F(RealZoneTest, ThousandConcurrentTcpConnections) {
  constexpr int kConnections = 1000;
  rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < kConnections + 200) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, kConnections + 500);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  ASSERT_GE(limit.rlim_cur, static_cast<rlim_t>(kConnections + 100)) << "RLIMIT_NOFILE too low";

  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) {
    int fd = TcpConnect(port_, /*nonblocking=*/true);
    ASSERT_GE(fd, 0) << i;
    fds.push_back(fd);
  }
  // Every connection open at once; each sends its query when connected, reads its answer.
  std::vector<bool> sent(kConnections, false), done(kConnections, false);
  std::vector<std::vector<uint8_t>> in(kConnections);
  int answered = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered < kConnections && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> polls;
    std::vector<int> index;
    for (int i = 0; i < kConnections; ++i) {
      if (done[i]) continue;
      polls.push_back({fds[i], static_cast<short>(sent[i] ? POLLIN : POLLOUT), 0});
      index.push_back(i);
    }
    if (poll(polls.data(), polls.size(), 200) <= 0) continue;
    for (size_t k = 0; k < polls.size(); ++k) {
      int i = index[k];
      if (polls[k].revents == 0) continue;
      if (!sent[i]) {
        std::vector<uint8_t> q = Framed(MakeWireQuery(static_cast<uint16_t>(i), "com", 2));
        if (send(fds[i], q.data(), q.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(q.size())) sent[i] = true;
        continue;
      }
      uint8_t buffer[4096];
      ssize_t n = recv(fds[i], buffer, sizeof buffer, 0);
      if (n <= 0) {
        done[i] = true;  // closed without an answer: counted as a failure below
        continue;
      }
      in[i].insert(in[i].end(), buffer, buffer + n);
      if (in[i].size() >= 2 && in[i].size() >= 2u + (in[i][0] << 8 | in[i][1])) {
        std::vector<uint8_t> response(in[i].begin() + 2, in[i].end());
        if (response[0] == static_cast<uint8_t>(i >> 8) && response[1] == static_cast<uint8_t>(i) &&
            Rcode(response) == 0)
          ++answered;
        done[i] = true;
      }
    }
  }
  for (int fd : fds) close(fd);
  EXPECT_EQ(answered, kConnections);
}

TEST_F(RealZoneTest, PipelinedQueriesAreAnsweredInOrder) {
  int fd = TcpConnect(port_);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> all;
  const char* names[] = {".", "com", "org", "no-such-tld-xyz", "net"};
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> q = Framed(MakeWireQuery(static_cast<uint16_t>(100 + i), names[i], i == 0 ? 48 : 2, 4096, true));
    all.insert(all.end(), q.begin(), q.end());
  }
  ASSERT_EQ(send(fd, all.data(), all.size(), MSG_NOSIGNAL), static_cast<ssize_t>(all.size()));
  TcpReader reader(fd);
  std::vector<uint16_t> ids;
  while (ids.size() < 5) {
    const std::optional<std::vector<uint8_t>> message = reader.Next(5000);
    if (!message) break;
    ids.push_back(MessageId(*message));
  }
  close(fd);
  EXPECT_THAT(ids, ::testing::ElementsAre(100, 101, 102, 103, 104));
}

TEST_F(RealZoneTest, SlowAndMalformedTcpClientsLoseOnlyTheirConnection) {
  // Half a message, then silence: closed after the idle timeout (1 s here).
  int slow = TcpConnect(port_);
  ASSERT_GE(slow, 0);
  std::vector<uint8_t> q = Framed(MakeWireQuery(1, "com", 2));
  send(slow, q.data(), q.size() / 2, MSG_NOSIGNAL);
  // Garbage in a well-formed frame: the engine drops it, the connection goes at once.
  int garbage = TcpConnect(port_);
  ASSERT_GE(garbage, 0);
  std::vector<uint8_t> junk = Framed({'n', 'o', 't', ' ', 'd', 'n', 's'});
  send(garbage, junk.data(), junk.size(), MSG_NOSIGNAL);
  // An empty frame, too.
  int empty = TcpConnect(port_);
  ASSERT_GE(empty, 0);
  uint8_t zero[2] = {0, 0};
  send(empty, zero, 2, MSG_NOSIGNAL);
  // A connection that never sends anything.
  int idle = TcpConnect(port_);
  ASSERT_GE(idle, 0);

  EXPECT_TRUE(WaitClosed(garbage, 5000));
  EXPECT_TRUE(WaitClosed(empty, 5000));
  // Everyone else is still served meanwhile.
  std::vector<uint8_t> response = TcpQuery(port_, MakeWireQuery(2, ".", 6));
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(SoaSerial(response), kRealSerial);
  EXPECT_TRUE(WaitClosed(slow, 10000));
  EXPECT_TRUE(WaitClosed(idle, 10000));
  for (int fd : {slow, garbage, empty, idle}) close(fd);
  auto udp = UdpExchange(port_, MakeWireQuery(3, ".", 6), 3000);
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(SoaSerial(*udp), kRealSerial);
}

TEST_F(RealZoneTest, RootctlStatusAndStats) {
  int status = -1;
  std::string socket = " --socket " + server_->control_socket() + " ";
  std::string text = RunCommand(Rootctl() + socket + "status", &status);
  EXPECT_EQ(status, 0) << text;
  EXPECT_THAT(text, HasSubstr("serial        2017082100"));
  EXPECT_THAT(text, HasSubstr("tlds          1547"));
  EXPECT_THAT(text, HasSubstr("key 19036"));  // the loader's summary names the keys and roles
  std::string json = RunCommand(Rootctl() + socket + "--json status", &status);
  EXPECT_EQ(status, 0);
  EXPECT_THAT(json, HasSubstr("\"serial\":2017082100,\"identity\":\"serial 2017082100 dnskey 90ba1bb5 keys 15768/8 "
                              "ZSK, 19036/8 KSK, 20326/8 KSK\",\"dnskey_id\":\"90ba1bb5\",\"keys\":[{\"tag\":15768,"
                              "\"algorithm\":8,\"role\":\"ZSK\",\"revoked\":false},"));
  EXPECT_THAT(text, HasSubstr("identity      serial 2017082100 dnskey 90ba1bb5 keys 15768/8 ZSK, 19036/8 KSK, 20326/8 KSK\n"));
  std::string stats = RunCommand(Rootctl() + socket + "--json stats", &status);
  EXPECT_EQ(status, 0);
  EXPECT_THAT(stats, HasSubstr("\"queries\":"));
  EXPECT_THAT(stats, HasSubstr("\"rcodes\":{"));
  EXPECT_THAT(stats, HasSubstr("\"answered_by_image\":{\"2017082100/90ba1bb5\":"));
  EXPECT_THAT(RunCommand(Rootctl() + socket + "stats").output, HasSubstr("udp ipv4"));
  RunCommand(Rootctl() + socket + "bogus", &status);
  EXPECT_EQ(status, 2);
}

// A counter of `rootctl --json stats`: the number after "key": (0 when absent).
uint64_t StatsCounter(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = json.find(needle);
  return at == std::string::npos ? 0 : std::stoull(json.substr(at + needle.size()));
}

// UDP (both families) and TCP report through the one statistics path: each query lands in
// its transport and family, with its sizes, its RFC 8145 signals and the image that answered.
TEST(RootdStatsTest, EveryTransportCountsItsQueriesThroughOnePath) {
  const uint16_t port = FreePort();
  const std::string dir = MakeTempDir("stats");
  RootdProcess server(dir, RealZoneArgs(), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  const std::string rootctl = Rootctl() + " --socket " + server.control_socket() + " --json stats";
  const std::string before = RunCommand(rootctl).output;

  const std::vector<uint8_t> soa = MakeWireQuery(7, ".", 6);                  // 17 octets
  const std::vector<uint8_t> ta = MakeWireQuery(8, "_ta-4f66-9728.", 10);    // NULL, 31 octets
  ASSERT_TRUE(UdpExchange(port, soa, 3000).has_value());
  ASSERT_TRUE(UdpExchange(port, ta, 3000).has_value());
  ASSERT_TRUE(UdpExchange(port, soa, 3000, /*ipv6=*/true).has_value());
  ASSERT_FALSE(TcpQuery(port, soa).empty());
  // dig sends the EDNS KEY-TAG option (RFC 8145 4) as an opaque option.
  EXPECT_THAT(Dig(port, "+norec +ednsopt=14:4f66 . SOA"), HasSubstr("status: NOERROR"));

  const std::string after = RunCommand(rootctl).output;
  auto delta = [&](const std::string& key) { return StatsCounter(after, key) - StatsCounter(before, key); };
  EXPECT_EQ(delta("queries_udp_ipv4"), 3u) << after;
  EXPECT_EQ(delta("queries_udp_ipv6"), 1u);
  EXPECT_EQ(delta("queries_tcp_ipv4"), 1u);
  EXPECT_EQ(delta("queries_tcp_ipv6"), 0u);
  EXPECT_EQ(delta("query_bytes_tcp"), soa.size());
  EXPECT_GE(delta("query_bytes_udp"), 2 * soa.size() + ta.size());
  EXPECT_EQ(delta("rfc8145_ta_queries"), 1u);
  EXPECT_EQ(delta("rfc8145_edns_key_tag_queries"), 1u);
  // Two trust-anchor sets: {20326, 38696} by a _ta- query, {20326} by the option.
  EXPECT_EQ(delta("rfc8145_sets"), 2u);
  // Every answer came from the one image there is, serial 2017082100.
  std::smatch image;
  ASSERT_TRUE(std::regex_search(after, image, std::regex("\"answered_by_image\":\\{\"2017082100/90ba1bb5\":([0-9]+)\\}")))
      << after;
  EXPECT_EQ(std::stoull(image[1]), StatsCounter(after, "responses"));
}

// An RGB pixel of a picture rendered from SVG by rsvg-convert (Debian's librsvg2-bin) and turned
// into a binary PPM by pngtopnm (netpbm): what a reader of the chart sees.
class RenderedSvg {
 public:
  explicit RenderedSvg(const std::string& svg_path) {
    const std::string ppm_path = svg_path + ".ppm";
    RunCommand("rsvg-convert " + svg_path + " | pngtopnm > " + ppm_path);
    const std::string ppm = ReadFileText(ppm_path);
    std::istringstream in(ppm);
    std::string magic;
    int max = 0;
    in >> magic >> width_ >> height_ >> max;
    if (magic != "P6" || max != 255) return;
    in.get();
    pixels_ = ppm.substr(static_cast<size_t>(in.tellg()));
  }
  bool ok() const { return width_ > 0 && pixels_.size() == static_cast<size_t>(width_ * height_ * 3); }
  std::string Rgb(int x, int y) const {
    char hex[8];
    const auto* p = reinterpret_cast<const uint8_t*>(pixels_.data()) + (static_cast<size_t>(y) * width_ + x) * 3;
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x", p[0], p[1], p[2]);
    return hex;
  }

 private:
  int width_ = 0, height_ = 0;
  std::string pixels_;
};

// RFC 8145 signals from several resolvers (loopback source addresses), as kdig sends them: the
// report counts each set's sources and queries on the day of rootd's clock, with the DNSKEY
// RRset that was served, and the shares of old-only, new-only and both.
TEST(RootdTaReportTest, SignalsFromSeveralSourcesAreReportedPerSetAndDay) {
  const uint16_t port = FreePort();
  const std::string dir = MakeTempDir("ta-report");
  std::vector<std::string> args = RealZoneArgs();
  args.insert(args.end(), {"--clock", "2017-08-25T12:00:00Z"});
  RootdProcess server(dir, args, port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  auto kdig = [&](const std::string& source, const std::string& query) {
    const std::string out = RunCommand("kdig -b " + source + " @127.0.0.1 -p " + std::to_string(port) +
                                       " +retry=0 +timeout=3 " + query).output;
    EXPECT_THAT(out, HasSubstr("status: ")) << out;
  };
  // 0x4f66 = 20326 (KSK-2017), 0x9728 = 38696 (KSK-2024).
  for (const char* source : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) kdig(source, "_ta-4f66. NULL");
  kdig("127.0.0.2", "_ta-4f66. NULL");  // the same resolver again: one more query, no more sources
  kdig("127.0.0.5", "_ta-4f66-9728. NULL");
  kdig("127.0.0.6", "+ednsopt=14:97284f66 . DNSKEY");  // unsorted in the option
  kdig("127.0.0.7", "+ednsopt=14:9728 . DNSKEY");
  const std::string rootctl = Rootctl() + " --socket " + server.control_socket();
  const std::string text = RunCommand(rootctl + " ta-report").output;
  EXPECT_THAT(text, HasSubstr("\n2017-08-25  _ta query\n  sources  queries  DNSKEY    key tags\n"
                              "        3        4  90ba1bb5  20326\n"
                              "        1        1  90ba1bb5  20326 38696\n"
                              "  4 sources: old only 75.0%, new only 0.0%, both 25.0%, neither 0.0%\n"))
      << text;
  EXPECT_THAT(text, HasSubstr("\n2017-08-25  edns-key-tag\n  sources  queries  DNSKEY    key tags\n"
                              "        1        1  90ba1bb5  38696\n"
                              "        1        1  90ba1bb5  20326 38696\n"
                              "  2 sources: old only 0.0%, new only 50.0%, both 50.0%, neither 0.0%\n"))
      << text;
  EXPECT_THAT(text, HasSubstr("overflow (no room for the set): 0 queries, 0 sources\n"));
  const std::string json = RunCommand(rootctl + " --json ta-report 19036 20326").output;
  EXPECT_THAT(json, HasSubstr("{\"old_ksk\":19036,\"new_ksk\":20326,\"days\":[{\"date\":\"2017-08-25\","
                              "\"signal\":\"ta_query\",\"sources\":4,\"sources_estimated\":false,"
                              "\"old_only\":0.000,\"new_only\":1.000,"))
      << json;
  EXPECT_THAT(RunCommand(rootctl + " ta-report 20326").output, HasSubstr("usage: ta-report"));

  // The chart: one stacked bar per day and signal, 200 pixels for 100%, from y = 260 up; the
  // first bar at x 60-90, the next 40 pixels on.
  const std::string svg = dir + "/ta.svg";
  ASSERT_EQ(RunCommand(rootctl + " --svg " + svg + " ta-report").exit_code, 0);
  EXPECT_THAT(ReadFileText(svg), HasSubstr(">trusts only KSK 20326</text>"));
  const RenderedSvg picture(svg);
  ASSERT_TRUE(picture.ok()) << ReadFileText(svg);
  EXPECT_EQ(picture.Rgb(75, 250), "#d62728");   // _ta: old only, 75% from the bottom ...
  EXPECT_EQ(picture.Rgb(75, 115), "#d62728");
  EXPECT_EQ(picture.Rgb(75, 105), "#ff7f0e");   // ... then both, 25%, to the top
  EXPECT_EQ(picture.Rgb(75, 62), "#ff7f0e");
  EXPECT_EQ(picture.Rgb(75, 55), "#ffffff");
  EXPECT_EQ(picture.Rgb(115, 250), "#ff7f0e");  // edns-key-tag: both 50% ...
  EXPECT_EQ(picture.Rgb(115, 100), "#2ca02c");  // ... new only 50%
  EXPECT_EQ(picture.Rgb(155, 200), "#ffffff");  // no third bar
}

TEST_F(RealZoneTest, CorruptZoneReloadIsRefusedAndTheOldSerialKeepsAnswering) {
  // The real zone with its serial changed: the SOA signature no longer verifies.
  std::string text = ReadFileText(Zones() + "/root.zone");
  size_t at = text.find("2017082100");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 10, "2017082199");
  std::string corrupt = dir_ + "/corrupt.zone";
  WriteFileText(corrupt, text);
  WriteFileText(dir_ + "/unparsable.zone", ". 86400 IN SOA garbage\n");
  for (const std::string& zone : {corrupt, dir_ + "/unparsable.zone", dir_ + "/missing.zone"}) {
    int status = -1;
    std::string out = RunCommand(Rootctl() + " --socket " + server_->control_socket() + " reload " + zone, &status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_THAT(out, HasSubstr("still serving serial 2017082100"));
    auto response = UdpExchange(port_, MakeWireQuery(4, ".", 6), 3000);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(SoaSerial(*response), kRealSerial);
  }
  EXPECT_THAT(server_->Log(), HasSubstr("reload of " + corrupt + " failed"));
  // A good reload still works afterwards.
  int status = -1;
  std::string out = RunCommand(Rootctl() + " --socket " + server_->control_socket() + " reload", &status);
  EXPECT_EQ(status, 0) << out;
}

// Two lab zones with the same keys and different serials.
struct LabPair {
  std::string a, b, anchor;
  uint32_t serial_a = 0, serial_b = 0;
};

LabPair MakeLabPair(const std::string& dir) {
  LabPair pair;
  zone::LabZoneOptions options;
  options.tld_count = 60;
  options.now = absl::Now();
  options.serial = 2026010100;
  absl::StatusOr<zone::LabZone> a = zone::GenerateLabZone(options);
  options.serial = 2026010101;
  absl::StatusOr<zone::LabZone> b = zone::GenerateLabZone(options);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return pair;
  pair.a = dir + "/a.zone";
  pair.b = dir + "/b.zone";
  pair.anchor = dir + "/lab.ds";
  WriteFileText(pair.a, a->text);
  WriteFileText(pair.b, b->text);
  WriteFileText(pair.anchor, a->trust_anchor_ds);
  pair.serial_a = a->serial;
  pair.serial_b = b->serial;
  return pair;
}

TEST(RootdReloadTest, ReloadUnderLoadLosesNoQueryAndAnswersStayConsistent) {
  std::string dir = MakeTempDir("reload");
  LabPair lab = MakeLabPair(dir);
  ASSERT_FALSE(lab.a.empty());
  uint16_t port = FreePort();
  RootdProcess server(dir, {"--zone", lab.a, "--trust-anchor", lab.anchor, "--listen", "127.0.0.1", "--threads", "2"},
                      port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();

  WriteFileText(dir + "/queries", ". SOA\ncom NS\nwww.example.com A\n. DNSKEY\nno-such-tld-xyz A\n");
  std::string dnsperf_output;
  std::thread load([&] {
    dnsperf_output = RunCommand("dnsperf -s 127.0.0.1 -p " + std::to_string(port) + " -d " + dir +
                                "/queries -l 4 -c 4 -Q 4000 -t 3").output;
  });
  // Meanwhile: SOA answers must always be NOERROR with one of the two serials.
  std::atomic<bool> stop{false};
  std::atomic<int> checked{0}, inconsistent{0};
  std::set<uint32_t> seen;
  std::thread checker([&] {
    for (uint16_t id = 1; !stop.load(); ++id) {
      auto response = UdpExchange(port, MakeWireQuery(id, ".", 6), 2000);
      if (!response) {
        inconsistent.fetch_add(1);
        continue;
      }
      std::optional<uint32_t> serial = SoaSerial(*response);
      if (Rcode(*response) != 0 || !serial || (*serial != lab.serial_a && *serial != lab.serial_b)) {
        inconsistent.fetch_add(1);
      } else {
        seen.insert(*serial);
      }
      checked.fetch_add(1);
    }
  });
  std::string control = " --socket " + server.control_socket() + " ";
  for (int i = 0; i < 6; ++i) {
    const std::string& zone = i % 2 == 0 ? lab.b : lab.a;
    int status = -1;
    std::string out = RunCommand(Rootctl() + control + "reload " + zone, &status);
    EXPECT_EQ(status, 0) << out;
    // Statistics merged while the workers count (TSan checks this in scripts/sanitize.sh).
    EXPECT_THAT(RunCommand(Rootctl() + control + "--json stats").output, HasSubstr("\"queries\":"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  load.join();
  stop.store(true);
  checker.join();

  EXPECT_THAT(dnsperf_output, HasSubstr("Queries lost:         0 ")) << dnsperf_output;
  EXPECT_GT(checked.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(seen.size(), 2u);
  std::string status_json = RunCommand(Rootctl() + control + "--json status").output;
  EXPECT_THAT(status_json, HasSubstr("\"reloads_ok\":6"));

  // SIGHUP reloads the current file: rewrite a.zone (now current) with b's content.
  WriteFileText(lab.a, ReadFileText(lab.b));
  server.Signal(SIGHUP);
  bool switched = false;
  for (int i = 0; i < 100 && !switched; ++i) {
    auto response = UdpExchange(port, MakeWireQuery(5, ".", 6), 1000);
    switched = response && SoaSerial(*response) == lab.serial_b;
    if (!switched) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(switched) << server.Log();
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr("SIGTERM: shutting down"));
}

TEST(RootdStartTest, RefusesToStartWhenThePortIsTaken) {
  std::string dir = MakeTempDir("port");
  uint16_t port = FreePort();
  RootdProcess first(dir + "", RealZoneArgs(), port);
  ASSERT_TRUE(first.WaitReady()) << first.Log();
  std::string dir2 = MakeTempDir("port2");
  RootdProcess second(dir2, RealZoneArgs(), port);
  int status = second.WaitExit(15000);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(second.Log(), HasSubstr("Address already in use"));
  // The first one is unaffected.
  auto response = UdpExchange(port, MakeWireQuery(6, ".", 6), 3000);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(SoaSerial(*response), kRealSerial);
}

TEST(RootdStartTest, RefusesToStartWithAnInvalidZone) {
  std::string dir = MakeTempDir("invalid");
  // Verified "now", the 2017 signatures have long expired.
  RootdProcess expired(dir, {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds"},
                       FreePort());
  EXPECT_EQ(expired.WaitExit(30000), 1);
  EXPECT_THAT(expired.Log(), HasSubstr("not starting: zone not loaded"));

  WriteFileText(dir + "/bad.zone", "this is not a zone\n");
  std::string dir2 = MakeTempDir("invalid2");
  RootdProcess bad(dir2, {"--zone", dir + "/bad.zone"}, FreePort());
  EXPECT_EQ(bad.WaitExit(15000), 1);
  EXPECT_THAT(bad.Log(), HasSubstr("bad.zone:1"));

  std::string dir3 = MakeTempDir("invalid3");
  RootdProcess flags(dir3, {"--workers", "many"}, FreePort());
  EXPECT_EQ(flags.WaitExit(15000), 2);
  EXPECT_THAT(flags.Log(), HasSubstr("--workers"));
}

TEST(RootdStartTest, DefaultRunServesTheLabZoneWithItsTrustAnchor) {
  std::string dir = MakeTempDir("default");
  uint16_t port = FreePort();
  RootdProcess server(dir, {"--threads", "1"}, port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr("its trust anchor (DS) is " + dir + "/lab-root.ds"));
  EXPECT_THAT(ReadFileText(dir + "/lab-root.ds"), HasSubstr(" IN DS "));
  std::string out = Dig(port, "+dnssec +norec . DNSKEY");
  EXPECT_THAT(out, HasSubstr("status: NOERROR"));
  EXPECT_THAT(out, HasSubstr("RRSIG\tDNSKEY"));
  EXPECT_THAT(Dig(port, "+norec . SOA", "::1"), HasSubstr("status: NOERROR"));
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace rootd::testing
