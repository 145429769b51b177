// Test helpers: run the built rootd as a child process on a free loopback port, and speak
// DNS to it over plain sockets.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/run_command.h"
#include "tests/test_paths.h"
#include "zone/zone.h"

namespace rootd::testing {

// A port free on 127.0.0.1 and ::1 for UDP and TCP (at the time of the call).
uint16_t FreePort();

// The built rootctl binary.
std::string Rootctl();

class RootdProcess {
 public:
  // Starts build/server/rootd with `args`; its stderr goes to dir/rootd.log.
  RootdProcess(const std::string& dir, std::vector<std::string> args, uint16_t port);
  ~RootdProcess();

  // Waits until the server answers an SOA query over UDP; false if it exits or 30 s pass.
  bool WaitReady();
  // Waits (bounded) for the process to exit; its exit status, or -1 on timeout.
  int WaitExit(int timeout_ms);
  // SIGTERM, then waits (bounded, SIGKILL after); the exit status.
  int Stop();
  void Signal(int sig);
  // The resident set size of the running process in KiB (VmRSS), or -1.
  int64_t RssKb() const;

  std::string Log() const;
  // Runs the built rootctl against this server's control socket: `rootctl --socket S command`.
  CommandResult Ctl(const std::string& command) const;
  std::string control_socket() const { return dir_ + "/rootd.ctl"; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::string dir_;
  uint16_t port_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// A DNS query in wire format (class IN, RD clear); with EDNS (DO set if `dnssec_ok`) when
// `edns_size` > 0.
std::vector<uint8_t> MakeWireQuery(uint16_t id, const std::string& name, uint16_t qtype, uint16_t edns_size = 0,
                                   bool dnssec_ok = false);

// Sends `query` over UDP to 127.0.0.1 (or ::1) and returns the response, or nothing after
// `timeout_ms`.
std::optional<std::vector<uint8_t>> UdpExchange(uint16_t port, const std::vector<uint8_t>& query, int timeout_ms,
                                                bool ipv6 = false);

// ". DNSKEY" with EDNS (4096 octets) and DO over UDP: the response, or empty after 3 s.
std::vector<uint8_t> DnskeyWithDo(uint16_t port);

// The answer-section records of `type` in `response`, names decompressed (the owner; RDATA
// as sent: DNSSEC types carry no compressed names). Empty if the message does not parse.
std::vector<zone::Record> AnswerRecords(const std::vector<uint8_t>& response, uint16_t type);

// The SOA serial in the answer section of `response`, if any.
std::optional<uint32_t> SoaSerial(const std::vector<uint8_t>& response);
inline int Rcode(const std::vector<uint8_t>& response) { return response.size() >= 4 ? (response[3] & 0x0f) : -1; }
inline uint16_t MessageId(const std::vector<uint8_t>& m) { return m.size() >= 2 ? static_cast<uint16_t>(m[0] << 8 | m[1]) : 0; }

// A TCP connection to 127.0.0.1:`port`; -1 on failure. Non-blocking sockets may still be
// connecting.
int TcpConnect(uint16_t port, bool nonblocking = false);

// `message` with its two-octet length prefix (RFC 1035 4.2.2).
std::vector<uint8_t> Framed(const std::vector<uint8_t>& message);

// Reads until the peer closes or `timeout_ms` passes; true if it closed (EOF or reset).
bool WaitClosed(int fd, int timeout_ms);

// One TCP query on a fresh connection; the response or empty.
std::vector<uint8_t> TcpQuery(uint16_t port, const std::vector<uint8_t>& query);

// Splits what arrives on a TCP connection into length-prefixed messages.
class TcpReader {
 public:
  explicit TcpReader(int fd) : fd_(fd) {}
  // The next whole message, or nothing when the peer closes or `timeout_ms` passes first.
  std::optional<std::vector<uint8_t>> Next(int timeout_ms);
  // True once the peer has closed (EOF or reset).
  bool closed() const { return closed_; }
  // Octets received that are not (yet) a whole message: after a close, half a message.
  size_t pending() const { return buffer_.size() - start_; }

 private:
  int fd_;
  bool closed_ = false;
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;
};

}  // namespace rootd::testing
