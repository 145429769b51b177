#include "tools/pcap_reader.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::tools {
namespace {

constexpr uint32_t kMagicMicroseconds = 0xa1b2c3d4;
constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
constexpr uint32_t kPcapngSectionHeader = 0x0a0d0d0a;
constexpr size_t kFileHeaderSize = 24;
constexpr size_t kRecordHeaderSize = 16;
// tcpdump's largest snapshot length; a bigger record length means a corrupt file, and
// refusing it keeps a bad length from allocating gigabytes.
constexpr uint32_t kMaxRecordLength = 262144;

uint32_t Swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

}  // namespace

absl::StatusOr<PcapReader> PcapReader::Open(const std::string& path) {
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) return absl::NotFoundError(Cat("cannot open ", path));
  PcapReader reader(std::move(file));
  if (absl::Status s = reader.ReadHeader(path); !s.ok()) return s;
  return reader;
}

absl::StatusOr<PcapReader> PcapReader::FromBytes(std::string bytes) {
  PcapReader reader(std::make_unique<std::istringstream>(std::move(bytes), std::ios::binary));
  if (absl::Status s = reader.ReadHeader("capture"); !s.ok()) return s;
  return reader;
}

uint32_t PcapReader::U32(const unsigned char* p) const {
  // Fields are in the writer's byte order; read little-endian, swap if the magic said so.
  const uint32_t v = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  return swapped_ ? Swap32(v) : v;
}

absl::Status PcapReader::ReadHeader(const std::string& name) {
  unsigned char header[kFileHeaderSize];
  in_->read(reinterpret_cast<char*>(header), sizeof header);
  if (in_->gcount() >= 4 && U32(header) == kPcapngSectionHeader) {
    return absl::InvalidArgumentError(
        Cat(name, ": pcapng is not supported; convert it to classic pcap first: editcap -F pcap IN OUT"));
  }
  if (in_->gcount() != static_cast<std::streamsize>(sizeof header)) {
    return absl::InvalidArgumentError(Cat(name, ": too short for a pcap file header"));
  }
  const uint32_t magic = U32(header);
  if (magic == kMagicMicroseconds || magic == kMagicNanoseconds) {
    swapped_ = false;
  } else if (Swap32(magic) == kMagicMicroseconds || Swap32(magic) == kMagicNanoseconds) {
    swapped_ = true;
  } else {
    return absl::InvalidArgumentError(Cat(name, ": not a pcap file (unknown magic number)"));
  }
  nanosecond_ = U32(header) == kMagicNanoseconds;
  // The upper bits of the link-type field carry FCS information (pcap-savefile(5)).
  link_type_ = U32(header + 20) & 0x0fffffff;
  return absl::OkStatus();
}

absl::StatusOr<bool> PcapReader::Next(PcapPacket* packet) {
  unsigned char header[kRecordHeaderSize];
  in_->read(reinterpret_cast<char*>(header), sizeof header);
  if (in_->gcount() == 0) return false;
  if (in_->gcount() != static_cast<std::streamsize>(sizeof header)) {
    truncated_tail_ = true;
    return false;
  }
  const uint32_t captured = U32(header + 8);
  if (captured > kMaxRecordLength) {
    return absl::DataLossError(Cat("record ", records_ + 1, ": captured length ", captured, " is not plausible"));
  }
  packet->seconds = U32(header);
  packet->fraction = U32(header + 4);
  packet->original_length = U32(header + 12);
  packet->data.resize(captured);
  in_->read(packet->data.data(), captured);
  if (in_->gcount() != static_cast<std::streamsize>(captured)) {
    truncated_tail_ = true;
    return false;
  }
  ++records_;
  return true;
}

}  // namespace rootd::tools
