// Every phase of a KSK rollover (and a ZSK roll) served live by rootd from a lab SKR, as a
// resolver sees it: the lab zone of a seed and an SKR of its rollover keys (zone/lab_rollover.h),
// one bundle per 10-day slot, the lab clock moved to each with `rootctl clock set`, then
// ". DNSKEY" with DO at the EDNS buffer sizes resolvers use, over UDP and TCP, and real dig.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>

#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/lab_rollover.h"
#include "zone/dnssec_wire.h"
#include "zone/lab_zone.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/skr_writer.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

constexpr uint64_t kSeed = 11;
constexpr uint16_t kBufferSizes[] = {512, 1232, 1452, 4096};  // classic, Flag Day 2020, Ethernet, common default

// A record as the test compares them: type, TTL, RDATA (the owner is "." throughout).
std::string Key(uint16_t type, uint32_t ttl, std::string_view rdata) {
  return std::to_string(type) + "/" + std::to_string(ttl) + "/" + std::string(rdata);
}

std::vector<std::string> BundleRecords(const zone::SkrBundle& b) {
  std::vector<std::string> out;
  for (const std::vector<zone::Record>* set : {&b.dnskeys, &b.signatures}) {
    for (const zone::Record& r : *set) out.push_back(Key(r.type, r.ttl, r.rdata));
  }
  return out;
}

// The full response's size, from the records alone: header 12, question "." DNSKEY IN 5, per
// record owner "." 1 + type, class, TTL, RDLENGTH 10 + RDATA, and the OPT record 11.
size_t FullSize(const zone::SkrBundle& b) {
  size_t size = 12 + 5 + 11;
  for (const std::vector<zone::Record>* set : {&b.dnskeys, &b.signatures}) {
    for (const zone::Record& r : *set) size += 11 + r.rdata.size();
  }
  return size;
}

// The parts of a response the test looks at, decoded here rather than with the server's code.
struct Response {
  bool ok = false;
  bool tc = false;
  int rcode = -1;
  size_t size = 0;
  std::vector<std::string> answer;  // Key() of each answer record
  bool answer_owners_root = true;
};

bool SkipName(const std::vector<uint8_t>& m, size_t& at) {
  while (at < m.size()) {
    const uint8_t length = m[at];
    if ((length & 0xc0) == 0xc0) {
      at += 2;
      return at <= m.size();
    }
    ++at;
    if (length == 0) return true;
    at += length;
  }
  return false;
}

Response Parse(const std::vector<uint8_t>& m) {
  Response r;
  r.size = m.size();
  if (m.size() < 12) return r;
  auto get16 = [&m](size_t at) { return static_cast<uint16_t>(m[at] << 8 | m[at + 1]); };
  r.tc = (m[2] & 0x02) != 0;
  r.rcode = m[3] & 0x0f;
  size_t at = 12;
  for (int q = get16(4); q > 0; --q) {
    if (!SkipName(m, at)) return r;
    at += 4;
  }
  const int answers = get16(6), records = answers + get16(8) + get16(10);
  for (int i = 0; i < records; ++i) {
    const size_t owner = at;
    if (!SkipName(m, at) || at + 10 > m.size()) return r;
    const uint16_t type = get16(at);
    const uint32_t ttl = static_cast<uint32_t>(get16(at + 4)) << 16 | get16(at + 6);
    const uint16_t length = get16(at + 8);
    at += 10;
    if (at + length > m.size()) return r;
    if (i < answers) {
      r.answer.push_back(Key(type, ttl, std::string(m.begin() + static_cast<ptrdiff_t>(at),
                                                    m.begin() + static_cast<ptrdiff_t>(at + length))));
      r.answer_owners_root = r.answer_owners_root && m[owner] == 0;
    }
    at += length;
  }
  r.ok = at == m.size();
  return r;
}

class RolloverPhasesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("rollover-phases"));
    absl::StatusOr<zone::LabRolloverKeys> keys = zone::LabRolloverKeys::FromSeed(kSeed);
    ASSERT_TRUE(keys.ok()) << keys.status();
    const zone::LabSkrOptions options;  // kLabQuarter from 2027-01-01, 10-day slots, 21 days valid
    absl::StatusOr<zone::SignedKeyResponse> skr = zone::MakeLabSkr(*keys, options);
    ASSERT_TRUE(skr.ok()) << skr.status();
    skr_ = new zone::SignedKeyResponse(*std::move(skr));
    absl::StatusOr<std::string> xml = zone::WriteSkrXml(*skr_);
    ASSERT_TRUE(xml.ok()) << xml.status();
    WriteFileText(*dir_ + "/lab.skr.xml", *xml);

    // The zone's own signatures cover the whole quarter; its keys are KSK-A and ZSK-1.
    zone::LabZoneOptions zone_options;
    zone_options.seed = kSeed;
    zone_options.tld_count = 50;
    zone_options.now = options.first_inception;
    zone_options.expiration = options.first_inception + absl::Hours(24 * 120);
    absl::StatusOr<zone::LabZone> lab = zone::GenerateLabZone(zone_options);
    ASSERT_TRUE(lab.ok()) << lab.status();
    WriteFileText(*dir_ + "/lab.zone", lab->text);
    WriteFileText(*dir_ + "/lab.ds", lab->trust_anchor_ds);

    const std::string start = zone::FormatUtc(options.first_inception + absl::Hours(1));
    server_ = new RootdProcess(*dir_,
                               {"--zone", *dir_ + "/lab.zone", "--trust-anchor", *dir_ + "/lab.ds", "--at", start,
                                "--skr", *dir_ + "/lab.skr.xml", "--clock", start, "--max-udp-payload", "4096",
                                "--threads", "1"},
                               FreePort());
    ASSERT_TRUE(server_->WaitReady()) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete skr_;
    delete dir_;
    server_ = nullptr;
    skr_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr || skr_ == nullptr) GTEST_SKIP() << "set-up failed";
  }

  // Moves the lab clock an hour into `bundle`'s slot; rootd must then serve it.
  static void ServeBundle(const zone::SkrBundle& bundle) {
    const CommandResult r = RunCommand(Rootctl() + " --socket " + server_->control_socket() + " clock set " +
                                       zone::FormatUtc(bundle.inception + absl::Hours(1)));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const CommandResult status = RunCommand(Rootctl() + " --socket " + server_->control_socket() + " status");
    EXPECT_THAT(status.output, HasSubstr("bundle        " + bundle.id)) << status.output;
  }

  static std::string* dir_;
  static zone::SignedKeyResponse* skr_;
  static RootdProcess* server_;
};

std::string* RolloverPhasesTest::dir_ = nullptr;
zone::SignedKeyResponse* RolloverPhasesTest::skr_ = nullptr;
RootdProcess* RolloverPhasesTest::server_ = nullptr;

// Per phase and buffer size: TC=1 and no answer exactly where the whole response does not fit,
// else the bundle's DNSKEY and RRSIG records octet for octet; over TCP always whole. The sizes
// are those of RSA-2048 keys with DO (a revoked key costs as much as an unrevoked one).
TEST_F(RolloverPhasesTest, EveryPhaseAtEveryBufferSizeAndOverTcp) {
  const std::map<std::string, size_t> kExpectedSizes = {
      {"normal", 864},         {"remove", 864}, {"publish", 1139}, {"roll", 1139}, {"zsk-roll", 1139},
      {"revoke", 1425}, {"revoke-zsk-roll", 1700},
  };
  std::map<std::string, size_t> measured;
  uint16_t id = 1;
  for (const zone::SkrBundle& bundle : skr_->bundles) {
    SCOPED_TRACE(bundle.id);
    const std::string phase = bundle.id.substr(bundle.id.find('-') + 1);
    ServeBundle(bundle);
    const std::vector<std::string> expected = BundleRecords(bundle);
    const size_t full = FullSize(bundle);
    const Response tcp = Parse(TcpQuery(server_->port(), MakeWireQuery(id++, ".", dns::kTypeDnskey, 4096, true)));
    ASSERT_TRUE(tcp.ok);
    EXPECT_FALSE(tcp.tc);
    EXPECT_EQ(tcp.rcode, 0);
    EXPECT_EQ(tcp.size, full);
    EXPECT_TRUE(tcp.answer_owners_root);
    EXPECT_THAT(tcp.answer, UnorderedElementsAreArray(expected));
    measured[phase] = tcp.size;
    for (uint16_t buffer : kBufferSizes) {
      SCOPED_TRACE(buffer);
      std::optional<std::vector<uint8_t>> bytes =
          UdpExchange(server_->port(), MakeWireQuery(id++, ".", dns::kTypeDnskey, buffer, true), 3000);
      ASSERT_TRUE(bytes.has_value());
      const Response udp = Parse(*bytes);
      ASSERT_TRUE(udp.ok);
      EXPECT_EQ(udp.rcode, 0);
      EXPECT_LE(udp.size, buffer);
      if (full > buffer) {
        EXPECT_TRUE(udp.tc);
        EXPECT_TRUE(udp.answer.empty());
      } else {
        EXPECT_FALSE(udp.tc);
        EXPECT_EQ(udp.size, full);
        EXPECT_THAT(udp.answer, UnorderedElementsAreArray(expected));
      }
    }
  }
  std::string table;
  for (const auto& [phase, size] : measured) table += phase + " " + std::to_string(size) + "\n";
  EXPECT_EQ(measured, kExpectedSizes) << table;
  std::printf("DNSKEY response with DO, per phase (octets):\n%s", table.c_str());
}

// ZONEMD is served as the zone file has it, whichever bundle serves (README.md says why): the
// record and its RRSIG octet for octet, unchanged through every phase.
TEST_F(RolloverPhasesTest, ZonemdIsTheZoneFilesInEveryPhase) {
  absl::StatusOr<zone::Zone> zone = zone::ReadMasterFile(*dir_ + "/lab.zone");
  ASSERT_TRUE(zone.ok()) << zone.status();
  const zone::RRset* zonemd = zone->apex()->Find(dns::kTypeZonemd);
  ASSERT_NE(zonemd, nullptr);
  std::vector<std::string> expected;
  for (const std::vector<const zone::Record*>* set : {&zonemd->records, &zonemd->signatures}) {
    for (const zone::Record* r : *set) expected.push_back(Key(r->type, r->ttl, r->rdata));
  }
  ASSERT_EQ(expected.size(), 2u);
  uint16_t id = 1;
  for (const zone::SkrBundle& bundle : skr_->bundles) {
    SCOPED_TRACE(bundle.id);
    ServeBundle(bundle);
    const Response tcp = Parse(TcpQuery(server_->port(), MakeWireQuery(id++, ".", dns::kTypeZonemd, 4096, true)));
    ASSERT_TRUE(tcp.ok);
    EXPECT_EQ(tcp.rcode, 0);
    EXPECT_THAT(tcp.answer, UnorderedElementsAreArray(expected));
  }
}

// dig, told a 512-octet buffer, gets TC=1 for the largest response (revocation during a ZSK
// roll), retries over TCP by itself and prints the whole RRset with both signatures.
TEST_F(RolloverPhasesTest, DigRetriesOverTcpAfterTruncation) {
  const auto largest = std::find_if(skr_->bundles.begin(), skr_->bundles.end(),
                                    [](const zone::SkrBundle& b) { return b.id.ends_with("-revoke-zsk-roll"); });
  ASSERT_NE(largest, skr_->bundles.end());
  ServeBundle(*largest);
  const CommandResult dig = RunCommand("dig @127.0.0.1 -p " + std::to_string(server_->port()) +
                                       " +bufsize=512 +dnssec +norecurse +time=3 +tries=1 . DNSKEY");
  EXPECT_EQ(dig.exit_code, 0) << dig.output;
  EXPECT_THAT(dig.output, HasSubstr("Truncated, retrying in TCP mode")) << dig.output;
  EXPECT_THAT(dig.output, HasSubstr("(TCP)")) << dig.output;
  EXPECT_THAT(dig.output, HasSubstr("status: NOERROR")) << dig.output;
  EXPECT_THAT(dig.output, HasSubstr("ANSWER: 6,")) << dig.output;  // 4 DNSKEYs, 2 RRSIGs
  // 1700 octets and the COOKIE option dig sends (RFC 7873): 4 + its 8-octet client cookie + rootd's
  // 16-octet server cookie.
  EXPECT_THAT(dig.output, HasSubstr("MSG SIZE  rcvd: 1728")) << dig.output;
  for (const zone::Record& key : largest->dnskeys) {
    EXPECT_THAT(dig.output, HasSubstr("DNSKEY\t" + std::to_string(zone::DnskeyFlags(key.rdata)) + " 3 8 "));
  }
  EXPECT_THAT(dig.output, HasSubstr("RRSIG\tDNSKEY 8 0 172800")) << dig.output;
}

}  // namespace
}  // namespace rootd::testing
