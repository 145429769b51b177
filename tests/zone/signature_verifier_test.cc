#include "zone/signature_verifier.h"

#include <gtest/gtest.h>

#include "tests/test_paths.h"
#include "tests/zone/ldns_zone_loader.h"

namespace rootd::zone {
namespace {

TEST(SignatureVerifier, Smoke) {
  auto z = rootd::testing::LoadZoneWithLdns(rootd::testing::SharedDataDir() + "/zones/root.zone");
  ASSERT_TRUE(z.ok()) << z.status();
  ApexKeys keys = ApexKeys::FromZone(*z);
  SignatureOptions o;
  o.at = absl::FromUnixSeconds(1503619200);
  auto t0 = absl::Now();
  SignatureReport r = SignatureVerifier(*z, keys).Verify(o);
  std::cerr << "verify " << absl::ToDoubleMilliseconds(absl::Now() - t0) << " ms\n";
  EXPECT_EQ(r.verified.size(), 2950u);
  for (size_t i = 0; i < r.failures.size() && i < 10; ++i) std::cerr << r.failures[i] << "\n";
  std::cerr << z->Describe(*r.earliest_expiring) << " " << FormatUtc(r.earliest_expiration) << "\n";
}

}  // namespace
}  // namespace rootd::zone
