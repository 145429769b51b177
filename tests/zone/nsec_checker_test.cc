#include "zone/nsec_checker.h"

#include <gtest/gtest.h>

#include "zone/rr_types.h"
#include "zone/type_bitmap.h"

namespace rootd::zone {
namespace {

TEST(ParseNsec, SplitsNextNameAndTypes) {
  const std::string rdata = std::string("\x04" "aarp\x00", 6) + EncodeTypeBitmap({2, 43, 46, 47});
  const NsecFields f = ParseNsec(rdata).value();
  EXPECT_EQ(f.next, std::string("\x04" "aarp\x00", 6));
  EXPECT_EQ(f.types, (std::vector<uint16_t>{2, 43, 46, 47}));
  EXPECT_FALSE(ParseNsec(std::string("\x04" "aarp", 5)).ok());
}

}  // namespace
}  // namespace rootd::zone
