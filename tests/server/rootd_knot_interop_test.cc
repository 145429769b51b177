// Knot DNS interoperability (offline KSK, Knot's text SKR): a KSR made by Knot's `keymgr
// generate-ksr` on a ZSK-side key store, signed by `keymgr sign-ksr` on a separate KSK-only
// store, served by rootd over a lab zone signed with Knot's ZSK. Every snapshot answers
// ". DNSKEY" byte for byte as rootd's SKR reader reads it; ldns-verify-zone validates the zone
// with what was served, from Knot's KSK, at the snapshot's time, and delv validates the chain
// over the network for the snapshots valid now (delv cannot be given a time, and libfaketime
// hangs it here: it clashes with BIND's jemalloc). One RRSIG byte flipped is refused by
// skrtool and rootd. Every external command is bounded (`timeout`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/run_command.h"
#include "tests/server/knot_offline_conf.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/encoding.h"
#include "zone/lab_zone.h"
#include "zone/record_text.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/signing_key.h"
#include "zone/skr.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using zone::FormatUtc;

struct KnotAlgorithm {
  const char* name;     // the test name's suffix
  const char* keymgr;   // keymgr's `algorithm=`
  int bits;             // keymgr's `size=`
};
void PrintTo(const KnotAlgorithm& algorithm, std::ostream* out) { *out << algorithm.name; }

constexpr KnotAlgorithm kAlgorithms[] = {{"RsaSha256", "rsasha256", 2048}, {"EcdsaP256", "ecdsap256sha256", 256}};

constexpr char kKeymgr[] = "/usr/sbin/keymgr";
// Per command: keymgr, delv and the rest finish in well under a second here.
constexpr char kBounded[] = "timeout 30 ";
// The KSR's span around the test's start, as the issue asks: snapshots in the past and ahead.
constexpr absl::Duration kKsrBefore = absl::Hours(15 * 24);
constexpr absl::Duration kKsrAfter = absl::Hours(10 * 24);
// Where in a snapshot the clock is set: past Knot's RRSIG inception (the snapshot's time less
// 90 minutes), well before the next snapshot.
constexpr absl::Duration kIntoSnapshot = absl::Hours(1);

// A point in time as RRSIG and ldns-verify-zone -t write it: YYYYMMDDhhmmss, UTC.
std::string Compact(absl::Time t) { return absl::FormatTime("%Y%m%d%H%M%S", t, absl::UTCTimeZone()); }

// keymgr's output split at white space.
std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Records as sorted presentation lines: equal lists mean equal octets (owner, TTL, class,
// RDATA), in any order, and a failure prints readably.
std::vector<std::string> Texts(const std::vector<zone::Record>& records) {
  std::vector<std::string> out;
  for (const zone::Record& r : records) out.push_back(zone::RecordToText(r));
  std::sort(out.begin(), out.end());
  return out;
}

// `text` with one bit flipped in the first signature octet of `rrsig`, a record of the file:
// the first line of its base64 signature is found after the record's line and its first
// character replaced by the one whose value differs in the lowest bit (bit 2 of octet 0).
std::string FlipFirstSignatureBit(const std::string& text, const zone::Record& rrsig) {
  absl::StatusOr<zone::RrsigFields> fields = zone::ParseRrsig(rrsig.rdata);
  if (!fields.ok()) return text;
  const std::string b64 = zone::Base64Encode(fields->signature);
  size_t line_start = 0;
  for (uint32_t line = 1; line < rrsig.line && line_start != std::string::npos; ++line) {
    line_start = text.find('\n', line_start);
    if (line_start != std::string::npos) ++line_start;
  }
  const size_t at = line_start == std::string::npos ? line_start : text.find(b64.substr(0, 16), line_start);
  if (at == std::string::npos) return text;
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = text;
  out[at] = kAlphabet[kAlphabet.find(out[at]) ^ 1];
  return out;
}

class KnotInteropTest : public ::testing::TestWithParam<KnotAlgorithm> {
 protected:
  void SetUp() override {
    if (access(kKeymgr, X_OK) != 0) {
      GTEST_SKIP() << "keymgr (Debian package knot) is not installed: run scripts/setup.sh";
    }
    dir_ = MakeTempDir(Cat("knot_", GetParam().name));
    now_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  }

  // `keymgr -c SIDE/knot.conf . ARGS`, stdout and stderr.
  CommandResult Keymgr(const std::string& side, const std::string& args) const {
    return RunCommand(Cat(kBounded, kKeymgr, " -c ", dir_, "/", side, "/knot.conf . ", args));
  }
  // The same with stdout into `file` (stderr still returned): a KSR or an SKR.
  CommandResult KeymgrTo(const std::string& side, const std::string& args, const std::string& file) const {
    return RunCommand(Cat("{ ", kBounded, kKeymgr, " -c ", dir_, "/", side, "/knot.conf . ", args, " > ", file, "; }"));
  }

  // Both key stores, a key in each, the KSR (ZSK side), the SKR (KSK side), Knot's import
  // of the SKR (ZSK side), and the trust anchors Knot states for its KSK.
  void MakeSkr() {
    const KnotAlgorithm& algorithm = GetParam();
    for (const char* side : {"zsk", "ksk"}) {
      ASSERT_EQ(mkdir(Cat(dir_, "/", side).c_str(), 0755), 0);
      WriteFileText(Cat(dir_, "/", side, "/knot.conf"), KnotOfflineConf(Cat(dir_, "/", side), algorithm.keymgr));
    }
    // Active since before the KSR's start. The KSK needs its timers, or sign-ksr finds "no
    // keys for signing" (tools.md). `generate` prints the key's id, its PEM file's name.
    const std::string since = " created=-16d publish=-16d active=-16d";
    const std::string keys = Cat("generate algorithm=", algorithm.keymgr, " size=", algorithm.bits);
    CommandResult zsk = Keymgr("zsk", Cat(keys, " ksk=no zsk=yes", since));
    ASSERT_EQ(zsk.exit_code, 0) << zsk.output;
    CommandResult ksk = Keymgr("ksk", Cat(keys, " ksk=yes zsk=no ready=-16d", since));
    ASSERT_EQ(ksk.exit_code, 0) << ksk.output;
    ASSERT_EQ(Words(zsk.output).size(), 1u) << zsk.output;
    ASSERT_EQ(Words(ksk.output).size(), 1u) << ksk.output;
    zsk_pem_ = Cat(dir_, "/zsk/keys/", Words(zsk.output)[0], ".pem");
    ksk_pem_ = Cat(dir_, "/ksk/keys/", Words(ksk.output)[0], ".pem");

    ksr_begin_ = now_ - kKsrBefore;
    ksr_end_ = now_ + kKsrAfter;
    const std::string ksr = dir_ + "/ksr.txt";
    skr_path_ = dir_ + "/skr.txt";
    CommandResult r = KeymgrTo("zsk", Cat("generate-ksr ", absl::ToUnixSeconds(ksr_begin_), " ",
                                          absl::ToUnixSeconds(ksr_end_)), ksr);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = KeymgrTo("ksk", "sign-ksr " + ksr, skr_path_);
    ASSERT_EQ(r.exit_code, 0) << r.output << ReadFileText(skr_path_);
    // Knot itself takes the SKR back on the ZSK side.
    r = Keymgr("zsk", "import-skr " + skr_path_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = Keymgr("zsk", "show-offline");
    EXPECT_THAT(r.output, HasSubstr(";; Offline records for ")) << r.output;

    absl::StatusOr<zone::SignedKeyResponse> skr = zone::ReadSkrFile(skr_path_);
    ASSERT_TRUE(skr.ok()) << skr.status() << "\n" << ReadFileText(skr_path_);
    skr_ = std::move(*skr);
    // A snapshot at the KSR's start, every 7 days (the RRSIG refresh), and one at its end.
    ASSERT_EQ(skr_.bundles.size(), 5u) << ReadFileText(skr_path_);
    EXPECT_EQ(skr_.bundles.front().inception, ksr_begin_);
    EXPECT_EQ(skr_.bundles.back().inception, ksr_end_);

    // rootd's anchor: the DS records keymgr prints (". DS tag alg 2|4 digest"). ldns's and
    // delv's: the KSK as keymgr prints it (". DNSKEY 257 3 alg key").
    r = Keymgr("ksk", "ds");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ds_path_ = dir_ + "/anchor.ds";
    WriteFileText(ds_path_, r.output);
    r = Keymgr("ksk", "dnskey");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::vector<std::string> words = Words(r.output);
    ASSERT_EQ(words.size(), 6u) << r.output;
    ASSERT_EQ(words[1], "DNSKEY") << r.output;
    ksk_anchor_ = dir_ + "/anchor.dnskey";
    WriteFileText(ksk_anchor_, r.output);
    delv_anchors_ = dir_ + "/anchors.conf";
    WriteFileText(delv_anchors_, Cat("trust-anchors {\n  . static-key ", words[2], " ", words[3], " ", words[4], " \"",
                                     words[5], "\";\n};\n"));
  }

  // A small lab zone signed with Knot's keys, read from Knot's PEM key stores: its other
  // RRsets with the ZSK, its own RRSIG over DNSKEY with the KSK (the test holds both stores;
  // every DNSKEY answer below comes from the SKR instead). Valid over the whole KSR. No
  // ZONEMD: it would digest the zone file's RRSIG over DNSKEY, not the bundles' that
  // ldns-verify-zone is given.
  void MakeZone() {
    absl::StatusOr<zone::SigningKey> zsk = zone::SigningKey::FromPem(ReadFileText(zsk_pem_), zone::kZskFlags);
    ASSERT_TRUE(zsk.ok()) << zsk.status() << " " << zsk_pem_;
    absl::StatusOr<zone::SigningKey> ksk = zone::SigningKey::FromPem(ReadFileText(ksk_pem_), zone::kKskFlags);
    ASSERT_TRUE(ksk.ok()) << ksk.status() << " " << ksk_pem_;
    zone::LabZoneOptions options;
    options.tld_count = 20;
    options.now = now_;
    options.inception = ksr_begin_ - absl::Hours(24);
    options.expiration = ksr_end_ + absl::Hours(48);
    options.ksks = {*ksk};
    options.zsks = {*zsk};
    options.signing_threads = 1;
    options.zonemd = false;
    absl::StatusOr<zone::LabZone> lab = zone::GenerateLabZone(options);
    ASSERT_TRUE(lab.ok()) << lab.status();
    zone_path_ = dir_ + "/lab.zone";
    WriteFileText(zone_path_, lab->text);
    zone_records_ = lab->records;
    // The zone's DNSKEY RRset is the first snapshot's, octet for octet: rootd reads Knot's PEM
    // keys into the DNSKEYs Knot publishes.
    std::vector<zone::Record> apex_keys;
    for (const zone::Record& r : lab->records) {
      if (r.type == dns::kTypeDnskey && r.owner == std::string(1, '\0')) apex_keys.push_back(r);
    }
    EXPECT_EQ(Texts(apex_keys), Texts(skr_.bundles.front().dnskeys));
  }

  // rootd on the lab zone, Knot's DS as its trust anchor, `skr`, its clock at `clock`.
  std::unique_ptr<RootdProcess> StartRootd(const std::string& skr, absl::Time clock) {
    mkdir((dir_ + "/rootd").c_str(), 0755);
    auto server = std::make_unique<RootdProcess>(
        dir_ + "/rootd", std::vector<std::string>{"--zone", zone_path_, "--trust-anchor", ds_path_, "--skr", skr,
                                                 "--clock", FormatUtc(clock), "--threads", "1"},
        FreePort());
    EXPECT_TRUE(server->WaitReady()) << server->Log();
    return server;
  }

  // delv's answer to ". TYPE" from the server, validated now from Knot's KSK.
  std::string Delv(uint16_t port, const std::string& type) const {
    return RunCommand(Cat(kBounded, "delv @127.0.0.1 -p ", port, " -a ", delv_anchors_, " +root=. . ", type)).output;
  }

  // ldns-verify-zone's verdict at `at`, from Knot's KSK, on the lab zone with `dnskeys` and
  // `signatures` as its DNSKEY RRset and RRSIGs over it: every RRSIG, the NSEC chain, and
  // the DNSKEY RRset signed by the anchor.
  CommandResult LdnsVerify(const std::vector<zone::Record>& dnskeys, const std::vector<zone::Record>& signatures,
                           absl::Time at, const std::string& name) const {
    std::string text;
    const std::string root(1, '\0');
    for (const zone::Record& r : zone_records_) {
      const bool keys = r.type == dns::kTypeDnskey;
      const bool over_keys = r.type == dns::kTypeRrsig && zone::RrsigTypeCovered(r) == dns::kTypeDnskey;
      if (r.owner != root || (!keys && !over_keys)) text += zone::RecordToText(r) + "\n";
    }
    for (const zone::Record& r : dnskeys) text += zone::RecordToText(r) + "\n";
    for (const zone::Record& r : signatures) text += zone::RecordToText(r) + "\n";
    const std::string path = Cat(dir_, "/", name, ".zone");
    WriteFileText(path, text);
    return RunCommand(Cat(kBounded, "ldns-verify-zone -t ", Compact(at), " -k ", ksk_anchor_, " ", path));
  }

  std::string dir_;
  absl::Time now_, ksr_begin_, ksr_end_;
  std::string zsk_pem_, ksk_pem_, skr_path_, ds_path_, ksk_anchor_, delv_anchors_, zone_path_;
  std::vector<zone::Record> zone_records_;
  zone::SignedKeyResponse skr_;
};

TEST_P(KnotInteropTest, EverySnapshotIsServedAsTheSkrReadsAndValidates) {
  ASSERT_NO_FATAL_FAILURE(MakeSkr());
  ASSERT_NO_FATAL_FAILURE(MakeZone());
  const CommandResult verify = RunCommand(Cat(BinaryDir(), "/tools/skrtool verify ", skr_path_));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  auto server = StartRootd(skr_path_, skr_.bundles.front().inception + kIntoSnapshot);
  int validated_now = 0;
  for (size_t i = 0; i < skr_.bundles.size(); ++i) {
    const zone::SkrBundle& bundle = skr_.bundles[i];
    SCOPED_TRACE(Cat("snapshot ", i + 1, " of ", skr_.bundles.size(), ", ", bundle.id));
    const absl::Time at = bundle.inception + kIntoSnapshot;
    const CommandResult set = server->Ctl("clock set " + FormatUtc(at));
    EXPECT_EQ(set.exit_code, 0) << set.output;
    EXPECT_THAT(set.output, HasSubstr("serving bundle " + bundle.id));

    const std::vector<uint8_t> response = DnskeyWithDo(server->port());
    ASSERT_FALSE(response.empty());

    const std::vector<zone::Record> served_keys = AnswerRecords(response, dns::kTypeDnskey);
    const std::vector<zone::Record> served_signatures = AnswerRecords(response, dns::kTypeRrsig);
    EXPECT_EQ(Texts(served_keys), Texts(bundle.dnskeys));
    EXPECT_EQ(Texts(served_signatures), Texts(bundle.signatures));

    const CommandResult ldns = LdnsVerify(served_keys, served_signatures, at, Cat("snapshot", i + 1));
    EXPECT_EQ(ldns.exit_code, 0) << ldns.output;
    EXPECT_THAT(ldns.output, HasSubstr("Zone is verified and complete")) << ldns.output;

    // delv runs at the real time: only for the snapshots whose RRSIG covers it.
    bool valid_now = true;
    for (const zone::Record& s : bundle.signatures) {
      valid_now = valid_now && zone::CheckRrsigWindow(zone::ParseRrsig(s.rdata).value(), now_).ok();
    }
    if (!valid_now) continue;
    ++validated_now;
    for (const std::string type : {"DNSKEY", "SOA"}) {
      const std::string delv = Delv(server->port(), type);
      EXPECT_THAT(delv, HasSubstr("; fully validated")) << ". " << type << ":\n" << delv;
      EXPECT_THAT(delv, HasSubstr("IN\t" + type)) << delv;
    }
  }
  // The snapshots of now - 8 days and now - 1 day.
  EXPECT_EQ(validated_now, 2);
  EXPECT_THAT(server->Ctl("status").output, Not(HasSubstr("refused")));
}

// One bit flipped in the second snapshot's RRSIG: skrtool and Knot's own validate-skr refuse
// the file, naming the bundle; rootd refuses that bundle when its time comes, keeps serving the
// first one (on the wire and in status), and moves on to the third at its time.
TEST_P(KnotInteropTest, AFlippedRrsigByteIsRefusedAndThePreviousBundleKeepsServing) {
  ASSERT_NO_FATAL_FAILURE(MakeSkr());
  ASSERT_NO_FATAL_FAILURE(MakeZone());
  const zone::SkrBundle& first = skr_.bundles[0];
  const zone::SkrBundle& second = skr_.bundles[1];
  const zone::SkrBundle& third = skr_.bundles[2];
  ASSERT_EQ(second.signatures.size(), 1u);
  const std::string bad_path = dir_ + "/skr-bad-rrsig.txt";
  WriteFileText(bad_path, FlipFirstSignatureBit(ReadFileText(skr_path_), second.signatures[0]));
  absl::StatusOr<zone::SignedKeyResponse> bad = zone::ReadSkrFile(bad_path);
  ASSERT_TRUE(bad.ok()) << bad.status();
  ASSERT_EQ(bad->bundles.size(), skr_.bundles.size());
  // Exactly one octet of the file's RRSIGs differs, in the second snapshot's.
  const std::string& original = second.signatures[0].rdata;
  const std::string& flipped = bad->bundles[1].signatures[0].rdata;
  ASSERT_EQ(flipped.size(), original.size());
  int differing = 0;
  for (size_t i = 0; i < original.size(); ++i) differing += original[i] != flipped[i];
  ASSERT_EQ(differing, 1) << "the flip did not land in the RRSIG";
  for (size_t i = 0; i < skr_.bundles.size(); ++i) {
    if (i != 1) {
      EXPECT_EQ(Texts(bad->bundles[i].signatures), Texts(skr_.bundles[i].signatures)) << i;
    }
  }

  const CommandResult verify = RunCommand(Cat(BinaryDir(), "/tools/skrtool verify ", bad_path));
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr(Cat("bundle 2 (", second.id, ")")));
  // Knot 3.2's validate-skr says so, naming the snapshot by its time, but still prints "OK"
  // and exits 0: only its message is asserted.
  const CommandResult knot = Keymgr("zsk", "validate-skr " + bad_path);
  EXPECT_THAT(knot.output, HasSubstr(Cat("invalid SignedKeyResponse for ", absl::ToUnixSeconds(second.inception))))
      << knot.output;

  auto server = StartRootd(bad_path, first.inception + kIntoSnapshot);
  EXPECT_EQ(Texts(AnswerRecords(DnskeyWithDo(server->port()), dns::kTypeRrsig)), Texts(first.signatures));

  const CommandResult set = server->Ctl("clock set " + FormatUtc(second.inception + kIntoSnapshot));
  EXPECT_THAT(set.output, HasSubstr("serving bundle " + first.id)) << set.output;
  EXPECT_THAT(set.output, HasSubstr("bundle " + second.id + " (" + bad_path + " #2) refused")) << set.output;
  const std::vector<uint8_t> response = DnskeyWithDo(server->port());
  EXPECT_EQ(Texts(AnswerRecords(response, dns::kTypeDnskey)), Texts(first.dnskeys));
  EXPECT_EQ(Texts(AnswerRecords(response, dns::kTypeRrsig)), Texts(first.signatures));
  const std::string status = server->Ctl("status").output;
  EXPECT_THAT(status, HasSubstr("bundle        " + first.id)) << status;
  EXPECT_THAT(status, HasSubstr("refused       bundle " + second.id)) << status;
  EXPECT_THAT(status, HasSubstr("over the new DNSKEY RRset is wrong")) << status;
  EXPECT_THAT(server->Ctl("stats").output, HasSubstr("bundle refusals    1\n"));

  const CommandResult later = server->Ctl("clock set " + FormatUtc(third.inception + kIntoSnapshot));
  EXPECT_THAT(later.output, HasSubstr("serving bundle " + third.id)) << later.output;
  EXPECT_EQ(Texts(AnswerRecords(DnskeyWithDo(server->port()), dns::kTypeRrsig)), Texts(third.signatures));
  EXPECT_THAT(server->Ctl("status").output, Not(HasSubstr("refused       bundle")));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, KnotInteropTest, ::testing::ValuesIn(kAlgorithms),
                         [](const ::testing::TestParamInfo<KnotAlgorithm>& info) { return info.param.name; });

}  // namespace
}  // namespace rootd::testing
