// libFuzzer target for the query engine: arbitrary bytes in as a query, over a small inline
// root zone and (when ../shared/data has it) the real root zone, with the engine
// configuration, transport and output capacity chosen by the input's first octets.
//
// Input layout:
//   [0]     engine configuration: bits 0-1 NSID, bits 2-3 maximum UDP payload, bit 4 server
//           cookies, bit 5 CHAOS identity and version (else REFUSED)
//   [1]     bit 0 transport (UDP/TCP), bit 1 zone (inline/real), bit 2 client address family
//   [2..3]  output capacity, big-endian, raised to 512 (so small values all test 512)
//   [4..]   the query
//
// Besides what ASan and UBSan catch, every response must satisfy the invariants in
// CheckResponse(); a violation aborts, which libFuzzer reports as a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "tests/server/test_zones.h"
#include "tests/test_paths.h"
#include "zone/image.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"

namespace rootd::fuzz {
namespace {

using server::BurstQuery;
using server::Engine;
using server::EngineConfig;
using server::QueryInfo;
using server::Request;
using server::Transport;

constexpr size_t kPrefixSize = 4;
constexpr size_t kHeaderSize = 12;
constexpr size_t kMinCapacity = 512;

// Every shape the engine answers from: apex RRsets with signatures, a TLD whose in-domain
// glue alone exceeds 512 octets (truncation), TLDs with and without DS, sibling glue, and an
// NSEC chain for NXDOMAIN proofs. Signatures are placeholders: the image does not check them.
constexpr char kInlineZone[] = R"(
$TTL 86400
.  86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112300 1800 900 604800 86400
.  86400 IN RRSIG SOA 8 0 86400 20261207000000 20261123000000 46780 . c2lnbmF0dXJlLW9mLXRoZS1zb2E=
.  518400 IN NS a.root-servers.net.
.  518400 IN NS b.root-servers.net.
.  518400 IN RRSIG NS 8 0 518400 20261207000000 20261123000000 46780 . c2lnbmF0dXJlLW9mLXRoZS1ucw==
.  172800 IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=
.  172800 IN DNSKEY 256 3 8 AwEAAYvxrQOOujKdZz+37P+oL4l7e35/0diH/mZITGjlp4f81ZGQK42HNxSfkiSahinPR3t0YQhjC393NX4TorSiTJy76TBWddNOkC/IaGqcb4erU+nQ75k2Lqjr8aF30VTMQuafA+5YH0lyCm2o1gNuFbRkasYQSFw3k/BP2PoSTjuYkSBUOLRm1nHbT+fLvWVdCbHgAQ8VHPDmC5VS8LwSdbCQmRFsDXXlrbeAWdsJ6wqXcOmnMMz9PQpHsUhVpUcAJrCRWN6QR0N8+hUmy3OKkBoz3nMWf46eV9k+r6+3ajBBMnRGzvBpF7fx2u6KBqvZbPJSGsiuSdcNwi2bWzk=
.  172800 IN RRSIG DNSKEY 8 0 172800 20261207000000 20261123000000 20326 . c2lnbmF0dXJlLW9mLXRoZS1kbnNrZXk=
.  86400 IN NSEC big. NS SOA RRSIG NSEC DNSKEY
.  86400 IN RRSIG NSEC 8 0 86400 20261207000000 20261123000000 46780 . c2lnbmF0dXJlLW9mLXRoZS1uc2Vj
a.root-servers.net. 518400 IN A 198.41.0.4
a.root-servers.net. 518400 IN AAAA 2001:503:ba3e::2:30
b.root-servers.net. 518400 IN A 170.247.170.2
big. 86400 IN NSEC com. NS RRSIG NSEC
com. 172800 IN NS a.gtld-servers.net.
com. 172800 IN NS b.gtld-servers.net.
com. 86400 IN DS 19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D771D7805A
com. 86400 IN RRSIG DS 8 1 86400 20261207000000 20261123000000 46780 . c2lnbmF0dXJlLW9mLWNvbS1kcw==
com. 86400 IN NSEC de. NS DS RRSIG NSEC
de. 172800 IN NS a.nic.de.
de. 172800 IN NS a.gtld-servers.net.
de. 86400 IN DS 26755 8 2 F341357809A5954311CCB82ADE114C6C1D724A75C0395137AA397803 5425E78D
de. 86400 IN NSEC net. NS DS RRSIG NSEC
a.nic.de. 172800 IN A 194.0.0.53
a.nic.de. 172800 IN AAAA 2001:678:2::53
net. 172800 IN NS a.gtld-servers.net.
net. 172800 IN NS a.root-servers.net.
net. 86400 IN DS 37331 13 2 2F0BEC2D6F79DFBD1D08FD21A3AF92D0E39A4B9EF1E3F4111FFF282490DA453B
net. 86400 IN NSEC xn--p1ai. NS DS RRSIG NSEC
a.gtld-servers.net. 172800 IN A 192.5.6.30
a.gtld-servers.net. 172800 IN AAAA 2001:503:a83e::2:30
b.gtld-servers.net. 172800 IN A 192.33.14.30
xn--p1ai. 172800 IN NS a.dns.ripn.net.
xn--p1ai. 86400 IN NSEC . NS RRSIG NSEC
)";

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "engine_fuzzer: %s\n", what);
  std::abort();
}

void Require(bool condition, const char* what) {
  if (!condition) Fail(what);
}

std::shared_ptr<const zone::ZoneImage> CompileOrDie(absl::StatusOr<zone::Zone> zone) {
  if (!zone.ok()) Fail(std::string(zone.status().message()).c_str());
  auto image = zone::ZoneImage::Compile(*zone);
  if (!image.ok()) Fail(std::string(image.status().message()).c_str());
  return *image;
}

struct State {
  std::shared_ptr<const zone::ZoneImage> inline_image;
  std::shared_ptr<const zone::ZoneImage> real_image;  // null when the data is absent
  std::vector<Engine> engines;                         // indexed by the input's first octet
};
State* state = nullptr;

constexpr int kEngineCount = 64;
// NSID sizes: none, typical, and long ones whose OPT record is a large part of 512 octets.
constexpr size_t kNsidSizes[4] = {0, 12, 128, 255};
constexpr uint16_t kMaxPayloads[4] = {0, 1232, 4096, 65535};  // 0: raised to 512 by Engine

EngineConfig ConfigFor(int bits) {
  EngineConfig config;
  config.nsid = std::string(kNsidSizes[bits & 3], 'n');
  config.max_udp_payload = kMaxPayloads[(bits >> 2) & 3];
  if (bits & 16) config.cookie_secret = "0123456789abcdef";
  if (bits & 32) {
    config.identity = "fuzz.rootd.example";
    config.version = "rootd fuzz";
  }
  return config;
}

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// A minimal, strict structural walk of a response: every name made of labels of at most 63
// octets ending in the root or in a pointer strictly back to a name written entirely before
// it, records fitting their RDLENGTH, the header counts matching the records present, nothing
// after them. Names inside the RDATA the engine writes are walked too, since their pointers
// are shifted at run time.
class Walker {
 public:
  Walker(const uint8_t* m, size_t size) : m_(m), size_(size) {}

  void Walk() {
    Require(size_ >= kHeaderSize, "response shorter than a header");
    pos_ = kHeaderSize;
    const uint16_t counts[4] = {Get16(m_ + 4), Get16(m_ + 6), Get16(m_ + 8), Get16(m_ + 10)};
    for (uint16_t i = 0; i < counts[0]; ++i) {
      Name(pos_, size_, true);
      Require(pos_ + 4 <= size_, "question cut short");
      pos_ += 4;
    }
    question_end_ = pos_;
    for (int section = 1; section < 4; ++section) {
      for (uint16_t i = 0; i < counts[section]; ++i) Record(section);
    }
    Require(pos_ == size_, "bytes after the last record counted in the header");
  }

  size_t question_end() const { return question_end_; }
  bool has_opt() const { return has_opt_; }

 private:
  // Walks the name at `at`, which must end by `end`; leaves `at` past it.
  void Name(size_t& at, size_t end, bool allow_pointers) {
    size_t p = at;
    size_t limit = end;  // after a jump, the name must lie wholly before the pointer
    size_t length = 0;
    bool jumped = false;
    while (true) {
      Require(p < limit, "name runs past its bounds");
      const uint8_t len = m_[p];
      if ((len & 0xc0) == 0xc0) {
        Require(allow_pointers, "compression pointer where none is allowed");
        Require(p + 2 <= limit, "pointer cut short");
        const size_t target = static_cast<size_t>(len & 0x3f) << 8 | m_[p + 1];
        Require(target >= kHeaderSize, "pointer into the header");
        Require(target < p, "pointer forward or into itself");
        if (!jumped) at = p + 2;
        jumped = true;
        limit = p;
        p = target;
        continue;
      }
      Require(len <= 63, "label type 0x40/0x80 or a label over 63 octets");
      length += 1 + len;
      Require(length <= 255, "name over 255 octets");
      Require(p + 1 + len <= limit, "label runs past its bounds");
      if (len == 0) {
        if (!jumped) at = p + 1;
        return;
      }
      p += 1 + len;
    }
  }

  void Record(int section) {
    const size_t owner = pos_;
    Name(pos_, size_, true);
    Require(pos_ + 10 <= size_, "record header cut short");
    const uint16_t type = Get16(m_ + pos_), rdlength = Get16(m_ + pos_ + 8);
    pos_ += 10;
    Require(pos_ + rdlength <= size_, "RDATA past the end");
    const size_t end = pos_ + rdlength;
    size_t at = pos_;
    switch (type) {
      case dns::kTypeNs:
      case dns::kTypeCname:
      case dns::kTypePtr:
        Name(at, end, true);
        Require(at == end, "RDATA longer than its name");
        break;
      case dns::kTypeSoa:
        Name(at, end, true);
        Name(at, end, true);
        Require(at + 20 == end, "SOA RDATA size");
        break;
      case dns::kTypeMx:
        Require(rdlength >= 3, "MX RDATA size");
        at += 2;
        Name(at, end, true);
        Require(at == end, "MX RDATA longer than its name");
        break;
      case dns::kTypeNsec:  // RFC 4034 4.1.1: the next name is never compressed
        Name(at, end, false);
        break;
      case dns::kTypeOpt:
        Require(section == 3, "OPT outside the additional section");
        Require(!has_opt_, "two OPT records");
        Require(pos_ - 10 == owner + 1 && m_[owner] == 0, "OPT not owned by the root");
        has_opt_ = true;
        while (at < end) {
          Require(at + 4 <= end, "EDNS option header cut short");
          at += 4 + Get16(m_ + at + 2);
          Require(at <= end, "EDNS option past its RDATA");
        }
        break;
      default:
        break;
    }
    pos_ = end;
  }

  const uint8_t* m_;
  size_t size_;
  size_t pos_ = 0;
  size_t question_end_ = kHeaderSize;
  bool has_opt_ = false;
};

// The UDP payload size of the query's first OPT record, or -1 without one. Skips names the way
// the engine does (a pointer ends a name, unfollowed) so that whatever OPT the engine accepted
// is found here too.
int QueryOptPayload(const uint8_t* q, size_t size) {
  if (size < kHeaderSize) return -1;
  size_t pos = kHeaderSize;
  auto skip_name = [&] {
    while (pos < size) {
      const uint8_t len = q[pos];
      if (len == 0) return ++pos, true;
      if ((len & 0xc0) == 0xc0) return pos += 2, pos <= size;
      pos += 1 + len;
    }
    return false;
  };
  for (uint16_t i = 0; i < Get16(q + 4); ++i) {
    if (!skip_name()) return -1;
    pos += 4;
  }
  const int records = Get16(q + 6) + Get16(q + 8) + Get16(q + 10);
  for (int i = 0; i < records; ++i) {
    if (!skip_name() || pos + 10 > size) return -1;
    if (Get16(q + pos) == dns::kTypeOpt) return Get16(q + pos + 2);
    pos += 10 + Get16(q + pos + 8);
  }
  return -1;
}

void CheckResponse(const uint8_t* query, size_t query_size, const uint8_t* response, size_t size,
                   size_t capacity, Transport transport, uint16_t max_payload, const QueryInfo& info) {
  Require(info.dropped == (size == 0), "info.dropped disagrees with the response size");
  // The engine drops only what cannot be a query: too short for a header, or a response.
  const bool droppable = query_size < kHeaderSize || (query[2] & 0x80) != 0;
  Require(droppable == (size == 0), droppable ? "answered a non-query" : "dropped a query");
  if (size == 0) return;
  Require(size <= capacity, "response longer than the output capacity");
  Require(info.response_size == size, "info.response_size disagrees");
  Require(response[0] == query[0] && response[1] == query[1], "response ID differs from the query's");
  Require((response[2] & 0x80) != 0, "QR not set");
  Require(info.truncated == ((response[2] & 0x02) != 0), "info.truncated disagrees with TC");

  Walker walker(response, size);
  walker.Walk();
  if (Get16(response + 4) == 1) {
    // The question is copied from the query, which must therefore have had one.
    const size_t question_size = walker.question_end() - kHeaderSize;
    Require(Get16(query + 4) == 1 && kHeaderSize + question_size <= query_size &&
                std::memcmp(query + kHeaderSize, response + kHeaderSize, question_size) == 0,
            "echoed question differs from the query's");
  }
  if (transport == Transport::kUdp) {
    size_t limit = kMinCapacity;
    if (walker.has_opt()) {
      const int payload = QueryOptPayload(query, query_size);
      Require(payload >= 0, "OPT in the response but none in the query");
      limit = std::clamp<size_t>(payload, kMinCapacity, max_payload);  // Engine keeps max_payload >= 512
    }
    Require(size <= limit, "UDP response over the client's payload size (or 512)");
  }
}

}  // namespace
}  // namespace rootd::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace rootd::fuzz;
  state = new State;
  state->inline_image = CompileOrDie(rootd::zone::ReadMasterText(std::string(kInlineZone) + rootd::server::testing::BigTld(), "inline.zone"));
  const std::string real = rootd::testing::SharedDataDir() + "/zones/root.zone";
  if (std::filesystem::exists(real)) {
    state->real_image = CompileOrDie(rootd::zone::ReadMasterFile(real));
  } else {
    std::fprintf(stderr, "engine_fuzzer: %s absent, fuzzing the inline zone only\n", real.c_str());
  }
  for (int bits = 0; bits < kEngineCount; ++bits) state->engines.emplace_back(ConfigFor(bits));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootd::fuzz;
  if (size < kPrefixSize) return 0;
  const Engine& engine = state->engines[data[0] % kEngineCount];
  const uint8_t flags = data[1];
  const Transport transport = (flags & 1) ? Transport::kTcp : Transport::kUdp;
  const auto& image = ((flags & 2) && state->real_image) ? *state->real_image : *state->inline_image;
  static const uint8_t kV4[4] = {192, 0, 2, 1};
  static const uint8_t kV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const bool v6 = flags & 4;
  const size_t capacity = std::max<size_t>(kMinCapacity, Get16(data + 2));

  // Exactly sized heap copies: ASan flags any access one octet past the query or the output.
  const size_t query_size = size - kPrefixSize;
  std::unique_ptr<uint8_t[]> query(new uint8_t[query_size]);
  std::memcpy(query.get(), data + kPrefixSize, query_size);
  std::unique_ptr<uint8_t[]> out(new uint8_t[capacity]);

  Request request{query.get(), query_size, transport, v6 ? kV6 : kV4, static_cast<uint8_t>(v6 ? 16 : 4), 1764000000};
  QueryInfo info;
  const size_t response_size = engine.Answer(image, request, out.get(), capacity, &info);
  CheckResponse(query.get(), query_size, out.get(), response_size, capacity, transport,
                engine.config().max_udp_payload, info);

  // The same query answered in place (as the DPDK dataplane does), in a buffer of the same
  // capacity that starts with the query, and as a burst of one: the same octets and info.
  std::unique_ptr<uint8_t[]> in_place(new uint8_t[std::max(capacity, query_size)]);
  std::memcpy(in_place.get(), query.get(), query_size);
  BurstQuery burst;
  burst.request = request;
  burst.request.data = in_place.get();
  burst.out = in_place.get();
  burst.out_capacity = capacity;
  engine.AnswerBurst(image, &burst, 1);
  Require(burst.response_size == response_size, "in place: a different response length");
  Require(std::memcmp(burst.out, out.get(), response_size) == 0, "in place: different response octets");
  Require(burst.info == info, "in place: a different QueryInfo");
  return 0;
}
