// Reading classic libpcap capture files (not pcapng): both byte orders, microsecond and
// nanosecond timestamps. Records are streamed, so captures larger than memory work.
#pragma once
#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace rootd::tools {

// Link types (https://www.tcpdump.org/linktypes.html) the query extractor understands.
inline constexpr uint32_t kLinkTypeNull = 0;        // BSD loopback: 4-byte host-order AF
inline constexpr uint32_t kLinkTypeEthernet = 1;
inline constexpr uint32_t kLinkTypeRawDlt12 = 12;   // DLT_RAW on most systems
inline constexpr uint32_t kLinkTypeRawDlt14 = 14;   // DLT_RAW on OpenBSD
inline constexpr uint32_t kLinkTypeRaw = 101;
inline constexpr uint32_t kLinkTypeLinuxSll = 113;
inline constexpr uint32_t kLinkTypeIpv4 = 228;
inline constexpr uint32_t kLinkTypeIpv6 = 229;
inline constexpr uint32_t kLinkTypeLinuxSll2 = 276;

struct PcapPacket {
  uint32_t seconds = 0;
  uint32_t fraction = 0;       // microseconds or nanoseconds, see PcapReader::nanosecond()
  uint32_t original_length = 0;
  std::string data;            // the captured bytes (may be shorter than original_length)
};

class PcapReader {
 public:
  // Fails on a file that is not classic pcap, naming pcapng when that is what it is.
  static absl::StatusOr<PcapReader> Open(const std::string& path);
  // The same over bytes in memory.
  static absl::StatusOr<PcapReader> FromBytes(std::string bytes);

  uint32_t link_type() const { return link_type_; }
  bool nanosecond() const { return nanosecond_; }

  // The next record: true with `packet` filled, false at the end of the file. A record cut
  // short by the end of the file (a capture that was killed) also ends it and sets
  // truncated_tail(); a record length beyond any sane snapshot length is an error.
  absl::StatusOr<bool> Next(PcapPacket* packet);
  bool truncated_tail() const { return truncated_tail_; }

 private:
  explicit PcapReader(std::unique_ptr<std::istream> in) : in_(std::move(in)) {}
  absl::Status ReadHeader(const std::string& name);
  uint32_t U32(const unsigned char* p) const;

  std::unique_ptr<std::istream> in_;
  bool swapped_ = false;
  bool nanosecond_ = false;
  uint32_t link_type_ = 0;
  bool truncated_tail_ = false;
  uint64_t records_ = 0;
};

}  // namespace rootd::tools
