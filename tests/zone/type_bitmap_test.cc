#include "zone/type_bitmap.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zone/encoding.h"
#include "zone/rr_types.h"

namespace rootd::zone {
namespace {

// RFC 4034 4.3: "A MX RRSIG NSEC TYPE1234".
const std::string kRfcBitmap = std::string("\x00\x06\x40\x01\x00\x00\x00\x03", 8) + std::string("\x04\x1b", 2) +
                               std::string(26, '\0') + std::string("\x20", 1);

TEST(TypeBitmap, EncodesTheRfc4034Example) {
  // Already sorted and unique, and unsorted with a repeat: the same octets.
  EXPECT_EQ(HexEncode(EncodeTypeBitmap({dns::kTypeA, dns::kTypeMx, dns::kTypeRrsig, dns::kTypeNsec, 1234})),
            HexEncode(kRfcBitmap));
  EXPECT_EQ(EncodeTypeBitmap({1234, dns::kTypeNsec, dns::kTypeA, dns::kTypeMx, dns::kTypeRrsig, dns::kTypeA}),
            kRfcBitmap);
  EXPECT_EQ(EncodeTypeBitmap({}), "");
}

TEST(TypeBitmap, DecodesTheRfc4034Example) {
  EXPECT_EQ(DecodeTypeBitmap(kRfcBitmap).value(),
            (std::vector<uint16_t>{dns::kTypeA, dns::kTypeMx, dns::kTypeRrsig, dns::kTypeNsec, 1234}));
  EXPECT_EQ(DecodeTypeBitmap("").value(), std::vector<uint16_t>{});
}

TEST(TypeBitmap, RoundTripsEveryWindowEdge) {
  const std::vector<uint16_t> types = {0, 7, 8, 255, 256, 65535};
  EXPECT_EQ(DecodeTypeBitmap(EncodeTypeBitmap(types)).value(), types);
}

TEST(TypeBitmap, RejectsMalformedBitmaps) {
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00", 1)).ok());                  // truncated header
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x02\x40", 3)).ok());          // truncated octets
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x00", 2)).ok());              // length 0
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x21", 2) + std::string(33, '\x01')).ok());  // length 33
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x02\x40\x00", 4)).ok());      // trailing zero octet
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x01\x01\x40\x00\x01\x40", 6)).ok());  // windows out of order
  EXPECT_FALSE(DecodeTypeBitmap(std::string("\x00\x01\x40\x00\x01\x40", 6)).ok());  // repeated window
}

}  // namespace
}  // namespace rootd::zone
