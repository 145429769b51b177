// End-to-end tests of rootd's DNS over TCP (RFC 7766) limits: the connection cap, the
// per-connection output bound, shutdown with answers in flight, and the idle timeout. Each
// test runs its own rootd with one TCP loop so that every connection shares it. Every wait
// is bounded; the only assertions on time are generous upper bounds for "eventually".
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kRealSerial = 2017082100;
constexpr uint16_t kSoa = 6;
constexpr uint16_t kDnskey = 48;

// The real 2017 root zone on 127.0.0.1 with a single TCP loop, plus `extra` flags.
std::vector<std::string> TcpArgs(const std::vector<std::string>& extra) {
  std::string zones = SharedDataDir() + "/zones";
  std::vector<std::string> args = {"--zone", zones + "/root.zone", "--trust-anchor", zones + "/root.zone.ds",
                                   "--at", "2017-08-25T00:00:00Z", "--listen", "127.0.0.1", "--threads", "1",
                                   "--tcp-workers", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// `. DNSKEY` with DO: the keys and their signature, about 1.1 KB, so that a few hundred
// pipelined queries are worth more than the server's per-connection output bound.
std::vector<uint8_t> LargeQuery(uint16_t id) { return MakeWireQuery(id, ".", kDnskey, 4096, /*dnssec_ok=*/true); }

bool SendAll(int fd, const std::vector<uint8_t>& data) {
  return send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

// Sends an SOA query on an open connection and reads its answer (bounded).
bool QueryOn(int fd, uint16_t id) {
  if (!SendAll(fd, Framed(MakeWireQuery(id, ".", kSoa)))) return false;
  TcpReader reader(fd);
  std::optional<std::vector<uint8_t>> response = reader.Next(5000);
  return response && MessageId(*response) == id && SoaSerial(*response) == kRealSerial;
}

class ScopedFds {
 public:
  ~ScopedFds() {
    for (int fd : fds_) close(fd);
  }
  int Add(int fd) {
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }

 private:
  std::vector<int> fds_;
};

TEST(RootdTcpTest, NewConnectionAtTheCapEvictsTheLeastActive) {
  std::string dir = MakeTempDir("tcp_cap");
  uint16_t port = FreePort();
  RootdProcess server(dir, TcpArgs({"--tcp-max-connections", "8", "--tcp-idle-timeout", "60000"}), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  ScopedFds fds;

  // Eight idle connections fill the cap; the kernel hands them to the server in the order
  // they were made, so the first is the least recently active.
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(fds.Add(TcpConnect(port)));
    ASSERT_GE(idle.back(), 0) << i;
  }
  // The ninth is served: a full server makes room rather than refusing (RFC 7766 6.2.2)...
  int ninth = fds.Add(TcpConnect(port));
  ASSERT_GE(ninth, 0);
  EXPECT_TRUE(QueryOn(ninth, 9));
  // ...at the expense of the oldest idle one.
  EXPECT_TRUE(WaitClosed(idle[0], 5000));
  // Everyone else is untouched and still answers.
  for (int i = 1; i < 8; ++i) EXPECT_TRUE(QueryOn(idle[i], static_cast<uint16_t>(100 + i))) << i;
  EXPECT_TRUE(QueryOn(ninth, 10));
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

TEST(RootdTcpTest, OutOfDescriptorsEvictsTheLeastActiveInsteadOfSpinning) {
  std::string dir = MakeTempDir("tcp_emfile");
  uint16_t port = FreePort();
  RootdProcess server(dir, TcpArgs({"--tcp-idle-timeout", "60000"}), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  // Once it serves, rootd's descriptor limit drops to 96, far below its default cap of 4096:
  // accepts fail with EMFILE long before the cap, and the least active connection must make
  // room.
  const rlimit low{96, 96};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  ScopedFds fds;

  std::vector<int> idle;
  for (int i = 0; i < 150; ++i) {
    idle.push_back(fds.Add(TcpConnect(port)));
    ASSERT_GE(idle.back(), 0) << i;
  }
  // The newest is served; the oldest lost its place.
  EXPECT_TRUE(QueryOn(idle.back(), 1));
  EXPECT_TRUE(WaitClosed(idle.front(), 5000));
  // The loop did not spin on its readable listener: at most a few warnings in the log.
  const std::string log = server.Log();
  size_t warnings = 0;
  for (size_t at = log.find("out of file descriptors"); at != std::string::npos;
       at = log.find("out of file descriptors", at + 1)) {
    ++warnings;
  }
  EXPECT_LE(warnings, 5u) << log.substr(0, 2000);
  EXPECT_EQ(server.Stop(), 0) << log.substr(0, 2000);
}

TEST(RootdTcpTest, ClientThatDoesNotReadIsHeldAtTheOutputBound) {
  std::string dir = MakeTempDir("tcp_bound");
  uint16_t port = FreePort();
  // A long idle timeout: the stalled client makes no write progress for a while and must
  // not lose its connection for that here.
  RootdProcess server(dir, TcpArgs({"--tcp-idle-timeout", "60000"}), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  int64_t rss_before = server.RssKb();
  ASSERT_GT(rss_before, 0);
  ScopedFds fds;

  int slow = fds.Add(TcpConnect(port));
  ASSERT_GE(slow, 0);
  // Pipeline queries without reading, until the server stops taking them or until so many
  // were taken that answering them all would be ~300 MB: a server without the bound reads
  // them all and the RSS check below catches it.
  constexpr int kMaxQueries = 250000;
  std::vector<uint8_t> stream;
  for (int i = 0; i < kMaxQueries; ++i) {
    std::vector<uint8_t> q = Framed(LargeQuery(static_cast<uint16_t>(i)));
    stream.insert(stream.end(), q.begin(), q.end());
  }
  const size_t query_size = stream.size() / kMaxQueries;
  size_t sent = 0;
  while (sent < stream.size()) {
    ssize_t n = send(slow, stream.data() + sent, stream.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += n;
      continue;
    }
    ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == EINTR)) << strerror(errno);
    // Blocked: wait a little for the server to take more, and call it stalled if it does not.
    pollfd p{slow, POLLOUT, 0};
    if (poll(&p, 1, 1000) == 0) break;
  }
  size_t whole_queries = sent / query_size;
  EXPECT_LT(whole_queries, static_cast<size_t>(kMaxQueries)) << "the server never stopped reading";

  // Meanwhile the server neither hoards answers nor stops serving others on the same loop.
  int64_t rss_stalled = server.RssKb();
  EXPECT_LT(rss_stalled, 200 * 1024) << "RSS before " << rss_before << " KiB";
  std::vector<uint8_t> other = TcpQuery(port, MakeWireQuery(7, ".", kSoa));
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(SoaSerial(other), kRealSerial);

  // Once the client reads, every query it sent is answered, in order; the tail of the
  // stream that did not fit is sent as room appears.
  TcpReader reader(slow);
  size_t answered = 0;
  bool in_order = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t total = whole_queries + (sent % query_size != 0 ? 1 : 0);
  while (answered < total && std::chrono::steady_clock::now() < deadline) {
    if (sent < total * query_size) {
      ssize_t n = send(slow, stream.data() + sent, total * query_size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += n;
    }
    std::optional<std::vector<uint8_t>> response = reader.Next(100);
    if (!response) {
      if (reader.closed()) break;
      continue;
    }
    in_order = in_order && MessageId(*response) == static_cast<uint16_t>(answered) && Rcode(*response) == 0;
    ++answered;
  }
  EXPECT_EQ(answered, total);
  EXPECT_TRUE(in_order);
  EXPECT_FALSE(reader.closed());
  EXPECT_LT(server.RssKb(), 200 * 1024);
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

TEST(RootdTcpTest, ShutdownAnswersEveryQueryAlreadyReceived) {
  std::string dir = MakeTempDir("tcp_shutdown");
  uint16_t port = FreePort();
  RootdProcess server(dir, TcpArgs({}), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  ScopedFds fds;

  int fd = fds.Add(TcpConnect(port));
  ASSERT_GE(fd, 0);
  // One exchange first, so that the connection has been accepted: one still in the listen
  // queue at shutdown has sent nothing the server has received.
  ASSERT_TRUE(QueryOn(fd, 1));
  // About 1.1 MB of answers: more than the output bound and the socket buffers take, so at
  // shutdown some are still to be made and written. 45 KB of queries fit the server's
  // receive buffer, so send() returning means the server has received them all.
  constexpr int kQueries = 1000;
  std::vector<uint8_t> burst;
  for (int i = 0; i < kQueries; ++i) {
    std::vector<uint8_t> q = Framed(LargeQuery(static_cast<uint16_t>(1000 + i)));
    burst.insert(burst.end(), q.begin(), q.end());
  }
  ASSERT_TRUE(SendAll(fd, burst));
  server.Signal(SIGTERM);
  // Start reading only once the server is draining, with answers held back at the bound.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  TcpReader reader(fd);
  int answered = 0;
  bool in_order = true;
  while (auto response = reader.Next(10000)) {
    in_order = in_order && MessageId(*response) == 1000 + answered && Rcode(*response) == 0;
    ++answered;
  }
  EXPECT_TRUE(reader.closed());
  EXPECT_EQ(reader.pending(), 0u) << "half a message before the close";
  EXPECT_EQ(answered, kQueries);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(server.WaitExit(10000), 0) << server.Log();
  EXPECT_THAT(server.Log(), Not(HasSubstr("unsent answers")));
}

TEST(RootdTcpTest, IdleAndHalfSentConnectionsAreClosedAfterTheIdleTimeout) {
  std::string dir = MakeTempDir("tcp_idle");
  uint16_t port = FreePort();
  RootdProcess server(dir, TcpArgs({"--tcp-idle-timeout", "300"}), port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  ScopedFds fds;

  std::vector<uint8_t> query = Framed(MakeWireQuery(1, "com", 2));
  int silent = fds.Add(TcpConnect(port));
  int half_prefix = fds.Add(TcpConnect(port));
  int half_message = fds.Add(TcpConnect(port));
  int answered_then_silent = fds.Add(TcpConnect(port));
  ASSERT_GE(silent, 0);
  ASSERT_GE(half_prefix, 0);
  ASSERT_GE(half_message, 0);
  ASSERT_GE(answered_then_silent, 0);
  ASSERT_EQ(send(half_prefix, query.data(), 1, MSG_NOSIGNAL), 1);
  ASSERT_TRUE(SendAll(half_message, std::vector<uint8_t>(query.begin(), query.begin() + query.size() / 2)));
  ASSERT_TRUE(QueryOn(answered_then_silent, 2));

  EXPECT_TRUE(WaitClosed(silent, 5000));
  EXPECT_TRUE(WaitClosed(half_prefix, 5000));
  EXPECT_TRUE(WaitClosed(half_message, 5000));
  EXPECT_TRUE(WaitClosed(answered_then_silent, 5000));
  // The server itself is fine.
  std::vector<uint8_t> response = TcpQuery(port, MakeWireQuery(3, ".", kSoa));
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(SoaSerial(response), kRealSerial);
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

}  // namespace
}  // namespace rootd::testing
