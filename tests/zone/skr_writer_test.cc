#include "zone/skr_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/test_paths.h"
#include "zone/rr_types.h"
#include "zone/skr.h"

namespace rootd::zone {
namespace {

using ::rootd::testing::ReadFileText;
using ::testing::HasSubstr;

std::string SkrDir() { return rootd::testing::SharedDataDir() + "/skr"; }

std::vector<std::string> RealSkrFiles() {
  std::vector<std::string> out;
  if (!std::filesystem::is_directory(SkrDir())) return out;
  for (const auto& e : std::filesystem::directory_iterator(SkrDir())) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("skr-") && name.ends_with(".xml")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What a reader keeps of a record, for comparing bundles (the line numbers differ by layout).
std::vector<std::string> Records(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) {
    out.push_back(r.owner + "/" + std::to_string(r.type) + "/" + std::to_string(r.rclass) + "/" +
                  std::to_string(r.ttl) + "/" + r.rdata);
  }
  return out;
}

void ExpectSameSkr(const SignedKeyResponse& a, const SignedKeyResponse& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.domain, b.domain);
  EXPECT_EQ(a.serial, b.serial);
  ASSERT_EQ(a.has_policy, b.has_policy);
  EXPECT_TRUE(a.ksk_policy == b.ksk_policy);
  EXPECT_TRUE(a.zsk_policy == b.zsk_policy);
  ASSERT_EQ(a.bundles.size(), b.bundles.size());
  for (size_t i = 0; i < a.bundles.size(); ++i) {
    SCOPED_TRACE(a.bundles[i].id);
    EXPECT_EQ(a.bundles[i].id, b.bundles[i].id);
    EXPECT_EQ(a.bundles[i].inception, b.bundles[i].inception);
    EXPECT_EQ(a.bundles[i].expiration, b.bundles[i].expiration);
    EXPECT_EQ(Records(a.bundles[i].dnskeys), Records(b.bundles[i].dnskeys));
    EXPECT_EQ(Records(a.bundles[i].signatures), Records(b.bundles[i].signatures));
    EXPECT_EQ(a.bundles[i].stated_key_tags, b.bundles[i].stated_key_tags);
    EXPECT_EQ(a.bundles[i].key_identifiers, b.bundles[i].key_identifiers);
  }
}

// Every real ceremony SKR: read, written, read again gives the same SKR; the 2017 files (laid
// out one element per line, as the writer does) come back octet for octet.
TEST(SkrWriter, RealCeremonyFilesRoundTrip) {
  const std::vector<std::string> files = RealSkrFiles();
  ASSERT_GE(files.size(), 4u) << SkrDir();
  size_t exact = 0;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    absl::StatusOr<SignedKeyResponse> read = ReadSkrFile(file);
    ASSERT_TRUE(read.ok()) << read.status();
    absl::StatusOr<std::string> written = WriteSkrXml(*read);
    ASSERT_TRUE(written.ok()) << written.status();
    absl::StatusOr<SignedKeyResponse> again = ParseSkrXml(*written, "written");
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSameSkr(*read, *again);
    if (file.find("skr-root-2017-") != std::string::npos) {
      EXPECT_EQ(*written, ReadFileText(file));
      ++exact;
    }
  }
  EXPECT_EQ(exact, 3u);
}

TEST(SkrWriter, Durations) {
  const std::pair<absl::Duration, const char*> cases[] = {
      {absl::ZeroDuration(), "PT0S"},
      {absl::Hours(24 * 21), "P21D"},
      {absl::Hours(36), "P1DT12H"},
      {absl::Hours(2) + absl::Seconds(5), "PT2H5S"},
      {absl::Minutes(90), "PT1H30M"},
  };
  for (const auto& [d, text] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(FormatXsdDuration(d).value_or("error"), text);
    EXPECT_EQ(ParseXsdDuration(text).value_or(absl::InfiniteDuration()), d);
  }
  EXPECT_FALSE(FormatXsdDuration(absl::Milliseconds(1500)).ok());
  EXPECT_FALSE(FormatXsdDuration(-absl::Hours(1)).ok());
}

TEST(SkrWriter, EscapesIdsAndIdentifiers) {
  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(SkrDir() + "/skr-root-2017-q1-0.xml");
  ASSERT_TRUE(skr.ok()) << skr.status();
  skr->id = "a&b<\"c\">";
  skr->bundles[0].id = "1 & 2";
  skr->bundles[0].key_identifiers[0] = "<zsk \"1\">";
  absl::StatusOr<std::string> written = WriteSkrXml(*skr);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(*written, HasSubstr("<KSR id=\"a&amp;b&lt;&quot;c&quot;&gt;\""));
  absl::StatusOr<SignedKeyResponse> again = ParseSkrXml(*written, "escaped");
  ASSERT_TRUE(again.ok()) << again.status();
  ExpectSameSkr(*skr, *again);
}

TEST(SkrWriter, RefusesWhatTheFormatCannotHold) {
  absl::StatusOr<SignedKeyResponse> knot =
      ReadSkrFile(rootd::testing::SourceDir() + "/tests/zone/data/skr_knot_rsa.valid");
  ASSERT_TRUE(knot.ok()) << knot.status();
  EXPECT_THAT(std::string(WriteSkrXml(*knot).status().message()), HasSubstr("no response policy"));

  absl::StatusOr<SignedKeyResponse> skr = ReadSkrFile(SkrDir() + "/skr-root-2017-q1-0.xml");
  ASSERT_TRUE(skr.ok()) << skr.status();
  SignedKeyResponse other_domain = *skr;
  other_domain.domain = "example.";
  EXPECT_THAT(std::string(WriteSkrXml(other_domain).status().message()), HasSubstr("not the root"));
  SignedKeyResponse other_owner = *skr;
  other_owner.bundles[1].dnskeys[0].owner = std::string("\3com\0", 5);
  EXPECT_THAT(std::string(WriteSkrXml(other_owner).status().message()), HasSubstr("not owned by '.'"));
  SignedKeyResponse other_type = *skr;
  other_type.bundles[0].signatures[0].rdata[1] = static_cast<char>(dns::kTypeSoa);
  EXPECT_THAT(std::string(WriteSkrXml(other_type).status().message()), HasSubstr("not DNSKEY"));
}

}  // namespace
}  // namespace rootd::zone
