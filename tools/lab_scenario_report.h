// `rootlab scenario`'s checks and reports around zone/lab_scenario.h: the lint options that hold a
// scenario to its own schedule and the lab's hold-down, and its timeline as text (for the user)
// and as JSON (DIR/scenario-<plan>.json, for tests and the testbed that wait for each phase).
#pragma once
#include <string>
#include <vector>

#include "tools/skr_lint.h"
#include "zone/lab_scenario.h"

namespace rootd::tools {

// skrtool lint's ceremony checks scaled to the scenario (its bundle count, its slot as the bundle
// interval, its signature horizon, the lab's hold-down) over `written`, the scenario's SKR as
// read back. The ceremony's policy names one algorithm: an algorithm roll's KSR-POLICY-ALG
// findings are dropped, with a note.
SkrLintReport LintScenario(const zone::SignedKeyResponse& written, const zone::LabScenario& scenario,
                           zone::LabPlan plan);

// Where `rootlab scenario` wrote what: the SKR, the zone of each zone change, the trust anchor.
struct ScenarioFiles {
  std::string skr;
  std::vector<std::string> zones;  // per scenario.zones
  std::string trust_anchor;
};

// One line per phase: when it starts, its bundles, and its keys ("KSK-A 20326 signs"); one per
// zone change: its file and window.
std::string ScenarioTimelineText(const zone::LabScenario& scenario, const ScenarioFiles& files);
// The plan, the files, slot, hold-down and DNSKEY TTL, each bundle (index, id, phase, inception
// and expiration as RFC 3339 and Unix seconds, keys by name with tag, flags, revoked, signs, and
// the . DNSKEY DO response size), each phase's first bundle and start, each zone change's file
// and window.
std::string ScenarioJson(const zone::LabScenario& scenario, zone::LabPlan plan, const ScenarioFiles& files);

}  // namespace rootd::tools
