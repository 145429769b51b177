#include "tests/server/rootd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "server/control.h"
#include "tests/test_paths.h"

namespace rootd::testing {

namespace {

bool CanBind(int family, int type, uint16_t port) {
  int fd = socket(family, type, 0);
  if (fd < 0) return false;
  sockaddr_storage storage{};
  socklen_t size;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    size = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    size = sizeof *a;
  }
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&storage), size) == 0;
  close(fd);
  return ok;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

size_t SkipName(const std::vector<uint8_t>& m, size_t p) {
  while (p < m.size()) {
    uint8_t len = m[p];
    if (len == 0) return p + 1;
    if ((len & 0xc0) == 0xc0) return p + 2;
    p += 1 + len;
  }
  return m.size() + 1;
}

// The name at `p` in wire form with compression pointers followed; nothing if it is malformed
// (a pointer loop, a label past the end, a name over 255 octets).
std::optional<std::string> ReadName(const std::vector<uint8_t>& m, size_t p) {
  std::string name;
  for (int jumps = 0; p < m.size() && jumps < 64;) {
    const uint8_t len = m[p];
    if ((len & 0xc0) == 0xc0) {
      if (p + 1 >= m.size()) return std::nullopt;
      p = size_t{len & 0x3fu} << 8 | m[p + 1];
      ++jumps;
      continue;
    }
    if (len > 63 || p + 1 + len > m.size() || name.size() + 1 + len > 255) return std::nullopt;
    name.append(reinterpret_cast<const char*>(&m[p]), 1 + len);
    if (len == 0) return name;
    p += 1 + len;
  }
  return std::nullopt;
}

}  // namespace

uint16_t FreePort() {
  // Seeded from the kernel, not from pid and clock: ctest starts test processes with neighbouring
  // pids a few milliseconds apart, and pid ^ time then repeats, so two tests probed the same ports.
  std::random_device entropy;
  std::mt19937 random(entropy());
  for (int attempt = 0; attempt < 200; ++attempt) {
    uint16_t port = static_cast<uint16_t>(20000 + random() % 30000);
    if (CanBind(AF_INET, SOCK_DGRAM, port) && CanBind(AF_INET, SOCK_STREAM, port) &&
        CanBind(AF_INET6, SOCK_DGRAM, port) && CanBind(AF_INET6, SOCK_STREAM, port))
      return port;
  }
  return 0;
}

std::string Rootctl() { return BinaryDir() + "/tools/rootctl"; }

RootdProcess::RootdProcess(const std::string& dir, std::vector<std::string> args, uint16_t port)
    : dir_(dir), port_(port) {
  std::string binary = BinaryDir() + "/server/rootd";
  std::string log = dir + "/rootd.log";
  args.insert(args.begin(), binary);
  for (std::string extra : {"--port", "--state-dir", "--control-socket"}) {
    args.push_back(extra);
    args.push_back(extra == "--port" ? std::to_string(port) : extra == "--state-dir" ? dir : control_socket());
  }
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

RootdProcess::~RootdProcess() {
  if (pid_ > 0) Stop();
}

bool RootdProcess::WaitReady() {
  int64_t deadline = NowMs() + 30000;
  std::vector<uint8_t> query = MakeWireQuery(1, ".", 6);
  while (NowMs() < deadline) {
    if (WaitExit(0) != -1) return false;
    // Ready means every thread is running: the control thread answers only once it has
    // started. (A thread first scheduled later, when a test has already exhausted rootd's file
    // descriptors, trips UBSan's vptr check, which needs a pipe() to read the vtable.)
    if (UdpExchange(port_, query, 200) &&
        server::ControlCall(control_socket(), server::ControlRequest{.command = "status"}, 2000).ok()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int RootdProcess::WaitExit(int timeout_ms) {
  if (pid_ <= 0) return exit_status_;
  int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_status_;
    }
    if (NowMs() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RootdProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int RootdProcess::Stop() {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, SIGTERM);
  int status = WaitExit(10000);
  if (status == -1) {
    kill(pid_, SIGKILL);
    WaitExit(5000);
    return -1;
  }
  return status;
}

int64_t RootdProcess::RssKb() const {
  if (pid_ <= 0) return -1;
  std::string status = ReadFileText("/proc/" + std::to_string(pid_) + "/status");
  size_t at = status.find("VmRSS:");
  if (at == std::string::npos) return -1;
  return std::strtoll(status.c_str() + at + 6, nullptr, 10);
}

std::string RootdProcess::Log() const { return ReadFileText(dir_ + "/rootd.log"); }

CommandResult RootdProcess::Ctl(const std::string& command) const {
  return RunCommand(Rootctl() + " --socket " + control_socket() + " " + command);
}

std::vector<uint8_t> MakeWireQuery(uint16_t id, const std::string& name, uint16_t qtype, uint16_t edns_size,
                                   bool dnssec_ok) {
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0,
                            static_cast<uint8_t>(edns_size > 0 ? 1 : 0)};
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    if (dot > start) {
      q.push_back(static_cast<uint8_t>(dot - start));
      q.insert(q.end(), name.begin() + start, name.begin() + dot);
    }
    start = dot + 1;
  }
  q.push_back(0);
  q.insert(q.end(), {static_cast<uint8_t>(qtype >> 8), static_cast<uint8_t>(qtype), 0, 1});
  if (edns_size > 0) {
    q.insert(q.end(), {0, 0, 41, static_cast<uint8_t>(edns_size >> 8), static_cast<uint8_t>(edns_size), 0, 0,
                       static_cast<uint8_t>(dnssec_ok ? 0x80 : 0), 0, 0, 0});
  }
  return q;
}

std::optional<std::vector<uint8_t>> UdpExchange(uint16_t port, const std::vector<uint8_t>& query, int timeout_ms,
                                                bool ipv6) {
  int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
  sockaddr_storage storage{};
  socklen_t size;
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    size = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    size = sizeof *a;
  }
  std::optional<std::vector<uint8_t>> result;
  if (sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&storage), size) ==
      static_cast<ssize_t>(query.size())) {
    int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(deadline - NowMs())) <= 0) continue;
      std::vector<uint8_t> buffer(65535);
      ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
      if (n <= 0) break;
      buffer.resize(n);
      if (buffer.size() >= 2 && buffer[0] == query[0] && buffer[1] == query[1]) {
        result = std::move(buffer);
        break;
      }
    }
  }
  close(fd);
  return result;
}

int TcpConnect(uint16_t port, bool nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  if (rc != 0 && !(nonblocking && errno == EINPROGRESS)) {
    close(fd);
    return -1;
  }
  return fd;
}

std::vector<uint8_t> Framed(const std::vector<uint8_t>& message) {
  std::vector<uint8_t> out;
  out.reserve(message.size() + 2);
  out.push_back(static_cast<uint8_t>(message.size() >> 8));
  out.push_back(static_cast<uint8_t>(message.size()));
  for (uint8_t b : message) out.push_back(b);  // (insert() trips a GCC 12 -Warray-bounds false positive)
  return out;
}

bool WaitClosed(int fd, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return true;
  }
  return false;
}

std::vector<uint8_t> TcpQuery(uint16_t port, const std::vector<uint8_t>& query) {
  int fd = TcpConnect(port);
  if (fd < 0) return {};
  std::vector<uint8_t> framed = Framed(query);
  send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
  std::vector<uint8_t> in;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (in.size() >= 2 && in.size() >= 2u + (in[0] << 8 | in[1])) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    uint8_t buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    in.insert(in.end(), buffer, buffer + n);
  }
  close(fd);
  if (in.size() < 2 || in.size() < 2u + (in[0] << 8 | in[1])) return {};
  return std::vector<uint8_t>(in.begin() + 2, in.begin() + 2 + (in[0] << 8 | in[1]));
}

std::optional<std::vector<uint8_t>> TcpReader::Next(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    size_t available = buffer_.size() - start_;
    if (available >= 2) {
      size_t length = size_t{buffer_[start_]} << 8 | buffer_[start_ + 1];
      if (available >= 2 + length) {
        std::vector<uint8_t> message(buffer_.begin() + start_ + 2, buffer_.begin() + start_ + 2 + length);
        start_ += 2 + length;
        if (start_ > (1 << 20)) {  // keep the buffer from growing with everything ever read
          buffer_.erase(buffer_.begin(), buffer_.begin() + start_);
          start_ = 0;
        }
        return message;
      }
    }
    if (closed_) return std::nullopt;
    int64_t left = deadline - NowMs();
    if (left <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 100))) <= 0) continue;
    uint8_t chunk[65536];
    ssize_t n = recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      closed_ = true;
      continue;
    }
    buffer_.insert(buffer_.end(), chunk, chunk + n);
  }
}

std::vector<uint8_t> DnskeyWithDo(uint16_t port) {
  std::optional<std::vector<uint8_t>> response = UdpExchange(port, MakeWireQuery(0x2a2a, ".", 48, 4096, true), 3000);
  return response.value_or(std::vector<uint8_t>{});
}

std::vector<zone::Record> AnswerRecords(const std::vector<uint8_t>& m, uint16_t type) {
  std::vector<zone::Record> out;
  if (m.size() < 12) return out;
  const int questions = m[4] << 8 | m[5], answers = m[6] << 8 | m[7];
  size_t p = 12;
  for (int i = 0; i < questions; ++i) p = SkipName(m, p) + 4;
  for (int i = 0; i < answers; ++i) {
    std::optional<std::string> owner = ReadName(m, p);
    p = SkipName(m, p);
    if (!owner || p + 10 > m.size()) return {};
    zone::Record r;
    r.owner = std::move(*owner);
    r.type = static_cast<uint16_t>(m[p] << 8 | m[p + 1]);
    r.rclass = static_cast<uint16_t>(m[p + 2] << 8 | m[p + 3]);
    r.ttl = uint32_t{m[p + 4]} << 24 | uint32_t{m[p + 5]} << 16 | uint32_t{m[p + 6]} << 8 | m[p + 7];
    const size_t length = size_t{m[p + 8]} << 8 | m[p + 9];
    p += 10;
    if (p + length > m.size()) return {};
    r.rdata.assign(reinterpret_cast<const char*>(&m[p]), length);
    p += length;
    if (r.type == type) out.push_back(std::move(r));
  }
  return out;
}

std::optional<uint32_t> SoaSerial(const std::vector<uint8_t>& m) {
  if (m.size() < 12 || (m[6] << 8 | m[7]) == 0) return std::nullopt;
  size_t p = SkipName(m, 12) + 4;        // question
  p = SkipName(m, p);                    // answer owner
  if (p + 10 > m.size() || (m[p] << 8 | m[p + 1]) != 6) return std::nullopt;
  p += 10;
  p = SkipName(m, SkipName(m, p));       // MNAME, RNAME
  if (p + 4 > m.size()) return std::nullopt;
  return uint32_t{m[p]} << 24 | uint32_t{m[p + 1]} << 16 | uint32_t{m[p + 2]} << 8 | m[p + 3];
}

}  // namespace rootd::testing
