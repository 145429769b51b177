#include "tools/skr_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/engine.h"
#include "tests/run_command.h"
#include "tests/test_paths.h"
#include "zone/image.h"
#include "zone/master_reader.h"
#include "zone/rr_types.h"

namespace rootd::tools {
namespace {

using ::rootd::testing::ReadFileText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string SkrDir() { return rootd::testing::SharedDataDir() + "/skr"; }
std::string Q3File() { return SkrDir() + "/skr-root-2017-q3-0-c_to_d.xml"; }
std::string D2EFile() { return SkrDir() + "/skr-root-2018-q1-0-d_to_e.xml"; }
std::string KnotSample(const char* name) { return rootd::testing::SourceDir() + "/tests/zone/data/" + name; }
constexpr char kQ3Bundle6Id[] = "ea0319d3-6486-46be-9e16-ed110430d3af";

bool HaveSharedData() { return std::filesystem::exists(Q3File()) && std::filesystem::exists(D2EFile()); }

zone::SignedKeyResponse Read(const std::string& path) {
  absl::StatusOr<zone::SignedKeyResponse> skr = zone::ReadSkrFile(path);
  EXPECT_TRUE(skr.ok()) << skr.status();
  return skr.ok() ? *std::move(skr) : zone::SignedKeyResponse{};
}

std::vector<uint16_t> Tags(const SkrBundleSummary& b) {
  std::vector<uint16_t> tags;
  for (const SkrKeySummary& k : b.keys) tags.push_back(k.tag);
  return tags;
}

std::vector<uint16_t> SigningTags(const SkrBundleSummary& b) {
  std::vector<uint16_t> tags;
  for (const SkrKeySummary& k : b.keys) {
    if (k.signs) tags.push_back(k.tag);
  }
  return tags;
}

size_t FindNth(std::string_view text, std::string_view what, int n) {
  size_t at = std::string::npos;
  for (int i = 0; i < n; ++i) at = text.find(what, at == std::string::npos ? 0 : at + 1);
  EXPECT_NE(at, std::string::npos) << what << " #" << n;
  return at;
}

std::string WriteTemp(const std::string& text, const char* name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A copy of `text` with the `n`th (1-based) occurrence of `from` replaced, in a temporary file.
std::string WriteModified(std::string text, std::string_view from, std::string_view to, int n, const char* name) {
  if (const size_t at = FindNth(text, from, n); at != std::string::npos) text.replace(at, from.size(), to);
  return WriteTemp(text, name);
}

// A copy with one bit of the base64 character after the `n`th `marker` flipped ('A' <-> 'B'
// and so on), so one octet of what follows decodes differently.
std::string WriteFlipped(std::string text, std::string_view marker, int n, const char* name) {
  if (const size_t at = FindNth(text, marker, n); at != std::string::npos) {
    char& c = text[at + marker.size()];
    c = static_cast<char>(c ^ 1);
  }
  return WriteTemp(text, name);
}

TEST(SkrShow, TimelineOf2017Q3) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const zone::SignedKeyResponse skr = Read(Q3File());
  const std::vector<SkrBundleSummary> bundles = SummarizeSkr(skr);
  ASSERT_EQ(bundles.size(), 9u);
  EXPECT_THAT(Tags(bundles[0]), ElementsAre(15768, 14796, 19036));
  const SkrBundleSummary& b = bundles[5];
  EXPECT_EQ(b.index, 6u);
  EXPECT_EQ(b.id, kQ3Bundle6Id);
  EXPECT_THAT(Tags(b), ElementsAre(15768, 19036, 20326));
  EXPECT_THAT(SigningTags(b), ElementsAre(19036));
  EXPECT_THAT(b.signers, ElementsAre(19036));
  EXPECT_FALSE(b.keys[0].ksk);
  EXPECT_TRUE(b.keys[1].ksk);
  EXPECT_TRUE(b.keys[2].ksk);
  for (const SkrKeySummary& k : b.keys) {
    EXPECT_EQ(k.bits, 2048);
    EXPECT_EQ(k.algorithm, dns::kAlgRsaSha256);
    EXPECT_FALSE(k.revoked);
  }
  // The published figures: 2 KSKs + 1 ZSK, and during the ZSK roll of slot 9, 2 + 2.
  EXPECT_EQ(b.dnskey_response_size, 1139u);
  EXPECT_EQ(bundles[8].dnskey_response_size, 1414u);
  EXPECT_THAT(Tags(bundles[8]), ElementsAre(15768, 46809, 19036, 20326));

  const std::string text = ShowText(skr);
  EXPECT_THAT(text, HasSubstr(std::string("bundle 6 ") + kQ3Bundle6Id +
                              " 2017-08-20T00:00:00Z .. 2017-09-10T00:00:00Z, DNSKEY response with DO 1139 octets\n"
                              "  15768 alg 8 2048 bits ZSK\n  19036 alg 8 2048 bits KSK signs\n"
                              "  20326 alg 8 2048 bits KSK\n"));
  EXPECT_THAT(text, HasSubstr("KSK policy: algorithm 8 RSA 2048 bits exponent 65537, signature validity 21d..21d"));
  const std::string json = ShowJson(skr);
  EXPECT_THAT(json, HasSubstr(std::string("{\"index\":6,\"id\":\"") + kQ3Bundle6Id +
                              "\",\"inception\":\"2017-08-20T00:00:00Z\",\"expiration\":\"2017-09-10T00:00:00Z\","
                              "\"dnskey_response_size\":1139,\"keys\":[{\"tag\":15768,"));
  EXPECT_THAT(json, HasSubstr("\"signers\":[19036]}"));
}

TEST(SkrShow, TheRollOf2018Q1ChangesTheSigner) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const std::vector<SkrBundleSummary> bundles = SummarizeSkr(Read(D2EFile()));
  ASSERT_EQ(bundles.size(), 9u);
  EXPECT_THAT(Tags(bundles[0]), ElementsAre(41824, 46809, 19036, 20326));
  EXPECT_THAT(bundles[0].signers, ElementsAre(19036));
  for (size_t i = 1; i < 9; ++i) EXPECT_THAT(bundles[i].signers, ElementsAre(20326)) << "bundle " << i + 1;
  EXPECT_THAT(Tags(bundles[8]), ElementsAre(41824, 39570, 19036, 20326));
}

// A REVOKE bit changes the key's tag (19036 becomes 19164): show names the new tag, verify
// finds the stated tag wrong and the signature without its key.
TEST(SkrShow, RevokedKeyHasItsOwnTag) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  zone::SignedKeyResponse skr = Read(Q3File());
  zone::SkrBundle& b = skr.bundles[5];
  ASSERT_EQ(b.stated_key_tags[1], 19036);
  b.dnskeys[1].rdata[1] = static_cast<char>(b.dnskeys[1].rdata[1] | dns::kDnskeyRevoke);
  const SkrBundleSummary summary = SummarizeSkr(skr)[5];
  EXPECT_THAT(Tags(summary), ElementsAre(15768, 19164, 20326));
  EXPECT_TRUE(summary.keys[1].revoked);
  EXPECT_TRUE(summary.keys[1].ksk);
  EXPECT_FALSE(summary.keys[1].signs);
  EXPECT_THAT(ShowText(skr), HasSubstr("  19164 alg 8 2048 bits KSK REVOKED\n"));
  const SkrVerification v = VerifySkr(skr);
  ASSERT_EQ(v.problems.size(), 2u);
  EXPECT_EQ(v.problems[0].ToString(), std::string("bundle 6 (") + kQ3Bundle6Id +
                                          ") key 19164: the file states keyTag 19036, the key's tag is 19164");
  EXPECT_EQ(v.problems[1].key_tag, 19036);
  EXPECT_THAT(v.problems[1].reason, HasSubstr("no DNSKEY with tag 19036"));
}

// The computed size is what rootd's engine answers: every bundle of 2017 Q3 that the real root
// zone accepts in place of its DNSKEY RRset, asked ". DNSKEY" with DO over TCP (no truncation).
TEST(SkrShow, ResponseSizeIsTheEnginesAnswer) {
  const std::string zone_file = rootd::testing::SharedDataDir() + "/zones/root.zone";
  if (!HaveSharedData() || !std::filesystem::exists(zone_file)) GTEST_SKIP() << "no shared data";
  absl::StatusOr<zone::Zone> zone = zone::ReadMasterFile(zone_file);
  ASSERT_TRUE(zone.ok()) << zone.status();
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image = zone::ZoneImage::Compile(*zone);
  ASSERT_TRUE(image.ok()) << image.status();
  // ID 0x1234, no flags, one question (". DNSKEY IN"), one OPT (payload 4096, DO).
  const uint8_t query[] = {0x12, 0x34, 0, 0, 0, 1,  0,    0, 0, 0, 0,    1, 0, 0,
                           48,   0,    1, 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};
  const server::Engine engine{server::EngineConfig{}};
  const zone::SignedKeyResponse skr = Read(Q3File());
  int compared = 0;
  for (const zone::SkrBundle& b : skr.bundles) {
    SCOPED_TRACE(b.id);
    auto swapped = (*image)->WithDnskeys(b.dnskeys, b.signatures, b.inception + absl::Hours(24));
    if (!swapped.ok()) continue;  // a bundle without the zone's ZSK
    std::vector<uint8_t> out(65535);
    server::QueryInfo info;
    const server::Request request{query, sizeof query, server::Transport::kTcp};
    const size_t size = engine.Answer(**swapped, request, out.data(), out.size(), &info);
    EXPECT_EQ(size, DnskeyResponseSize(b));
    EXPECT_EQ(info.rcode, 0);
    EXPECT_FALSE(info.truncated);
    ++compared;
  }
  EXPECT_GE(compared, 8);
}

TEST(SkrVerify, RealFilesAndKnotSamplesVerify) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  for (const std::string& file :
       {SkrDir() + "/skr-root-2017-q1-0.xml", SkrDir() + "/skr-root-2017-q2-0.xml", Q3File(), D2EFile(),
        KnotSample("skr_knot_rsa.valid"), KnotSample("skr_knot_ecdsa_zsk_roll.valid")}) {
    SCOPED_TRACE(file);
    const zone::SignedKeyResponse skr = Read(file);
    const SkrVerification v = VerifySkr(skr);
    EXPECT_TRUE(v.ok()) << VerifyText(skr, v);
    EXPECT_EQ(v.signatures_verified, skr.bundles.size());
    EXPECT_THAT(VerifyText(skr, v), HasSubstr(" signatures verified: OK\n"));
  }
  const SkrVerification q3 = VerifySkr(Read(Q3File()));
  EXPECT_EQ(q3.bundles, 9u);
  EXPECT_EQ(q3.keys, 28u);
  EXPECT_EQ(VerifyJson(Read(Q3File()), q3),
            "{\"file\":\"" + Q3File() +
                "\",\"ok\":true,\"bundles\":9,\"keys\":28,\"signatures_verified\":9,\"problems\":[]}\n");
}

TEST(SkrVerify, NamesTheBundleOfEachProblem) {
  if (!HaveSharedData()) GTEST_SKIP() << "no shared SKR data";
  const std::string good = ReadFileText(Q3File());
  struct Case {
    const char* name;
    std::string file;
    uint16_t key_tag;
    const char* reason;
  };
  // Bundle 6's signature data is the 6th <SignatureData>; its KSK-2017 the 5th keyTag="20326".
  const Case cases[] = {
      {"flipped signature byte", WriteFlipped(good, "<SignatureData>", 6, "flipped.xml"), 19036,
       "signature does not verify with key 19036"},
      {"wrong stated keyTag", WriteModified(good, "keyTag=\"20326\"", "keyTag=\"20327\"", 5, "tag.xml"), 20326,
       "the file states keyTag 20327, the key's tag is 20326"},
      {"bundle outlives its signature",
       WriteModified(good, "<Expiration>2017-09-10T00:00:00+00:00", "<Expiration>2017-09-11T00:00:00+00:00", 1,
                     "window.xml"),
       19036, "at the bundle's expiration 2017-09-11T00:00:00Z: signature expired at 2017-09-10T00:00:00Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const zone::SignedKeyResponse skr = Read(c.file);
    const SkrVerification v = VerifySkr(skr);
    ASSERT_EQ(v.problems.size(), 1u) << VerifyText(skr, v);
    const SkrProblem& p = v.problems[0];
    EXPECT_EQ(p.bundle_index, 6u);
    EXPECT_EQ(p.bundle_id, kQ3Bundle6Id);
    EXPECT_EQ(p.key_tag, c.key_tag);
    EXPECT_THAT(p.reason, HasSubstr(c.reason));
    EXPECT_THAT(VerifyText(skr, v), HasSubstr(std::string(": bundle 6 (") + kQ3Bundle6Id + ") key "));
    EXPECT_THAT(VerifyText(skr, v), HasSubstr(": 1 problems\n"));
    EXPECT_THAT(VerifyJson(skr, v), HasSubstr("\"ok\":false"));
    EXPECT_THAT(VerifyJson(skr, v), HasSubstr(std::string("{\"bundle\":6,\"id\":\"") + kQ3Bundle6Id + "\""));
  }
}

// The command line, when the tool is built (it is part of the default build).
TEST(SkrTool, ExitStatus) {
  const std::string tool = rootd::testing::BinaryDir() + "/tools/skrtool";
  if (!std::filesystem::exists(tool)) GTEST_SKIP() << "no " << tool;
  const std::string good = KnotSample("skr_knot_rsa.valid");
  EXPECT_EQ(rootd::testing::RunCommand(tool + " verify " + good).exit_code, 0);
  const rootd::testing::CommandResult show = rootd::testing::RunCommand(tool + " show " + good + " --json");
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.output, HasSubstr("\"format\":\"knot-text\""));
  const std::string bad =
      WriteFlipped(ReadFileText(good), "RRSIG DNSKEY 8 0 172800 20261227075321 (\n\t\t\t\t20261206062321 56381 .\n\t\t\t\t",
                   1, "knot_flipped.txt");
  const rootd::testing::CommandResult verify = rootd::testing::RunCommand(tool + " verify " + bad);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.output, HasSubstr("bundle 1 (2026-12-06T07:53:21Z) key 56381: signature does not verify"));
  EXPECT_EQ(rootd::testing::RunCommand(tool + " verify " + KnotSample("ksr_knot_rsa.refused")).exit_code, 1);
  EXPECT_EQ(rootd::testing::RunCommand(tool + " frobnicate " + good).exit_code, 2);
}

}  // namespace
}  // namespace rootd::tools
