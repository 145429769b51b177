// A knot.conf for one side of Knot DNS's offline-KSK exchange (keymgr generate-ksr on the ZSK
// side, sign-ksr on the KSK side, import-skr back): a PEM key store and database in `dir`, and a
// manual, offline-KSK policy for the root: both sides need `manual: on` and `offline-ksk: on`
// (/work/shared/docs/tools.md). The RRSIG lifetime and refresh set the snapshots sign-ksr makes:
// one every 7 days, each signed for 14; the DNSKEY TTL is the root's (and the lab zone's) 172800.
#pragma once
#include <string>
#include <string_view>

#include "zone/text.h"

namespace rootd::testing {

// `algorithm` as keymgr names it: "rsasha256", "ecdsap256sha256".
inline std::string KnotOfflineConf(const std::string& dir, std::string_view algorithm) {
  return Cat("database:\n  storage: \"", dir, "\"\n", "keystore:\n  - id: pem\n    backend: pem\n    config: \"", dir,
             "/keys\"\n", "policy:\n  - id: offline\n    keystore: pem\n    algorithm: ", algorithm,
             "\n    manual: on\n    offline-ksk: on\n    dnskey-ttl: 172800\n    zone-max-ttl: 518400\n",
             "    rrsig-lifetime: 14d\n    rrsig-refresh: 7d\n", "template:\n  - id: default\n    storage: \"", dir,
             "\"\n    dnssec-signing: on\n    dnssec-policy: offline\n", "zone:\n  - domain: .\n");
}

}  // namespace rootd::testing
