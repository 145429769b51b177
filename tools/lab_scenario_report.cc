#include "tools/lab_scenario_report.h"

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/json_writer.h"
#include "tools/skr_report.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::tools {

namespace {

using zone::FormatUtc;

// A phase: a run of consecutive bundles of the same phase.
struct PhaseRun {
  std::string phase;
  size_t first = 0;  // 0-based bundle index
  size_t count = 0;
};

std::vector<PhaseRun> Runs(const zone::LabScenario& scenario) {
  std::vector<PhaseRun> out;
  for (size_t i = 0; i < scenario.phases.size(); ++i) {
    if (out.empty() || out.back().phase != scenario.phases[i]) out.push_back({scenario.phases[i], i, 0});
    ++out.back().count;
  }
  return out;
}

std::string KeyName(const zone::SkrBundle& bundle, size_t i) {
  return i < bundle.key_identifiers.size() ? bundle.key_identifiers[i] : "";
}

// A time as `key` (UTC text, for people) and `key`_unix (seconds, for scripts).
server::JsonWriter& TimeFields(server::JsonWriter& json, std::string_view key, absl::Time t) {
  return json.Key(key)
      .String(FormatUtc(t))
      .Key(Cat(key, "_unix"))
      .Number(static_cast<uint64_t>(absl::ToUnixSeconds(t)));
}
uint64_t Seconds(absl::Duration d) { return static_cast<uint64_t>(absl::ToInt64Seconds(d)); }

}  // namespace

SkrLintReport LintScenario(const zone::SignedKeyResponse& written, const zone::LabScenario& scenario,
                           zone::LabPlan plan) {
  SkrLintOptions options;
  options.bundle_count = scenario.skr.bundles.size();
  options.min_bundle_interval = options.max_bundle_interval = scenario.slot;
  const zone::SkrBundle& first = scenario.skr.bundles.front();
  const zone::SkrBundle& last = scenario.skr.bundles.back();
  options.max_signature_horizon = last.expiration - first.inception;
  options.hold_down = scenario.hold_down;
  SkrLintReport report = LintSkr(written, options);
  if (plan == zone::LabPlan::kAlgorithmRoll) {
    std::erase_if(report.findings, [](const SkrLintFinding& f) { return f.check == "KSR-POLICY-ALG"; });
    report.notes.push_back("KSR-POLICY-ALG skipped: an algorithm roll publishes two algorithms, a policy names one");
  }
  return report;
}

std::string ScenarioTimelineText(const zone::LabScenario& scenario, const ScenarioFiles& files) {
  const std::vector<SkrBundleSummary> bundles = SummarizeSkr(scenario.skr);
  std::string out;
  for (const PhaseRun& run : Runs(scenario)) {
    const zone::SkrBundle& bundle = scenario.skr.bundles[run.first];
    out += Cat(FormatUtc(bundle.inception), "  ", run.phase, "  bundles ", run.first + 1);
    if (run.count > 1) out += Cat("-", run.first + run.count);
    out += " ";
    const SkrBundleSummary& summary = bundles[run.first];
    for (size_t k = 0; k < summary.keys.size(); ++k) {
      const SkrKeySummary& key = summary.keys[k];
      out += Cat(" ", KeyName(bundle, k), " ", key.tag, key.revoked ? " REVOKED" : "", key.signs ? " signs" : "",
                 k + 1 < summary.keys.size() ? "," : "");
    }
    out += "\n";
  }
  const zone::SkrBundle& last = scenario.skr.bundles.back();
  out += Cat(FormatUtc(last.inception + scenario.slot), "  end of the last slot (its bundle is served on until ",
             FormatUtc(last.expiration), ")\n");
  for (size_t i = 0; i < scenario.zones.size(); ++i) {
    const zone::LabZoneChange& change = scenario.zones[i];
    out += Cat("zone for ", change.phase, ": rootctl reload ", files.zones[i], " from ", FormatUtc(change.load_after),
               ", before ", FormatUtc(change.load_before), "\n");
  }
  return out;
}

std::string ScenarioJson(const zone::LabScenario& scenario, zone::LabPlan plan, const ScenarioFiles& files) {
  const std::vector<SkrBundleSummary> bundles = SummarizeSkr(scenario.skr);
  const zone::SkrBundle& first = scenario.skr.bundles.front();
  const zone::SkrBundle& last = scenario.skr.bundles.back();
  server::JsonWriter json;
  json.BeginObject()
      .Key("plan")
      .String(zone::LabPlanName(plan))
      .Key("skr")
      .String(files.skr)
      .Key("trust_anchor")
      .String(files.trust_anchor)
      .Key("slot_seconds")
      .Number(Seconds(scenario.slot))
      .Key("hold_down_seconds")
      .Number(Seconds(scenario.hold_down))
      .Key("dnskey_ttl")
      .Number(uint64_t{first.dnskeys.front().ttl});
  TimeFields(json, "start", first.inception);
  TimeFields(json, "end", last.inception + scenario.slot);
  json.Key("phases").BeginArray();
  for (const PhaseRun& run : Runs(scenario)) {
    const absl::Time start = scenario.skr.bundles[run.first].inception;
    json.BeginObject()
        .Key("phase")
        .String(run.phase)
        .Key("first_bundle")
        .Number(uint64_t{run.first + 1})
        .Key("bundles")
        .Number(uint64_t{run.count});
    TimeFields(json, "start", start).EndObject();
  }
  json.EndArray().Key("zones").BeginArray();
  for (size_t i = 0; i < scenario.zones.size(); ++i) {
    const zone::LabZoneChange& change = scenario.zones[i];
    json.BeginObject()
        .Key("phase")
        .String(change.phase)
        .Key("file")
        .String(files.zones[i]);
    TimeFields(json, "load_after", change.load_after);
    TimeFields(json, "load_before", change.load_before).EndObject();
  }
  json.EndArray().Key("bundles").BeginArray();
  for (size_t i = 0; i < bundles.size(); ++i) {
    const zone::SkrBundle& bundle = scenario.skr.bundles[i];
    json.BeginObject()
        .Key("index")
        .Number(uint64_t{i + 1})
        .Key("id")
        .String(bundle.id)
        .Key("phase")
        .String(scenario.phases[i]);
    TimeFields(json, "inception", bundle.inception);
    TimeFields(json, "expiration", bundle.expiration)
        .Key("dnskey_response_size")
        .Number(uint64_t{bundles[i].dnskey_response_size})
        .Key("keys")
        .BeginArray();
    for (size_t k = 0; k < bundles[i].keys.size(); ++k) {
      const SkrKeySummary& key = bundles[i].keys[k];
      json.BeginObject()
          .Key("name")
          .String(KeyName(bundle, k))
          .Key("tag")
          .Number(uint64_t{key.tag})
          .Key("flags")
          .Number(uint64_t{key.flags})
          .Key("revoked")
          .Bool(key.revoked)
          .Key("signs")
          .Bool(key.signs)
          .EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray().EndObject();
  return json.str() + "\n";
}

}  // namespace rootd::tools
