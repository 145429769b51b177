// rootlab: a rollover lab root of one's own. `init` makes the lab (keys, signed root zone, the
// lab TLD's zone, trust anchors in every resolver's form; zone/lab_init.h); `scenario` writes an
// SKR that rolls its keys on an accelerated, wall-clock-aligned schedule for rootd to serve
// (zone/lab_scenario.h), refused when skrtool lint rejects it.
// Exit status: 0 on success, 1 on failure, 2 on usage errors.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "server/command_line.h"
#include "tools/lab_scenario_report.h"
#include "tools/skr_lint.h"
#include "tools/skr_report.h"
#include "zone/anchor_files.h"
#include "zone/file_io.h"
#include "zone/ksr_signer.h"
#include "zone/lab_init.h"
#include "zone/lab_scenario.h"
#include "zone/root_signing.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/skr.h"
#include "zone/skr_writer.h"
#include "zone/text.h"

namespace {

using rootd::server::CommandLine;
namespace dns = rootd::dns;

constexpr char kUsage[] =
    "usage: rootlab init DIR [--from-zone ZONE] [--tlds N] [--algorithm rsasha256|ecdsap256sha256|ed25519]\n"
    "                        [--validity DURATION] [--server-address ADDR] [--lab-tld-address ADDR]\n"
    "init      a lab in DIR: fresh keys in DIR/keys, DIR/root.zone (generated with N TLDs, default 50, or\n"
    "          ZONE's content re-signed; the root servers' glue at --server-address, default 127.0.53.1;\n"
    "          lab. delegated to ns.lab. at --lab-tld-address, default 127.0.53.10), DIR/lab.zone,\n"
    "          DIR/root.ds and DIR/anchors/ (Unbound, BIND, Knot Resolver, root-anchors.xml);\n"
    "          signatures valid from an hour ago for --validity (default 30 days)\n"
    "       rootlab scenario DIR --plan ksk-roll|emergency|standby-key|zsk-roll|algorithm-roll\n"
    "                        --slot DURATION [--start TIME]\n"
    "                        [--hold-down DURATION] [--dnskey-ttl SECONDS] [--out FILE] [--force]\n"
    "scenario  an SKR for rootd --skr (default DIR/scenario-PLAN.xml) rolling the lab's keys, one bundle per\n"
    "          slot from the slot holding --start (RFC 3339, default now), slots aligned to the wall clock;\n"
    "          the new key is published for ceil(hold-down / slot) + 1 slots (--hold-down default 2 slots);\n"
    "          DNSKEY TTL one slot unless given; the timeline is printed and written to\n"
    "          DIR/scenario-PLAN.json; DIR/scenario-PLAN.ds names every KSK of it (rootd --trust-anchor).\n"
    "          zsk-roll and algorithm-roll re-sign the zone: DIR/scenario-PLAN-PHASE.zone, each to be\n"
    "          loaded with rootctl reload inside the window printed. A scenario skrtool lint rejects\n"
    "          (with the lab's hold-down) is not written unless --force (emergency exists to fail)\n"
    "       rootlab sign-ksr DIR KSR [--schema normal|pre-publish|rollover|revoke] [--out SKR]\n"
    "                        [--knot-validity DURATION]\n"
    "sign-ksr  the lab's key ceremony: KSR (IANA XML or Knot's keymgr text) signed with the lab's KSK-A\n"
    "          (current) and KSK-B (next, made if the schema needs it) into an SKR of the same format\n"
    "          (stdout unless --out); Knot snapshots are signed for --knot-validity (default 21 days)\n"
    "DURATION is an xsd:duration (P30D, PT5S) or a Go-style one (720h, 5s).\n";

std::optional<absl::Duration> ParseDuration(const std::string& text) {
  absl::Duration d;
  if (absl::ParseDuration(text, &d)) return d;
  absl::StatusOr<absl::Duration> xsd = rootd::zone::ParseXsdDuration(text);
  if (xsd.ok()) return *xsd;
  return std::nullopt;
}

CommandLine::Setter PositiveDuration(absl::Duration* target) {
  return [target](const std::string& value) {
    std::optional<absl::Duration> d = ParseDuration(value);
    if (!d || *d <= absl::ZeroDuration()) return false;
    *target = *d;
    return true;
  };
}

CommandLine::Setter Algorithm(uint8_t* target) {
  return [target](const std::string& value) {
    if (value == "rsasha256") {
      *target = dns::kAlgRsaSha256;
    } else if (value == "ecdsap256sha256") {
      *target = dns::kAlgEcdsaP256;
    } else if (value == "ed25519") {
      *target = dns::kAlgEd25519;
    } else {
      return false;
    }
    return true;
  };
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "rootlab: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Init(int argc, char** argv) {
  rootd::zone::LabInitOptions options;
  CommandLine command_line("rootlab init", kUsage);
  command_line.Option("from-zone", &options.from_zone)
      .Option(
          "tlds",
          [&](const std::string& value) {
            uint64_t n = 0;
            if (!rootd::server::ParseUint64(value, 100000, &n) || n < 1) return false;
            options.tld_count = static_cast<int>(n);
            return true;
          },
          "a count from 1 to 100000")
      .Option("algorithm", Algorithm(&options.algorithm), "rsasha256, ecdsap256sha256 or ed25519")
      .Option("validity", PositiveDuration(&options.validity), "a duration like P30D or 720h")
      .Option("server-address", &options.server_address)
      .Option("lab-tld-address", &options.lab_tld_address)
      .Arguments({&options.dir});
  if (std::optional<int> status = command_line.Parse(argc, argv, 2)) return *status;
  if (options.dir.empty()) return command_line.UsageError("which folder?");
  options.now = absl::Now();
  absl::StatusOr<rootd::zone::LabInitReport> report = rootd::zone::InitLab(options);
  if (!report.ok()) return Fail(report.status());
  std::printf(
      "lab in %s: KSK-A %u, ZSK-1 %u, lab. key %u; root.zone serial %u, %zu records, signatures valid until %s\n"
      "serve it: rootd --zone %s/root.zone --trust-anchor %s/root.ds\n",
      options.dir.c_str(), report->ksk_tag, report->zsk_tag, report->lab_tld_tag, report->serial, report->records,
      rootd::zone::FormatUtc(report->expiration).c_str(), options.dir.c_str(), options.dir.c_str());
  return 0;
}

int Scenario(int argc, char** argv) {
  std::string dir, out, plan_name;
  rootd::zone::LabScenarioOptions options;
  options.slot = absl::ZeroDuration();
  std::optional<absl::Duration> hold_down;
  bool force = false;
  CommandLine command_line("rootlab scenario", kUsage);
  command_line.Option("plan", &plan_name)
      .Option("slot", PositiveDuration(&options.slot), "a duration like PT5S or 5s")
      .Option(
          "start",
          [&](const std::string& value) {
            std::string error;
            return absl::ParseTime(absl::RFC3339_full, value, &options.start, &error);
          },
          "a time like 2026-12-06T22:00:00Z")
      .Option(
          "hold-down",
          [&](const std::string& value) {
            hold_down = ParseDuration(value);
            return hold_down.has_value() && *hold_down >= absl::ZeroDuration();
          },
          "a duration like PT10S or 10s")
      .Option(
          "dnskey-ttl",
          [&](const std::string& value) {
            uint64_t ttl = 0;
            if (!rootd::server::ParseUint64(value, 0x7fffffff, &ttl) || ttl == 0) return false;
            options.dnskey_ttl = static_cast<uint32_t>(ttl);
            return true;
          },
          "seconds, at least 1")
      .Option("out", &out)
      .Switch("force", &force)
      .Arguments({&dir});
  if (std::optional<int> status = command_line.Parse(argc, argv, 2)) return *status;
  if (dir.empty()) return command_line.UsageError("which lab folder?");
  const std::optional<rootd::zone::LabPlan> plan = rootd::zone::ParseLabPlan(plan_name);
  if (!plan) return command_line.UsageError("--plan ksk-roll, emergency, standby-key, zsk-roll or algorithm-roll");
  if (options.slot == absl::ZeroDuration()) return command_line.UsageError("--slot is needed");
  options.plan = *plan;
  options.hold_down = hold_down.value_or(2 * options.slot);
  const std::string prefix = rootd::Cat(dir, "/scenario-", plan_name);
  if (out.empty()) out = prefix + ".xml";
  options.root_zone = rootd::zone::LabRootZonePath(dir);

  absl::StatusOr<rootd::zone::LabKeyStore> store = rootd::zone::LabKeyStore::Open(dir);
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<rootd::zone::LabScenario> scenario = rootd::zone::MakeLabScenario(*store, options);
  if (!scenario.ok()) return Fail(scenario.status());
  absl::StatusOr<std::string> xml = rootd::zone::WriteSkrXml(scenario->skr);
  if (!xml.ok()) return Fail(xml.status());
  // Lint what rootd will read: the XML, parsed back.
  absl::StatusOr<rootd::zone::SignedKeyResponse> written = rootd::zone::ParseSkrXml(*xml, out);
  if (!written.ok()) return Fail(written.status());
  const rootd::tools::SkrLintReport lint = rootd::tools::LintScenario(*written, *scenario, *plan);
  rootd::tools::ScenarioFiles files{out, {}, prefix + ".ds"};
  for (const rootd::zone::LabZoneChange& change : scenario->zones) {
    files.zones.push_back(rootd::Cat(prefix, "-", change.phase, ".zone"));
  }
  std::fputs(rootd::tools::ScenarioTimelineText(*scenario, files).c_str(), stdout);
  if (!lint.findings.empty()) std::fputs(rootd::tools::LintText(*written, lint).c_str(), lint.ok() ? stdout : stderr);
  if (!lint.ok() && !force) {
    std::fprintf(stderr, "rootlab: skrtool lint rejects this scenario; not written (--force writes it anyway)\n");
    return 1;
  }
  // Every KSK of the scenario: rootd checks each zone file it loads against it.
  absl::StatusOr<rootd::zone::AnchorFiles> anchor = rootd::zone::MakeAnchorFiles(scenario->ksks, absl::Now());
  if (!anchor.ok()) return Fail(anchor.status());
  std::vector<std::pair<std::string, std::string>> outputs = {
      {out, *xml},
      {files.trust_anchor, anchor->ds},
      {prefix + ".json", rootd::tools::ScenarioJson(*scenario, *plan, files)}};
  for (size_t i = 0; i < scenario->zones.size(); ++i) {
    const rootd::zone::LabZoneChange& change = scenario->zones[i];
    outputs.emplace_back(files.zones[i],
                         rootd::zone::ZoneFileText(rootd::Cat("; Lab root zone for the ", plan_name, " scenario's ",
                                                              change.phase, " phase, made by rootlab.\n"),
                                                   change.records));
  }
  for (const auto& [path, text] : outputs) {
    if (absl::Status s = rootd::zone::WriteFileAtomically(path, text); !s.ok()) return Fail(s);
  }
  std::printf("wrote %s, %s.json and %s\nserve it: rootd --zone %s/root.zone --trust-anchor %s --skr %s\n",
              out.c_str(), prefix.c_str(), files.trust_anchor.c_str(), dir.c_str(), files.trust_anchor.c_str(),
              out.c_str());
  return 0;
}

int SignKsr(int argc, char** argv) {
  std::string dir, ksr_path, out, schema_name = "normal";
  rootd::zone::KsrSigningOptions options;
  CommandLine command_line("rootlab sign-ksr", kUsage);
  command_line.Option("schema", &schema_name)
      .Option("out", &out)
      .Option("knot-validity", PositiveDuration(&options.knot_validity), "a duration like P21D")
      .Arguments({&dir, &ksr_path});
  if (std::optional<int> status = command_line.Parse(argc, argv, 2)) return *status;
  if (ksr_path.empty()) return command_line.UsageError("which lab folder and KSR?");
  const std::optional<rootd::zone::KsrSchema> schema = rootd::zone::ParseKsrSchema(schema_name);
  if (!schema) return command_line.UsageError("--schema normal, pre-publish, rollover or revoke");
  options.schema = *schema;

  absl::StatusOr<rootd::zone::SignedKeyResponse> ksr = rootd::zone::ReadKsrFile(ksr_path);
  if (!ksr.ok()) return Fail(ksr.status());
  // The ZSK holder's proof of possession: an IANA KSR's signatures by its own keys.
  if (const rootd::tools::SkrVerification proof = rootd::tools::VerifySkr(*ksr, false); !proof.ok()) {
    return Fail(absl::InvalidArgumentError(
        rootd::Cat("the KSR's own signatures do not verify; not signed:\n", rootd::tools::VerifyText(*ksr, proof))));
  }
  absl::StatusOr<rootd::zone::LabKeyStore> store = rootd::zone::LabKeyStore::Open(dir);
  if (!store.ok()) return Fail(store.status());
  const rootd::zone::LabStoredKey* current = store->Find("KSK-A");
  if (current == nullptr) return Fail(absl::FailedPreconditionError(rootd::Cat(dir, " has no KSK-A")));
  rootd::zone::KsrSigningKeys keys{current->key, std::nullopt};
  if (*schema != rootd::zone::KsrSchema::kNormal) {
    absl::StatusOr<rootd::zone::SigningKey> next = store->GetOrCreate("KSK-B", true, keys.current.algorithm());
    if (!next.ok()) return Fail(next.status());
    keys.next = *next;
  }
  absl::StatusOr<rootd::zone::SignedKeyResponse> skr = rootd::zone::SignKsr(*ksr, keys, options);
  if (!skr.ok()) return Fail(skr.status());
  // What a ceremony checks before the response leaves the room.
  const rootd::tools::SkrVerification verification = rootd::tools::VerifySkr(*skr);
  if (!verification.ok()) return Fail(absl::InternalError(rootd::tools::VerifyText(*skr, verification)));
  absl::StatusOr<std::string> text = skr->format == rootd::zone::SignedKeyResponse::Format::kKnotText
                                         ? rootd::zone::WriteKnotSkr(*skr, absl::Now())
                                         : rootd::zone::WriteSkrXml(*skr);
  if (!text.ok()) return Fail(text.status());
  if (out.empty()) {
    std::fputs(text->c_str(), stdout);
  } else if (absl::Status s = rootd::zone::WriteFileAtomically(out, *text); !s.ok()) {
    return Fail(s);
  }
  std::fprintf(stderr, "rootlab: %zu bundles signed (%s schema) by KSK-A %u%s\n", skr->bundles.size(),
               schema_name.c_str(), keys.current.key_tag(),
               keys.next ? rootd::Cat(" and KSK-B ", keys.next->key_tag()).c_str() : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "init") return Init(argc, argv);
  if (command == "scenario") return Scenario(argc, argv);
  if (command == "sign-ksr") return SignKsr(argc, argv);
  if (command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
