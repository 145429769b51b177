// `rootlab scenario`'s checks and reports around zone/lab_scenario.h: the lint options that hold a
// scenario to its own schedule and the lab's hold-down, and its timeline as text (for the user)
// and as JSON (DIR/scenario-<plan>.json, for tests and the testbed that wait for each phase).
#pragma once
#include <string>

#include "tools/skr_lint.h"
#include "zone/lab_scenario.h"

namespace rootd::tools {

// skrtool lint's ceremony checks scaled to the scenario: its bundle count, its slot as the
// bundle interval, its signature horizon, and the lab's hold-down.
SkrLintOptions ScenarioLintOptions(const zone::LabScenario& scenario);

// One line per phase: when it starts, its bundles, and its keys ("KSK-A 20326 signs").
std::string ScenarioTimelineText(const zone::LabScenario& scenario);
// The plan, the SKR's path, slot, hold-down and DNSKEY TTL, each bundle (index, id, phase,
// inception and expiration as RFC 3339 and Unix seconds, keys by name with tag, flags, revoked,
// signs, and the . DNSKEY DO response size) and each phase's first bundle and start.
std::string ScenarioJson(const zone::LabScenario& scenario, zone::LabPlan plan, const std::string& skr_path);

}  // namespace rootd::tools
