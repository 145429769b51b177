#include "tools/skr_lint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/run_command.h"
#include "tests/test_paths.h"
#include "zone/lab_rollover.h"
#include "zone/skr_writer.h"
#include "zone/text.h"

namespace rootd::tools {
namespace {

using ::rootd::testing::ReadFileText;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string SkrFile(const std::string& name) { return rootd::testing::SharedDataDir() + "/skr/" + name; }
constexpr char kQ1[] = "skr-root-2017-q1-0.xml";
constexpr char kQ2[] = "skr-root-2017-q2-0.xml";
constexpr char kQ3[] = "skr-root-2017-q3-0-c_to_d.xml";
constexpr char kD2E[] = "skr-root-2018-q1-0-d_to_e.xml";

bool HaveSharedData() {
  for (const char* name : {kQ1, kQ2, kQ3, kD2E}) {
    if (!std::filesystem::exists(SkrFile(name))) return false;
  }
  return true;
}

zone::SignedKeyResponse Read(const std::string& path) {
  absl::StatusOr<zone::SignedKeyResponse> skr = zone::ReadSkrFile(path);
  EXPECT_TRUE(skr.ok()) << skr.status();
  return skr.ok() ? *std::move(skr) : zone::SignedKeyResponse{};
}

// "CHECK@BUNDLE" per finding of `severity`, in report order: what the tables compare.
std::vector<std::string> Found(const SkrLintReport& report, SkrLintFinding::Severity severity) {
  std::vector<std::string> out;
  for (const SkrLintFinding& f : report.findings) {
    if (f.severity == severity) out.push_back(Cat(f.check, "@", f.bundle_index));
  }
  return out;
}
std::vector<std::string> Errors(const SkrLintReport& r) { return Found(r, SkrLintFinding::Severity::kError); }
std::vector<std::string> Warnings(const SkrLintReport& r) { return Found(r, SkrLintFinding::Severity::kWarning); }

SkrLintReport Lint(const std::string& path, const std::string& previous = "",
                   absl::Duration hold_down = absl::Hours(24 * 30)) {
  const zone::SignedKeyResponse skr = Read(path);
  zone::SignedKeyResponse before;
  SkrLintOptions options;
  options.hold_down = hold_down;
  if (!previous.empty()) {
    before = Read(previous);
    options.previous = &before;
  }
  return LintSkr(skr, options);
}

// The text between the `n`th (1-based) occurrence of `begin` and the end of the next `end`.
std::string Cut(std::string text, std::string_view begin, std::string_view end, int n) {
  size_t at = std::string::npos;
  for (int i = 0; i < n; ++i) at = text.find(begin, at == std::string::npos ? 0 : at + 1);
  EXPECT_NE(at, std::string::npos) << begin << " #" << n;
  if (at == std::string::npos) return text;
  const size_t stop = text.find(end, at);
  return text.erase(at, stop + end.size() - at);
}

std::string Replace(std::string text, std::string_view from, std::string_view to, int n) {
  size_t at = std::string::npos;
  for (int i = 0; i < n; ++i) at = text.find(from, at == std::string::npos ? 0 : at + 1);
  EXPECT_NE(at, std::string::npos) << from << " #" << n;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string WriteTemp(const std::string& text, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The real files: no errors. Warnings are DNSKEY-SIZE where the DNSKEY RRset holds 2 KSKs and
// 2 ZSKs (1414 octets: 2017 Q3 slot 9, 2018 Q1 slots 1 and 9), and for 2018 Q1 alone RFC5011-HOLD-DOWN in bundles 2 and
// 3: KSK-2017 (20326) signs alone there, published since this file's first bundle (2018-01-01), 10 and 20 days; its
// earlier publication (2017-07-11) is only in the 2017 Q3 file.
TEST(SkrLint, RealFilesHaveNoErrors) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  struct Case {
    const char* file;
    const char* previous;
    std::vector<std::string> warnings;
  };
  const Case cases[] = {
      {kQ1, "", {}},
      {kQ2, "", {}},
      {kQ2, kQ1, {}},
      {kQ3, "", {"DNSKEY-SIZE@9"}},
      {kQ3, kQ2, {"DNSKEY-SIZE@9"}},
      {kD2E, "", {"RFC5011-HOLD-DOWN@2", "RFC5011-HOLD-DOWN@3", "DNSKEY-SIZE@1", "DNSKEY-SIZE@9"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(Cat(c.file, " --previous ", c.previous));
    const SkrLintReport report = Lint(SkrFile(c.file), *c.previous ? SkrFile(c.previous) : "");
    EXPECT_THAT(Errors(report), IsEmpty());
    EXPECT_THAT(Warnings(report), ElementsAreArray(c.warnings));
    EXPECT_TRUE(report.ok());
  }
}

// Modified copies of the real files, each caught by the named checks and only by them.
TEST(SkrLint, ModifiedFilesCaughtByTheRightCheck) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const std::string q2 = ReadFileText(SkrFile(kQ2));
  const std::string q3 = ReadFileText(SkrFile(kQ3));
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string> errors;
  };
  const Case cases[] = {
      // Bundle 5 (2017-05-11) gone: bundle 6 starts 20 days after bundle 4 and overlaps it 1 day.
      {"bundle_removed.refused",
       Cut(q2, "<ResponseBundle ", "</ResponseBundle>", 5),
       {"KSR-BUNDLE-COUNT@0", "KSR-POLICY-BUNDLE-INTERVALS@5", "KSR-POLICY-SIG-OVERLAP@5"}},
      // Bundle 5 starts 2017-05-14 instead of 05-11: 13 days after bundle 4, 7 before bundle 6,
      // valid 18 days, overlapping bundle 4 by 8.
      {"inception_moved.refused",
       Replace(q2, "<Inception>2017-05-11", "<Inception>2017-05-14", 1),
       {"KSR-POLICY-BUNDLE-INTERVALS@5", "KSR-POLICY-BUNDLE-INTERVALS@6", "KSR-POLICY-SIG-VALIDITY@5",
        "KSR-POLICY-SIG-OVERLAP@5"}},
      // Bundle 3 valid 29 days (to 05-20): beyond P21D, and overlapping bundle 4 by 19 days (> P16D).
      {"validity_too_long.refused",
       Replace(q2, "<Expiration>2017-05-12", "<Expiration>2017-05-20", 1),
       {"KSR-POLICY-SIG-VALIDITY@3", "KSR-POLICY-SIG-OVERLAP@4"}},
      // Bundle 9 expiring 2017-10-01: 183 days after the first inception (2017-04-01).
      {"beyond_horizon.refused",
       Replace(q2, "<Expiration>2017-07-11", "<Expiration>2017-10-01", 1),
       {"KSR-POLICY-SIG-VALIDITY@9", "KSR-POLICY-SIG-HORIZON@9"}},
      // Bundle 4's RRSIG names key tag 12345: no such key, so no KSK signs either.
      {"unknown_signer.refused",
       Replace(q2, "<KeyTag>19036</KeyTag>", "<KeyTag>12345</KeyTag>", 4),
       {"KSR-BUNDLE-KEYS@4", "KSR-BUNDLE-KEYS@4"}},
      // The KSK policy asks for 4096-bit RSA: KSK 19036 is 2048 bits in all 9 bundles.
      {"policy_rsa_size.refused", Replace(q2, "<RSA size=\"2048\"", "<RSA size=\"4096\"", 1),
       std::vector<std::string>(9, "KSR-POLICY-ALG@0")},
      // The KSK policy asks for exponent 3: KSK 19036's is 65537 (RFC 3110 RDATA), in all 9 bundles.
      {"policy_rsa_exponent.refused", Replace(q2, "exponent=\"65537\"", "exponent=\"3\"", 1),
       std::vector<std::string>(9, "KSR-POLICY-ALG@0")},
      // Bundle 3 signed by KSK-2017 (20326) alone, published since bundle 2 (2017-07-11): 10 days.
      {"new_ksk_signs_alone.refused",
       Replace(q3, "<KeyTag>19036</KeyTag>", "<KeyTag>20326</KeyTag>", 3),
       {"RFC5011-HOLD-DOWN@3"}},
      // KSK-2017 in bundle 5 with the REVOKE bit (flags 385) but not signing.
      {"revoked_not_self_signed.refused",
       Replace(q3, "<Flags>257</Flags>", "<Flags>385</Flags>", 9),
       {"RFC5011-REVOKE-SELF-SIGN@5"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const SkrLintReport report = Lint(WriteTemp(c.text, Cat(c.name, ".xml")));
    std::vector<std::string> errors = Errors(report);
    // KSR-POLICY-ALG names its bundles; the size case compares them apart from their numbers.
    if (std::string_view(c.name).rfind("policy_rsa_", 0) == 0) {
      for (std::string& e : errors) e = Cat(e.substr(0, e.find('@')), "@0");
    }
    EXPECT_THAT(errors, ElementsAreArray(c.errors));
    EXPECT_FALSE(report.ok());
  }
}

// RFC5011-HOLD-DOWN: an error when the key is seen to appear too late, a warning when its
// publication may have begun before the files given, nothing once --previous shows it.
TEST(SkrLint, HoldDownDependsOnWhatTheFilesShow) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const std::string alone =
      WriteTemp(Replace(ReadFileText(SkrFile(kQ3)), "<KeyTag>19036</KeyTag>", "<KeyTag>20326</KeyTag>", 3), "alone.xml");
  struct Case {
    const char* name;
    std::string file, previous;
    absl::Duration hold_down;
    std::vector<std::string> errors, hold_down_warnings;
  };
  const Case cases[] = {
      {"20326 alone 10 days after publication", alone, "", absl::Hours(24 * 30), {"RFC5011-HOLD-DOWN@3"}, {}},
      {"the same with a 10-day hold-down", alone, "", absl::Hours(24 * 10), {}, {}},
      // 2018 Q1 alone: 20326 is in bundle 1 already, its publication before that not visible.
      {"2018 Q1 without --previous",
       SkrFile(kD2E),
       "",
       absl::Hours(24 * 30),
       {},
       {"RFC5011-HOLD-DOWN@2", "RFC5011-HOLD-DOWN@3"}},
      // With 2017 Q3 before it, 20326 was published 2017-07-11: no hold-down finding; the files
      // are not consecutive (2017 Q4 is missing), which the chain checks say.
      {"2018 Q1 after 2017 Q3", SkrFile(kD2E), SkrFile(kQ3), absl::Hours(24 * 30), {"KSR-CHAIN-OVERLAP@1"}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const SkrLintReport report = Lint(c.file, c.previous, c.hold_down);
    EXPECT_THAT(Errors(report), ElementsAreArray(c.errors));
    std::vector<std::string> hold_down;
    for (const std::string& w : Warnings(report)) {
      if (w.rfind("RFC5011-HOLD-DOWN", 0) == 0) hold_down.push_back(w);
    }
    EXPECT_THAT(hold_down, ElementsAreArray(c.hold_down_warnings));
  }
  const SkrLintReport d2e = Lint(SkrFile(kD2E));
  ASSERT_FALSE(d2e.findings.empty());
  EXPECT_THAT(d2e.findings[0].reason,
              HasSubstr("KSK 20326 signs, published only 10 days (since 2018-01-01T00:00:00Z)"));
}

TEST(SkrLint, ChainToThePreviousFile) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  // 2017 Q2 after 2017 Q3: the KSKs differ (19036 + 20326 before, 19036 after) and the "previous"
  // file's last bundle expires 2017-10-10, 192 days after 2017-04-01.
  const SkrLintReport report = Lint(SkrFile(kQ2), SkrFile(kQ3));
  EXPECT_THAT(Errors(report), ElementsAre("KSR-CHAIN-KEYS@1", "KSR-CHAIN-OVERLAP@1"));
}

TEST(SkrLint, KnotFileSkipsThePolicyChecks) {
  const std::string file = rootd::testing::SourceDir() + "/tests/zone/data/skr_knot_rsa.valid";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no Knot sample";
  const SkrLintReport report = Lint(file);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_THAT(report.notes[0], HasSubstr("KSR-POLICY-SIG-VALIDITY, KSR-POLICY-SIG-OVERLAP and KSR-POLICY-ALG skipped"));
  for (const SkrLintFinding& f : report.findings) {
    EXPECT_EQ(f.check.find("KSR-POLICY-SIG-VALIDITY"), std::string::npos);
  }
}

TEST(SkrLint, CommandLine) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const std::string skrtool = rootd::testing::BinaryDir() + "/tools/skrtool";
  const std::string removed =
      WriteTemp(Cut(ReadFileText(SkrFile(kQ2)), "<ResponseBundle ", "</ResponseBundle>", 5), "cli_bundle_removed.xml");
  struct Case {
    const char* name;
    std::string args;
    int exit_code;
    std::string output;
  };
  const Case cases[] = {
      {"clean with --previous", Cat("lint ", SkrFile(kQ3), " --previous ", SkrFile(kQ2)), 0,
       "9 bundles, 0 errors, 1 warnings: OK"},
      {"warning text", Cat("lint ", SkrFile(kQ3)), 0,
       "warning DNSKEY-SIZE bundle 9 (9a4470a8-f682-464b-8f88-c27b25d8d5e1): the . DNSKEY response with DO is 1414 "
       "octets, over 1232: it forces TCP for resolvers with a 1232-octet EDNS buffer"},
      {"errors", Cat("lint ", removed), 1, "error KSR-BUNDLE-COUNT: 8 bundles, the policy wants 9"},
      {"json", Cat("lint --json ", removed), 1,
       "{\"severity\":\"error\",\"check\":\"KSR-BUNDLE-COUNT\",\"bundle\":0,\"id\":\"\",\"reason\":\"8 bundles"},
      {"hold-down as xsd:duration", Cat("lint ", SkrFile(kD2E), " --hold-down P5D"), 0, "0 errors, 2 warnings"},
      {"bad hold-down", Cat("lint ", SkrFile(kD2E), " --hold-down 30"), 2, "xsd:duration"},
      {"unreadable previous", Cat("lint ", SkrFile(kD2E), " --previous /nonexistent.xml"), 1, "nonexistent"},
      {"previous without lint", Cat("show ", SkrFile(kD2E), " --previous ", SkrFile(kQ3)), 2, "--previous is for lint"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const rootd::testing::CommandResult r = rootd::testing::RunCommand(Cat(skrtool, " ", c.args, " 2>&1"));
    EXPECT_EQ(r.exit_code, c.exit_code) << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.output));
  }
}

// The lab rollover quarter (zone/lab_rollover.h's kLabQuarter: normal, zsk-roll, publish, roll,
// revoke-zsk-roll, revoke, remove x3, 10-day slots), written as XML and read back, passes lint with
// the lab's 10-day hold-down: KSK-B signs (roll) one slot after it is published. What remains are
// the two DNSKEY-SIZE warnings of the revocation bundles (1700 and 1425 octets). With the RFC's 30
// days, B signs alone too early in slots 4 and 5.
TEST(SkrLint, LabRolloverQuarterIsCleanWithALabHoldDown) {
  absl::StatusOr<zone::LabRolloverKeys> keys = zone::LabRolloverKeys::FromSeed(3);
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<zone::SignedKeyResponse> made = zone::MakeLabSkr(*keys);
  ASSERT_TRUE(made.ok()) << made.status();
  absl::StatusOr<std::string> xml = zone::WriteSkrXml(*made);
  ASSERT_TRUE(xml.ok()) << xml.status();
  const std::string path = WriteTemp(*xml, "lab_rollover.skr.xml");

  const SkrLintReport lab = Lint(path, "", absl::Hours(24 * 10));
  EXPECT_THAT(Errors(lab), IsEmpty());
  EXPECT_THAT(Warnings(lab), ElementsAre("DNSKEY-SIZE@5", "DNSKEY-SIZE@6"));
  std::string reasons;
  for (const SkrLintFinding& f : lab.findings) reasons += f.ToString() + "\n";
  EXPECT_THAT(reasons, HasSubstr("bundle 5 (5-revoke-zsk-roll): the . DNSKEY response with DO is 1700 octets"));
  EXPECT_THAT(reasons, HasSubstr("bundle 6 (6-revoke): the . DNSKEY response with DO is 1425 octets"));

  EXPECT_THAT(Errors(Lint(path)), ElementsAre("RFC5011-HOLD-DOWN@4", "RFC5011-HOLD-DOWN@5"));

  const rootd::testing::CommandResult r = rootd::testing::RunCommand(
      Cat(rootd::testing::BinaryDir(), "/tools/skrtool lint ", path, " --hold-down P10D 2>&1"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("9 bundles, 0 errors, 2 warnings: OK"));
}

}  // namespace
}  // namespace rootd::tools
