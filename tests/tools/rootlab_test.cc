// rootlab as a user runs it: the built binary makes a lab, the built rootd serves it, and real
// DNS tools (dig, delv, ldns, NSD's checker) read what they made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <tuple>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "tests/run_command.h"
#include "tests/server/knot_offline_conf.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/skr.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBounded[] = "timeout 60 ";

std::string Rootlab() { return BinaryDir() + "/tools/rootlab"; }

CommandResult Init(const std::string& dir, const std::string& options = "") {
  return RunCommand(Cat(kBounded, Rootlab(), " init '", dir, "' ", options));
}

TEST(RootlabInit, RootdServesTheLabAndDelvValidatesFromEveryBindAnchor) {
  const std::string dir = MakeTempDir("rootlab_init") + "/lab";
  const CommandResult init = Init(dir, "--tlds 30");
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_THAT(init.output, HasSubstr("serve it: rootd --zone " + dir + "/root.zone --trust-anchor " + dir + "/root.ds"));

  RootdProcess rootd(MakeTempDir("rootlab_init_rootd"),
                     {"--zone", dir + "/root.zone", "--trust-anchor", dir + "/root.ds", "--threads", "1"}, FreePort());
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  const std::string at = Cat("@127.0.0.1 -p ", rootd.port());
  // Priming: the root servers are all the lab server, IPv4 only.
  const CommandResult priming = RunCommand(Cat(kBounded, "dig +norec +noall +additional ", at, " . NS"));
  EXPECT_EQ(priming.exit_code, 0) << priming.output;
  for (char letter = 'a'; letter <= 'm'; ++letter) {
    EXPECT_THAT(priming.output, HasSubstr(Cat(letter, ".root-servers.net.\t518400\tIN\tA\t127.0.53.1")));
  }
  EXPECT_THAT(priming.output, Not(HasSubstr("AAAA")));
  // The lab TLD's referral.
  const CommandResult referral = RunCommand(Cat(kBounded, "dig +norec +dnssec ", at, " www.lab. A"));
  EXPECT_THAT(referral.output, HasSubstr("lab.\t\t\t172800\tIN\tNS\tns.lab."));
  EXPECT_THAT(referral.output, HasSubstr("ns.lab.\t\t\t172800\tIN\tA\t127.0.53.10"));
  EXPECT_THAT(referral.output, HasSubstr("IN\tDS\t"));
  // delv validates the root and the lab TLD's DS from the BIND anchor file (initial-key).
  for (const char* question : {". SOA", ". DNSKEY", "lab. DS"}) {
    const CommandResult delv = RunCommand(
        Cat(kBounded, "delv ", at, " -a ", dir, "/anchors/bind-trust-anchors.conf +root=. ", question));
    EXPECT_THAT(delv.output, HasSubstr("; fully validated")) << question << "\n" << delv.output;
  }
}

TEST(RootlabInit, LabZoneIsReadyForAStandardServer) {
  const std::string dir = MakeTempDir("rootlab_tld") + "/lab";
  ASSERT_EQ(Init(dir, "--tlds 3 --lab-tld-address 127.0.53.77").exit_code, 0);
  const CommandResult check = RunCommand(Cat(kBounded, "nsd-checkzone lab. ", dir, "/lab.zone"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("zone lab. is ok"));
  // The DNSKEY whose DS the root publishes verifies the whole child zone.
  const CommandResult verify = RunCommand(
      Cat(kBounded, "sh -c \"grep -E '^lab\\. [0-9]+ IN DNSKEY' ", dir, "/lab.zone > ", dir, "/lab.key && ",
          "ldns-verify-zone -k ", dir, "/lab.key ", dir, "/lab.zone\""));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("Zone is verified and complete"));
  EXPECT_THAT(ReadFileText(dir + "/lab.zone"), HasSubstr("ns.lab. 3600 IN A 127.0.53.77"));
  EXPECT_THAT(ReadFileText(dir + "/root.zone"), HasSubstr("ns.lab. 172800 IN A 127.0.53.77"));
}

TEST(RootlabInit, UsageAndRefusals) {
  const std::string dir = MakeTempDir("rootlab_usage") + "/lab";
  EXPECT_EQ(RunCommand(Rootlab()).exit_code, 2);
  EXPECT_EQ(Init(dir, "--algorithm rsasha1").exit_code, 2);
  EXPECT_EQ(Init(dir, "--validity soon").exit_code, 2);
  const CommandResult bad_address = Init(dir, "--server-address 300.1.1.1");
  EXPECT_EQ(bad_address.exit_code, 1);
  EXPECT_THAT(bad_address.output, HasSubstr("'300.1.1.1' is not an IPv4 address"));
  ASSERT_EQ(Init(dir, "--tlds 1 --algorithm ecdsap256sha256 --validity PT2H").exit_code, 0);
  const CommandResult again = Init(dir, "--tlds 1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("already holds a lab"));
}

CommandResult Scenario(const std::string& dir, const std::string& options) {
  return RunCommand(Cat(kBounded, Rootlab(), " scenario '", dir, "' ", options));
}

// The DNSKEY RDATAs of a response or a bundle, as a set.
std::set<std::string> Rdatas(const std::vector<zone::Record>& records) {
  std::set<std::string> out;
  for (const zone::Record& r : records) out.insert(r.rdata);
  return out;
}

// The key tag each RRSIG over DNSKEY names (RDATA octets 16-17), as a set.
std::set<int> Signers(const std::vector<zone::Record>& rrsigs) {
  std::set<int> out;
  for (const zone::Record& r : rrsigs) out.insert(static_cast<uint8_t>(r.rdata[16]) << 8 | static_cast<uint8_t>(r.rdata[17]));
  return out;
}

// The index of the bundle rootd serves at `t` (the newest whose inception is at or before it).
int BundleAt(const zone::SignedKeyResponse& skr, absl::Time t) {
  int index = -1;
  for (size_t i = 0; i < skr.bundles.size(); ++i) {
    if (skr.bundles[i].inception <= t) index = static_cast<int>(i);
  }
  return index;
}

TEST(RootlabScenario, RootdServesEachPhaseFromItsSlotByTheRealClock) {
  const std::string dir = MakeTempDir("rootlab_scenario") + "/lab";
  ASSERT_EQ(Init(dir, "--tlds 5").exit_code, 0);
  // 3-second slots, a 3-second hold-down: normal 1, publish 2, roll 1, revoke 2, remove 1 slot.
  const CommandResult made = Scenario(dir, "--plan ksk-roll --slot PT3S --hold-down 3s");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(made.output, HasSubstr("  publish  bundles 2-3  KSK-A "));
  EXPECT_THAT(made.output, HasSubstr(" REVOKED signs, KSK-B "));
  const std::string skr_path = dir + "/scenario-ksk-roll.xml";
  absl::StatusOr<zone::SignedKeyResponse> skr = zone::ReadSkrFile(skr_path);
  ASSERT_TRUE(skr.ok()) << skr.status();
  ASSERT_EQ(skr->bundles.size(), 7u);
  // Aligned to the wall clock, one slot apart, the first slot holding now.
  const absl::Time first = skr->bundles[0].inception;
  EXPECT_EQ(absl::ToUnixSeconds(first) % 3, 0);
  EXPECT_LE(first, absl::Now());
  EXPECT_GT(first + absl::Seconds(3), absl::Now() - absl::Seconds(30));  // the run started just now
  for (size_t i = 1; i < skr->bundles.size(); ++i) {
    EXPECT_EQ(skr->bundles[i].inception - skr->bundles[i - 1].inception, absl::Seconds(3));
    EXPECT_EQ(skr->bundles[i].dnskeys.front().ttl, 3u);
  }
  // The timeline as JSON, read by Python: the phases in order with their first bundles.
  const CommandResult json = RunCommand(Cat(
      "/usr/bin/python3 -c \"import json; d = json.load(open('", dir, "/scenario-ksk-roll.json')); ",
      "print(' '.join('%s@%d' % (p['phase'], p['first_bundle']) for p in d['phases']), d['slot_seconds'], ",
      "d['bundles'][5]['keys'][0]['revoked'], d['bundles'][0]['inception_unix'])\""));
  EXPECT_EQ(json.output, Cat("normal@1 publish@2 roll@4 revoke@5 remove@7 3 True ", absl::ToUnixSeconds(first), "\n"));

  RootdProcess rootd(MakeTempDir("rootlab_scenario_rootd"),
                     {"--zone", dir + "/root.zone", "--trust-anchor", dir + "/root.ds", "--skr", skr_path, "--threads",
                      "1", "--max-udp-payload", "4096"},
                     FreePort());
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  // From the slot rootd started in to a slot past the last: in the middle of each, `. DNSKEY` with
  // DO (over UDP: the revocation's 1425 octets fit the 4096 allowed) is the bundle of that slot (an answer whose query straddles a boundary is not judged).
  std::set<int> seen;
  const int start = BundleAt(*skr, absl::Now());
  for (int i = std::max(start, 0); i <= static_cast<int>(skr->bundles.size()); ++i) {
    const absl::Time middle = first + absl::Seconds(3) * i + absl::Milliseconds(1500);
    if (absl::Now() < middle) std::this_thread::sleep_for(absl::ToChronoMilliseconds(middle - absl::Now()));
    const absl::Time before = absl::Now();
    const std::vector<uint8_t> response = DnskeyWithDo(rootd.port());
    const int served = BundleAt(*skr, before);
    if (served != BundleAt(*skr, absl::Now())) continue;
    const zone::SkrBundle& bundle = skr->bundles[served];
    const std::vector<zone::Record> dnskeys = AnswerRecords(response, dns::kTypeDnskey);
    EXPECT_TRUE(Rdatas(dnskeys) == Rdatas(bundle.dnskeys)) << bundle.id << ": " << dnskeys.size() << " keys served";
    EXPECT_EQ(Signers(AnswerRecords(response, dns::kTypeRrsig)), Signers(bundle.signatures)) << bundle.id;
    seen.insert(served);
  }
  // Every phase from the one rootd started in was seen, the last (remove) served on after its slot.
  for (int i = std::max(start, 0) + 1; i < static_cast<int>(skr->bundles.size()); ++i) {
    EXPECT_TRUE(seen.contains(i)) << "bundle " << i + 1 << " not seen in its slot";
  }
  // dig prints the revoked KSK-A's absence and KSK-B alone signing once all is over.
  const CommandResult dig = RunCommand(Cat(kBounded, "dig +norec +dnssec +noall +answer @127.0.0.1 -p ", rootd.port(),
                                           " . DNSKEY"));
  EXPECT_THAT(dig.output, HasSubstr("IN\tDNSKEY\t257 3 8 "));
  EXPECT_THAT(dig.output, Not(HasSubstr("IN\tDNSKEY\t385 ")));
}

// Sleeps until `t` (bounded by the scenario's few seconds).
void SleepUntil(absl::Time t) {
  if (absl::Now() < t) std::this_thread::sleep_for(absl::ToChronoMilliseconds(t - absl::Now()));
}

// The (algorithm, key tag) of each RRSIG over the SOA rootd answers with DO.
std::set<std::pair<int, int>> SoaSigners(uint16_t port) {
  const std::optional<std::vector<uint8_t>> response = UdpExchange(port, MakeWireQuery(7, ".", dns::kTypeSoa, 4096, true), 3000);
  std::set<std::pair<int, int>> out;
  if (!response) return out;
  for (const zone::Record& r : AnswerRecords(*response, dns::kTypeRrsig)) {
    out.insert({static_cast<uint8_t>(r.rdata[2]), static_cast<uint8_t>(r.rdata[16]) << 8 | static_cast<uint8_t>(r.rdata[17])});
  }
  return out;
}

// A plan that re-signs the zone, run against rootd by the real clock: each zone file is loaded
// with `rootctl reload` at the start of its window, and then (in the window, and to the end)
// the SOA is signed by the ZSKs of the last bundle, which rootd serves once the scenario is over.
void RunZoneChangingScenario(const std::string& name, const std::string& init, const std::string& plan) {
  const std::string dir = MakeTempDir(name) + "/lab";
  ASSERT_EQ(Init(dir, init).exit_code, 0);
  const CommandResult made = Scenario(dir, "--plan " + plan + " --slot 3s --hold-down 3s");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string prefix = dir + "/scenario-" + plan;
  // The zone changes' files and windows, from the JSON.
  const CommandResult windows = RunCommand(Cat(
      "/usr/bin/python3 -c \"import json; d = json.load(open('", prefix, ".json')); ",
      "[print(z['file'], z['load_after_unix'], z['load_before_unix']) for z in d['zones']]\""));
  std::istringstream lines(windows.output);
  std::vector<std::tuple<std::string, int64_t, int64_t>> zones;
  for (std::string file; lines >> file;) {
    int64_t after = 0, before = 0;
    lines >> after >> before;
    zones.emplace_back(file, after, before);
  }
  ASSERT_FALSE(zones.empty()) << windows.output;
  absl::StatusOr<zone::SignedKeyResponse> skr = zone::ReadSkrFile(prefix + ".xml");
  ASSERT_TRUE(skr.ok()) << skr.status();
  RootdProcess rootd(MakeTempDir(name + "_rootd"),
                     {"--zone", dir + "/root.zone", "--trust-anchor", prefix + ".ds", "--skr", prefix + ".xml",
                      "--threads", "1", "--max-udp-payload", "4096"},
                     FreePort());
  ASSERT_TRUE(rootd.WaitReady()) << rootd.Log();
  for (const auto& [file, after, before] : zones) {
    SleepUntil(absl::FromUnixSeconds(after) + absl::Milliseconds(300));
    ASSERT_LT(absl::Now(), absl::FromUnixSeconds(before)) << "the machine is too slow for 3-second slots";
    const CommandResult reload = rootd.Ctl("reload " + file);
    EXPECT_EQ(reload.exit_code, 0) << file << "\n" << reload.output << rootd.Log();
  }
  // Past the last slot: the last bundle's keys, the zone signed by its ZSKs alone.
  const zone::SkrBundle& last = skr->bundles.back();
  SleepUntil(last.inception + absl::Milliseconds(1500));
  std::set<std::pair<int, int>> zsks;
  for (const zone::Record& k : last.dnskeys) {
    if ((static_cast<uint8_t>(k.rdata[1]) & 1) == 0) zsks.insert({static_cast<uint8_t>(k.rdata[3]), zone::KeyTag(k.rdata)});
  }
  EXPECT_EQ(SoaSigners(rootd.port()), zsks) << rootd.Log();
  EXPECT_TRUE(Rdatas(AnswerRecords(DnskeyWithDo(rootd.port()), dns::kTypeDnskey)) == Rdatas(last.dnskeys))
      << rootd.Log();
  EXPECT_THAT(rootd.Ctl("status").output, Not(HasSubstr("refused"))) << rootd.Log();
}

TEST(RootlabScenario, RootdFollowsAZskRollWithOneReload) {
  RunZoneChangingScenario("rootlab_zsk_roll", "--tlds 3 --algorithm ecdsap256sha256", "zsk-roll");
}

TEST(RootlabScenario, RootdFollowsAnAlgorithmRollWithTwoReloads) {
  RunZoneChangingScenario("rootlab_algorithm_roll", "--tlds 3", "algorithm-roll");
}

TEST(RootlabScenario, LintDecidesWhatIsWritten) {
  const std::string dir = MakeTempDir("rootlab_lint") + "/lab";
  ASSERT_EQ(Init(dir, "--tlds 1 --algorithm ecdsap256sha256").exit_code, 0);
  // emergency: KSK-B signs without having been published: refused, then written with --force.
  const CommandResult refused = Scenario(dir, "--plan emergency --slot 10s --hold-down 20s");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("error RFC5011-HOLD-DOWN bundle 2"));
  EXPECT_THAT(refused.output, HasSubstr("not written (--force writes it anyway)"));
  EXPECT_EQ(ReadFileText(dir + "/scenario-emergency.xml"), "");
  const CommandResult forced = Scenario(dir, "--plan emergency --slot 10s --hold-down 20s --force --out " + dir + "/e.xml");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(RunCommand(Cat(BinaryDir(), "/tools/skrtool verify ", dir, "/e.xml")).exit_code, 0);
  // The same KSK-B serves every scenario of the lab: recorded once in keys.txt.
  ASSERT_EQ(Scenario(dir, "--plan standby-key --slot 1h --start 2027-01-01T00:30:00Z").exit_code, 0);
  absl::StatusOr<zone::SignedKeyResponse> standby = zone::ReadSkrFile(dir + "/scenario-standby-key.xml");
  ASSERT_TRUE(standby.ok()) << standby.status();
  EXPECT_EQ(zone::FormatUtc(standby->bundles[0].inception), "2027-01-01T00:00:00Z");
  EXPECT_EQ(standby->bundles.back().dnskeys.size(), 3u);  // KSK-A, KSK-B (standby), ZSK-1
  const std::string keys = ReadFileText(dir + "/keys/keys.txt");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), '\n'), 5) << keys;  // header, KSK-A, ZSK-1, LAB-TLD, KSK-B
  EXPECT_EQ(Scenario(dir, "--plan ksk-roll").exit_code, 2);  // no --slot
  EXPECT_EQ(Scenario(dir, "--plan ksk-flip --slot 5s").exit_code, 2);
  EXPECT_EQ(Scenario(dir + "/none", "--plan ksk-roll --slot 5s").exit_code, 1);
}

TEST(RootlabSignKsr, TheRootsKsrSignedPerSchemaVerifiesAndLints) {
  const std::string ksr = SharedDataDir() + "/skr/ksr-root-2017-q2-0.xml";
  if (access(ksr.c_str(), R_OK) != 0) GTEST_SKIP() << "no " << ksr;
  const std::string dir = MakeTempDir("rootlab_sign_ksr") + "/lab";
  ASSERT_EQ(Init(dir, "--tlds 1").exit_code, 0);
  for (const char* schema : {"normal", "pre-publish", "rollover", "revoke"}) {
    const std::string out = Cat(dir, "/", schema, ".xml");
    const CommandResult signed_ksr =
        RunCommand(Cat(kBounded, Rootlab(), " sign-ksr ", dir, " ", ksr, " --schema ", schema, " --out ", out));
    ASSERT_EQ(signed_ksr.exit_code, 0) << signed_ksr.output;
    EXPECT_THAT(signed_ksr.output, HasSubstr(Cat("9 bundles signed (", schema, " schema)")));
    const CommandResult verify = RunCommand(Cat(kBounded, BinaryDir(), "/tools/skrtool verify ", out));
    EXPECT_EQ(verify.exit_code, 0) << schema << "\n" << verify.output;
    // The ceremony's own checks (9 bundles, 10-day slots, 21-day signatures, 30-day hold-down).
    const CommandResult lint = RunCommand(Cat(kBounded, BinaryDir(), "/tools/skrtool lint ", out));
    EXPECT_EQ(lint.exit_code, 0) << schema << "\n" << lint.output;
  }
  // A KSR whose proof of possession fails (one signature character changed) is not signed.
  std::string tampered = ReadFileText(ksr);
  const size_t data = tampered.find("<SignatureData>") + std::string("<SignatureData>").size();
  tampered[data] = tampered[data] == 'A' ? 'B' : 'A';
  WriteFileText(dir + "/tampered.xml", tampered);
  const CommandResult refused =
      RunCommand(Cat(kBounded, Rootlab(), " sign-ksr ", dir, " ", dir, "/tampered.xml --out ", dir, "/t.xml"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("the KSR's own signatures do not verify; not signed"));
  EXPECT_THAT(refused.output, HasSubstr("bundle 1 ("));
  EXPECT_EQ(ReadFileText(dir + "/t.xml"), "");
  const CommandResult show = RunCommand(Cat(kBounded, BinaryDir(), "/tools/skrtool show ", dir, "/revoke.xml"));
  EXPECT_THAT(show.output, HasSubstr("KSK REVOKED signs"));
  // A KSK-B was made for the schemas that need one, and only once.
  const std::string keys = ReadFileText(dir + "/keys/keys.txt");
  EXPECT_EQ(std::count(keys.begin(), keys.end(), '\n'), 5) << keys;
}

TEST(RootlabSignKsr, KnotsKeymgrImportsTheSignedKsr) {
  constexpr char kKeymgr[] = "/usr/sbin/keymgr";
  if (access(kKeymgr, X_OK) != 0) GTEST_SKIP() << "keymgr (Debian package knot) is not installed";
  const std::string dir = MakeTempDir("rootlab_knot_ksr");
  ASSERT_EQ(Init(dir + "/lab", "--tlds 1 --algorithm ecdsap256sha256").exit_code, 0);
  // Knot's ZSK side: a key store with a ZSK, and its KSR for the next 20 days.
  ASSERT_EQ(mkdir((dir + "/zsk").c_str(), 0755), 0);
  WriteFileText(dir + "/zsk/knot.conf", KnotOfflineConf(dir + "/zsk", "ecdsap256sha256"));
  const std::string keymgr = Cat(kBounded, kKeymgr, " -c ", dir, "/zsk/knot.conf . ");
  const CommandResult zsk =
      RunCommand(keymgr + "generate algorithm=ecdsap256sha256 ksk=no zsk=yes created=-1d publish=-1d active=-1d");
  ASSERT_EQ(zsk.exit_code, 0) << zsk.output;
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const CommandResult ksr = RunCommand(Cat("{ ", keymgr, "generate-ksr ", now, " ", now + 20 * 86400, " > ", dir,
                                           "/ksr.txt; }"));
  ASSERT_EQ(ksr.exit_code, 0) << ksr.output;
  // The lab's ceremony, then Knot takes the response back.
  const CommandResult signed_ksr = RunCommand(Cat(kBounded, Rootlab(), " sign-ksr ", dir, "/lab ", dir,
                                                  "/ksr.txt --schema pre-publish --out ", dir, "/skr.txt"));
  ASSERT_EQ(signed_ksr.exit_code, 0) << signed_ksr.output;
  const CommandResult imported = RunCommand(Cat(keymgr, "import-skr ", dir, "/skr.txt"));
  EXPECT_EQ(imported.exit_code, 0) << imported.output << ReadFileText(dir + "/skr.txt");
  const CommandResult offline = RunCommand(keymgr + "show-offline");
  EXPECT_THAT(offline.output, HasSubstr(";; Offline records for ")) << offline.output;
  // Knot's view of the lab's KSKs: KSK-A in the first snapshot, KSK-B pre-published beside it in
  // the second (pre-publish: from the second bundle on).
  size_t ksks = 0;
  for (size_t at = 0; (at = offline.output.find("172800 DNSKEY 257 3 13 (", at)) != std::string::npos; ++at) ++ksks;
  EXPECT_EQ(ksks, 3u) << offline.output;
  const CommandResult verify = RunCommand(Cat(kBounded, BinaryDir(), "/tools/skrtool verify ", dir, "/skr.txt"));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace rootd::testing
