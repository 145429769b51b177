// Zone text shared by the engine tests and the engine fuzzer.
#pragma once
#include <string>

namespace rootd::server::testing {

// A TLD "big." with 13 name servers, each with in-domain A and AAAA glue: more than 512
// octets of glue that RFC 9471 requires in a referral, so a 512-octet response is truncated.
inline std::string BigTld() {
  std::string text;
  for (int i = 0; i < 13; ++i) {
    const std::string ns = "ns" + std::to_string(i) + ".big.";
    text += "big. 172800 IN NS " + ns + "\n";
    text += ns + " 172800 IN A 192.0.2." + std::to_string(i) + "\n";
    text += ns + " 172800 IN AAAA 2001:db8::" + std::to_string(i) + "\n";
  }
  return text;
}

}  // namespace rootd::server::testing
