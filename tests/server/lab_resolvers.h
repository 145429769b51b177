// Real validating resolvers from Debian (Unbound, BIND 9, Knot Resolver) run against a lab root
// server for the end-to-end tests, configured as docs/testbed.md shows: each in a directory of
// its own, listening on 127.0.0.1 at a free port, sending its queries from a loopback address of
// its own (so that rootd's counters tell them apart), root hints at the lab root, RFC 8145
// signalling on and, for a managed trust anchor, RFC 5011 timers in seconds; and each
// resolver's own record of its trust anchors, read back as it keeps it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/server/child_process.h"

namespace rootd::testing {

enum class ResolverKind { kUnbound, kBind, kKnotResolver };
// "Unbound", "BIND", "Knot Resolver".
const char* ResolverName(ResolverKind kind);

struct LabResolverOptions {
  ResolverKind kind = ResolverKind::kUnbound;
  std::string dir;             // created if missing: configuration, anchor file, logs
  std::string source_address;  // 127.x.y.z, the resolver's own: it queries the root from there
  // The lab root server, on port 53: the resolver's root hints name one root server there, and
  // priming must find the others there too (rootlab init --server-address puts them all there).
  std::string root_address;
  // The root trust anchor in the resolver's own form (rootlab init writes them): Unbound's
  // anchor file (DS or DNSKEY lines), a BIND `trust-anchors { . initial-key|initial-ds ... };`
  // clause, Knot Resolver's key file (DS or DNSKEY lines). Copied into `dir`.
  std::string anchor_file;
  // Managed by RFC 5011 (Unbound's auto-trust-anchor-file, BIND's initial-key/initial-ds, Knot
  // Resolver's add_file(path, false)); otherwise static: trusted as given, never updated.
  bool managed = true;
  // The add and remove hold-downs (Unbound's keep-missing too), in seconds.
  int hold_down_seconds = 30;
  // Knot Resolver's refresh interval, in seconds: it is fixed; Unbound and BIND refresh at half
  // the DNSKEY TTL (RFC 5011 2.3, their floor of an hour lifted).
  int refresh_seconds = 5;
};

// A trust anchor's state as the resolver records it, in RFC 5011's words: "AddPend", "Valid",
// "Missing", "Revoked", "Removed" (Knot Resolver's and BIND's wording mapped onto these).
using AnchorStates = std::map<uint16_t, std::string>;  // by key tag as the resolver lists it

class LabResolver {
 public:
  // Writes the configuration and starts the resolver; ready once it answers ". SOA" (whatever
  // the rcode). FailedPrecondition when its binary is missing (the caller skips).
  static absl::StatusOr<std::unique_ptr<LabResolver>> Start(const LabResolverOptions& options);

  ResolverKind kind() const { return options_.kind; }
  const char* name() const { return ResolverName(options_.kind); }
  const LabResolverOptions& options() const { return options_; }
  uint16_t port() const { return port_; }

  // `dig @127.0.0.1 -p PORT +tries=1 +time=3 QUERY`: what dig printed.
  std::string Dig(const std::string& query) const;
  // The root's trust anchors as the resolver records them: Unbound's anchor file (";;state="),
  // `rndc managed-keys status`, Knot Resolver's key file. Unavailable when it cannot be read.
  absl::StatusOr<AnchorStates> RootAnchorStates() const;
  // The end of its log, for failure messages.
  std::string LogTail() const;

 private:
  LabResolver(LabResolverOptions options, uint16_t port, uint16_t control_port)
      : options_(std::move(options)), port_(port), control_port_(control_port) {}

  LabResolverOptions options_;
  uint16_t port_;
  uint16_t control_port_;  // BIND's rndc
  std::unique_ptr<ChildProcess> process_;
};

// "AddPend: 12345, Valid: 20326" for messages.
std::string AnchorStatesText(const AnchorStates& states);

}  // namespace rootd::testing
