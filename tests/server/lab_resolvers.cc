#include "tests/server/lab_resolvers.h"

#include <sys/stat.h>

#include <chrono>
#include <regex>

#include "tests/run_command.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/text.h"

namespace rootd::testing {

namespace {

// Records expire from the resolvers' caches after this many seconds at most, so that every
// answer is validated again against the root's current DNSKEY RRset within seconds: a resolver
// that lost its trust anchor fails at once instead of after the day-long TTLs of a root zone.
constexpr int kMaxCacheTtl = 10;

// The rndc key of every lab BIND: it only guards a control channel on 127.0.0.1.
constexpr char kRndcKey[] =
    "key \"rndc-key\" { algorithm hmac-sha256; secret \"cm9vdGQtbGFiLXJuZGMta2V5LXJvb3RkLWxhYi0xMjM=\"; };\n";

std::string UnboundConfig(const LabResolverOptions& o, uint16_t port) {
  std::string anchor = o.managed
                           ? Cat("  auto-trust-anchor-file: \"", o.dir, "/root.key\"\n",
                                 "  add-holddown: ", o.hold_down_seconds, "\n", "  del-holddown: ", o.hold_down_seconds,
                                 "\n", "  keep-missing: ", o.hold_down_seconds, "\n", "  permit-small-holddown: yes\n")
                           : Cat("  trust-anchor-file: \"", o.dir, "/root.key\"\n");
  return Cat("server:\n", "  interface: 127.0.0.1\n", "  port: ", port, "\n",
             "  outgoing-interface: ", o.source_address, "\n", "  do-not-query-localhost: no\n", "  do-ip6: no\n",
             "  username: \"\"\n", "  chroot: \"\"\n", "  directory: \"", o.dir, "\"\n", "  pidfile: \"", o.dir,
             "/unbound.pid\"\n", "  use-syslog: no\n", "  verbosity: 1\n", "  module-config: \"validator iterator\"\n",
             "  trust-anchor-signaling: yes\n", "  cache-max-ttl: ", kMaxCacheTtl, "\n",
             "  cache-max-negative-ttl: ", kMaxCacheTtl, "\n", "  root-hints: \"", o.dir, "/root.hints\"\n", anchor,
             "remote-control:\n", "  control-enable: no\n");
}

std::string BindConfig(const LabResolverOptions& o, uint16_t port, uint16_t control_port) {
  return Cat("include \"", o.dir, "/rndc.key\";\n", "controls { inet 127.0.0.1 port ", control_port,
             " allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n", "options {\n", "  directory \"", o.dir, "\";\n",
             "  pid-file \"", o.dir, "/named.pid\";\n", "  listen-on port ", port, " { 127.0.0.1; };\n",
             "  listen-on-v6 { none; };\n", "  query-source address ", o.source_address, ";\n", "  recursion yes;\n",
             "  allow-query { any; };\n", "  dnssec-validation yes;\n", "  trust-anchor-telemetry yes;\n",
             "  max-cache-ttl ", kMaxCacheTtl, ";\n", "  max-ncache-ttl ", kMaxCacheTtl, ";\n", "};\n", "include \"",
             o.dir, "/trust-anchors.conf\";\n", "zone \".\" { type hint; file \"", o.dir, "/root.hints\"; };\n");
}

std::string KnotResolverConfig(const LabResolverOptions& o, uint16_t port) {
  return Cat("net.ipv6 = false\n", "net.listen('127.0.0.1', ", port, ", { kind = 'dns' })\n", "net.outgoing_v4('",
             o.source_address, "')\n", "cache.size = 10 * MB\n", "cache.max_ttl(", kMaxCacheTtl, ")\n",
             // Knot Resolver ignores glue at loopback addresses (the lab TLD's) unless ALLOW_LOCAL, and
             // would look the root servers' names up under the lab's net.: they are hints instead.
             "policy.add(policy.all(policy.FLAGS({ 'ALLOW_LOCAL' })))\n", "modules.load('hints > iterate')\n",
             "hints.root({ ['a.root-servers.net.'] = '", o.root_address, "' })\n",
             "for letter in ('abcdefghijklm'):gmatch('.') do\n", "  hints.set(letter .. '.root-servers.net. ",
             o.root_address, "')\n", "end\n", "trust_anchors.add_file('", o.dir, "/root.keys', ",
             o.managed ? "false" : "true", ")\n", "ta_update.hold_down_time = ", o.hold_down_seconds, " * sec\n",
             "ta_update.refresh_time = ", o.refresh_seconds, " * sec\n", "log_groups({ 'ta', 'taupd' })\n");
}

// The anchor file where the configuration expects it; BIND's made static when asked.
absl::Status CopyAnchor(const LabResolverOptions& o) {
  std::string text = ReadFileText(o.anchor_file);
  if (text.empty()) return absl::NotFoundError(Cat("cannot read the trust anchor ", o.anchor_file));
  switch (o.kind) {
    case ResolverKind::kUnbound:
      WriteFileText(o.dir + "/root.key", text);
      break;
    case ResolverKind::kKnotResolver:
      WriteFileText(o.dir + "/root.keys", text);
      break;
    case ResolverKind::kBind:
      if (!o.managed) text = std::regex_replace(text, std::regex("\\binitial-(key|ds)\\b"), "static-$1");
      WriteFileText(o.dir + "/trust-anchors.conf", text);
      break;
  }
  return absl::OkStatus();
}

// Unbound's upper-case names and BIND's "trust pending" / "trusted since" / "trust revoked" as
// RFC 5011's; Knot Resolver already uses those.
std::string StateName(const std::string& word) {
  static const std::map<std::string, std::string> names = {
      {"START", "Start"},     {"ADDPEND", "AddPend"}, {"VALID", "Valid"},
      {"MISSING", "Missing"}, {"REVOKED", "Revoked"}, {"REMOVED", "Removed"},
      {"pending", "AddPend"}, {"since", "Valid"},     {"revoked", "Revoked"},
  };
  auto it = names.find(word);
  return it == names.end() ? word : it->second;
}

// Every match of `pattern` in `text`: the key tag and the state word are its groups.
AnchorStates Matches(const std::string& text, const std::regex& pattern, int tag_group = 1, int state_group = 2) {
  AnchorStates states;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    states[static_cast<uint16_t>(std::stoul((*it)[tag_group]))] = StateName((*it)[state_group]);
  }
  return states;
}

}  // namespace

const char* ResolverName(ResolverKind kind) {
  switch (kind) {
    case ResolverKind::kUnbound:
      return "Unbound";
    case ResolverKind::kBind:
      return "BIND";
    case ResolverKind::kKnotResolver:
      return "Knot Resolver";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<LabResolver>> LabResolver::Start(const LabResolverOptions& options) {
  const bool unbound = options.kind == ResolverKind::kUnbound, bind = options.kind == ResolverKind::kBind;
  const std::string binary = FindBinary({unbound ? "/usr/sbin/unbound" : bind ? "/usr/sbin/named" : "/usr/sbin/kresd"});
  if (binary.empty()) {
    return absl::FailedPreconditionError(Cat(ResolverName(options.kind),
                                             " is not installed: run scripts/setup.sh or apt-get install ",
                                             unbound ? "unbound"
                                             : bind  ? "bind9"
                                                     : "knot-resolver"));
  }
  mkdir(options.dir.c_str(), 0755);
  if (absl::Status s = CopyAnchor(options); !s.ok()) return s;
  // Root hints naming one root server at the lab root's address; priming asks it for the rest.
  WriteFileText(
      options.dir + "/root.hints",
      Cat(".\t3600000\tNS\ta.root-servers.net.\na.root-servers.net.\t3600000\tA\t", options.root_address, "\n"));
  const uint16_t port = FreePort(), control_port = bind ? FreePort() : 0;
  if (port == 0 || (bind && control_port == 0)) return absl::UnavailableError("no free loopback port");
  std::unique_ptr<LabResolver> resolver(new LabResolver(options, port, control_port));
  const std::string config = options.dir + (unbound ? "/unbound.conf" : bind ? "/named.conf" : "/kresd.conf");
  std::vector<std::string> args;
  if (unbound) {
    WriteFileText(config, UnboundConfig(options, port));
    args = {binary, "-d", "-c", config};
  } else if (bind) {
    WriteFileText(options.dir + "/rndc.key", kRndcKey);
    WriteFileText(config, BindConfig(options, port, control_port));
    // mkeytimers: refresh at least every second, at most every hold-down; the hold-downs.
    const std::string timers = Cat("mkeytimers=1/", options.hold_down_seconds, "/", options.hold_down_seconds);
    args = {binary, "-g", "-4", "-n", "1", "-u", "root", "-c", config, "-T", timers, "-T", "tat=1"};
  } else {
    WriteFileText(config, KnotResolverConfig(options, port));
    args = {binary, "-n", "-c", config, options.dir};
  }
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Start(args, options.dir + "/resolver.log");
  if (!process.ok()) return process.status();
  resolver->process_ = *std::move(process);

  // Answering at all (a resolver whose anchor fails answers SERVFAIL): validation is the caller's.
  const auto answers = [&] { return resolver->Dig(". SOA").find("status: ") != std::string::npos; };
  const ChildProcess::Wait wait =
      resolver->process_->WaitUntilReady(answers, std::chrono::seconds(30), std::chrono::milliseconds(200));
  if (wait == ChildProcess::Wait::kReady) return resolver;
  if (wait == ChildProcess::Wait::kExited) {
    return absl::InternalError(Cat(ResolverName(options.kind), " exited (status ", resolver->process_->exit_status(),
                                   "):\n", resolver->LogTail()));
  }
  return absl::DeadlineExceededError(
      Cat(ResolverName(options.kind), " did not answer . SOA within 30 s:\n", resolver->LogTail()));
}

std::string LabResolver::Dig(const std::string& query) const {
  return RunCommand(Cat("dig @127.0.0.1 -p ", port_, " +tries=1 +time=3 ", query)).output;
}

absl::StatusOr<AnchorStates> LabResolver::RootAnchorStates() const {
  switch (options_.kind) {
    case ResolverKind::kUnbound: {
      // ".	10	IN	DNSKEY	257 3 8 ... ;{id = 30934 (ksk), size = 2048b} ;;state=1 [ ADDPEND ] ..."
      const std::string text = ReadFileText(options_.dir + "/root.key");
      if (text.empty()) return absl::UnavailableError("Unbound's anchor file is empty");
      return Matches(text, std::regex(";\\{id = (\\d+) \\(ksk\\)[^}]*\\} ;;state=\\d \\[ *([A-Z]+) *\\]"));
    }
    case ResolverKind::kBind: {
      // "    keyid: 30934\n\talgorithm: ...\n\tflags: SEP\n\tnext refresh: ...\n\ttrust pending: ..."
      // ("trusted since", "trust revoked") per key of `rndc managed-keys status`.
      const CommandResult status = RunCommand(
          Cat("rndc -s 127.0.0.1 -p ", control_port_, " -k ", options_.dir, "/rndc.key managed-keys status"));
      if (status.exit_code != 0) return absl::UnavailableError(Cat("rndc managed-keys status: ", status.output));
      return Matches(status.output,
                     std::regex("keyid: (\\d+)\\n(?:\\t[^\\n]*\\n)*?\\t(?:trust|trusted) (pending|since|revoked)"));
    }
    case ResolverKind::kKnotResolver: {
      // ".  10  DNSKEY  257 3 8 ... ; Valid: ; KeyTag:20326" ("; " before keys not trusted)
      const std::string text = ReadFileText(options_.dir + "/root.keys");
      if (text.empty()) return absl::UnavailableError("Knot Resolver's key file is empty");
      return Matches(text, std::regex("; ([A-Za-z]+):\\d* ; KeyTag:(\\d+)"), 2, 1);
    }
  }
  return absl::InternalError("unknown resolver");
}

std::string LabResolver::LogTail() const { return FileTail(options_.dir + "/resolver.log"); }

std::string AnchorStatesText(const AnchorStates& states) {
  std::string out;
  for (const auto& [tag, state] : states) out += Cat(out.empty() ? "" : ", ", state, ": ", tag);
  return out.empty() ? "none" : out;
}

}  // namespace rootd::testing
