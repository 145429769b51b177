#include "zone/name.h"

#include <gtest/gtest.h>

namespace rootd::zone {
namespace {

std::string W(std::string_view text) { return NameFromText(text, std::string(1, '\0')).value(); }

TEST(NameFromText, RootAndRelative) {
  EXPECT_EQ(W("."), std::string(1, '\0'));
  EXPECT_EQ(W("com."), std::string("\3com\0", 5));
  EXPECT_EQ(NameFromText("www", std::string("\3com\0", 5)).value(), std::string("\3www\3com\0", 9));
  EXPECT_EQ(W("a\\.b.c."), std::string("\3a.b\1c\0", 7));
  EXPECT_EQ(W("\\065."), std::string("\1A\0", 3));
}

TEST(NameFromText, RejectsOverlongLabelAndName) {
  EXPECT_FALSE(NameFromText(std::string(64, 'a') + ".", std::string(1, '\0')).ok());
  std::string long_name;
  for (int i = 0; i < 26; ++i) long_name += "abcdefghi.";
  EXPECT_FALSE(NameFromText(long_name, std::string(1, '\0')).ok());
  EXPECT_FALSE(NameFromText("a..b.", std::string(1, '\0')).ok());
}

TEST(CanonicalCompare, Rfc4034Example) {
  // The ordered list of RFC 4034 6.1.
  const char* ordered[] = {"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
                           "zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    SCOPED_TRACE(ordered[i]);
    EXPECT_LT(CanonicalCompare(W(ordered[i]), W(ordered[i + 1])), 0);
    EXPECT_GT(CanonicalCompare(W(ordered[i + 1]), W(ordered[i])), 0);
  }
  EXPECT_EQ(CanonicalCompare(W("Com."), W("cOM.")), 0);
}

TEST(CanonicalSortKey, OrdersAsCanonicalCompare) {
  // The RFC 4034 6.1 list plus case variants and the octets the key escapes (0x00, 0x01).
  const char* names[] = {".", "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                         "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example.", "\\000.z.example.",
                         "\\000\\000.z.example.", "\\001\\001.z.example.", "\\002.z.example.", "a\\000.example.",
                         "a\\001.example.", "A.example.", "a.a.example.", "com.", "Com.", "xn--p1ai."};
  for (const char* a : names) {
    for (const char* b : names) {
      SCOPED_TRACE(std::string(a) + " vs " + b);
      const int want = CanonicalCompare(W(a), W(b));
      const int got = CanonicalSortKey(W(a)).compare(CanonicalSortKey(W(b)));
      EXPECT_EQ(want < 0, got < 0);
      EXPECT_EQ(want == 0, got == 0);
    }
  }
  EXPECT_EQ(CanonicalSortKey(W(".")), "");
  EXPECT_EQ(CanonicalSortKey(W("www.Example.COM.")), std::string("com\0example\0www\0", 16));
}

TEST(Name, LabelsSuffixAndText) {
  EXPECT_EQ(LabelCount(W(".")), 0);
  EXPECT_EQ(LabelCount(W("www.example.com.")), 3);
  EXPECT_EQ(NameSuffix(W("www.example.com."), 1), W("com."));
  EXPECT_TRUE(IsSubdomainOf(W("WWW.Com."), W("com.")));
  EXPECT_FALSE(IsSubdomainOf(W("com."), W("www.com.")));
  EXPECT_EQ(NameToText(W("a\\.b.c.")), "a\\.b.c.");
  EXPECT_EQ(NameToText(W(".")), ".");
}

}  // namespace
}  // namespace rootd::zone
