// The rollover testbed end to end, as docs/testbed.md tells a user to run it: `rootlab init` makes
// a lab, `rootlab scenario --plan ksk-roll` an SKR on wall-clock slots, rootd serves the lab root
// with it and NSD the signed lab TLD; real Unbound, BIND and Knot Resolver use rootd as their
// root and go through a whole RFC 5011 KSK roll (normal, publish, roll, revoke, remove) in a few
// minutes, driven only by rootd swapping signature bundles by the clock: no zone reload, no
// resolver restart. After each phase the test reads each resolver's own record of its trust
// anchors; an Unbound with a static anchor shows the 2017 failure mode; and the resolvers'
// RFC 8145 signals reach rootd's ta-report.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/server/lab_resolvers.h"
#include "tests/server/peer_servers.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

// Addresses of this test's own (the signals test uses 127.0.53.x): the root and the lab TLD on
// port 53, and one source address per resolver so that rootd counts them apart.
constexpr char kRootAddress[] = "127.0.54.1";
constexpr char kLabTldAddress[] = "127.0.54.10";

// The schedule. Unbound and BIND refresh their anchors at half the DNSKEY TTL, Knot Resolver at
// the interval set; a key turns Valid (or a revoked one is dropped) one hold-down after it was
// first seen, at the next refresh. rootlab publishes KSK-B (and revokes KSK-A) for
// ceil(hold-down / slot) + 1 slots: 40 s here, the hold-down plus a few refreshes and margin;
// the normal phase, one slot, leaves the resolvers 20 s to start and prime.
constexpr int kSlotSeconds = 20;
constexpr int kHoldDownSeconds = 20;
constexpr int kDnskeyTtl = 6;
constexpr int kRefreshSeconds = kDnskeyTtl / 2;

// What a resolver is asked throughout: the lab TLD's signed name, validated through the root's
// DNSKEY RRset (the resolvers cache nothing longer than 10 s, lab_resolvers.h).
constexpr char kSignedQuery[] = "+dnssec www.lab. A";

std::string Rootlab() { return BinaryDir() + "/tools/rootlab"; }

struct Phase {
  std::string name;  // "normal", "publish", "roll", "revoke", "remove"
  absl::Time start, end;
};

// The lab's three KSK tags: the old key, the same key with the REVOKE bit, the new key.
struct KskTags {
  uint16_t old_key = 0, old_revoked = 0, new_key = 0;
};

// The scenario's timeline as rootlab writes it (DIR/scenario-PLAN.json): the phases, and the
// KSKs' tags from its bundles' key lists.
struct Timeline {
  std::vector<Phase> phases;
  KskTags tags;
};

Timeline ReadTimeline(const std::string& json) {
  Timeline timeline;
  const std::regex phase("\\{\"phase\":\"([a-z-]+)\"[^}]*\"start_unix\":([0-9]+)\\}");
  for (std::sregex_iterator it(json.begin(), json.end(), phase), end; it != end; ++it) {
    const absl::Time start = absl::FromUnixSeconds(std::stoll((*it)[2]));
    if (!timeline.phases.empty()) timeline.phases.back().end = start;
    timeline.phases.push_back({(*it)[1], start, start});
  }
  std::smatch end;
  if (!timeline.phases.empty() && std::regex_search(json, end, std::regex("\"end_unix\":([0-9]+)"))) {
    timeline.phases.back().end = absl::FromUnixSeconds(std::stoll(end[1]));
  }
  const std::regex key("\"name\":\"KSK-([AB])\",\"tag\":([0-9]+),\"flags\":[0-9]+,\"revoked\":(true|false)");
  for (std::sregex_iterator it(json.begin(), json.end(), key), end_it; it != end_it; ++it) {
    const auto tag = static_cast<uint16_t>(std::stoul((*it)[2]));
    uint16_t& slot = (*it)[1] == "B"      ? timeline.tags.new_key
                     : (*it)[3] == "true" ? timeline.tags.old_revoked
                                          : timeline.tags.old_key;
    slot = tag;
  }
  return timeline;
}

// Sleeps until `t` (now if past).
void SleepUntil(absl::Time t) {
  const absl::Duration left = t - absl::Now();
  if (left > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoMilliseconds(left));
}

// The state a resolver records for a key known under either tag (Knot Resolver keeps a revoked
// key under its old tag, Unbound and BIND under the revoked one); "" when it has neither.
std::string StateOf(const AnchorStates& states, uint16_t tag, uint16_t other_tag = 0) {
  for (uint16_t t : {tag, other_tag}) {
    if (auto it = states.find(t); t != 0 && it != states.end()) return it->second;
  }
  return "";
}

// The key-tag sets rootd's ta-report lists (any day, any DNSKEY RRset), e.g. "11471 30934".
std::set<std::string> ReportedSets(const RootdProcess& root, const KskTags& tags) {
  const std::string json = root.Ctl(Cat("--json ta-report ", tags.old_key, " ", tags.new_key)).output;
  std::set<std::string> sets;
  const std::regex set_tags("\"tags\":\\[([0-9,]*)\\]");
  for (std::sregex_iterator it(json.begin(), json.end(), set_tags), end; it != end; ++it) {
    sets.insert(std::regex_replace((*it)[1].str(), std::regex(","), " "));
  }
  return sets;
}

// One resolver under watch: its anchor states as they changed, in order, and when.
struct Watched {
  std::unique_ptr<LabResolver> resolver;
  AnchorStates now;
  std::vector<AnchorStates> history;
  std::string changes;  // "\n  publish +4 s: AddPend: 43699, Valid: 33095" ..., for the report
};

class RolloverTest : public ::testing::Test {
 protected:
  // Polls every managed resolver about once a second until `done()` or `deadline`: records
  // their anchor states and checks that each validates kSignedQuery (AD) every time. True if
  // done.
  bool WatchUntil(const Phase& phase, absl::Time deadline, const std::function<bool()>& done) {
    while (true) {
      for (Watched& w : managed_) {
        absl::StatusOr<AnchorStates> states = w.resolver->RootAnchorStates();
        if (states.ok() && *states != w.now) {
          w.now = *states;
          w.history.push_back(*states);
          w.changes += Cat("\n  ", phase.name, " +", absl::ToInt64Seconds(absl::Now() - phase.start),
                           " s: ", AnchorStatesText(w.now));
        }
        std::string answer = w.resolver->Dig(kSignedQuery);
        // A lost datagram is not a validation failure: ask once more when nothing came back.
        if (answer.find("status: ") == std::string::npos) answer = w.resolver->Dig(kSignedQuery);
        if (answer.find("status: NOERROR") == std::string::npos || answer.find(" ad;") == std::string::npos) {
          ADD_FAILURE() << phase.name << ": " << w.resolver->name() << " did not validate " << kSignedQuery << ":\n"
                        << answer << w.resolver->LogTail();
        }
      }
      if (done()) return true;
      if (absl::Now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  // True when every managed resolver's current states satisfy `test`.
  bool All(const std::function<bool(const AnchorStates&)>& test) const {
    for (const Watched& w : managed_) {
      if (!test(w.now)) return false;
    }
    return true;
  }

  std::string StatesText() const {
    std::string out;
    for (const Watched& w : managed_) out += Cat("\n  ", w.resolver->name(), ": ", AnchorStatesText(w.now));
    return out;
  }

  std::vector<Watched> managed_;
};

TEST_F(RolloverTest, ResolversFollowAWholeKskRollDrivenByRootdsBundleSchedule) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the resolvers ask the root on port 53";
  const absl::Time test_start = absl::Now();
  const std::string dir = MakeTempDir("resolver-rollover");

  // The lab, made as a user makes it: rootlab init, then a ksk-roll scenario whose first slot (the
  // one holding --start) begins 0 to 20 s from now.
  const std::string lab = dir + "/lab";
  const CommandResult init = RunCommand(Cat("timeout 60 ", Rootlab(), " init ", lab, " --tlds 20 --server-address ",
                                            kRootAddress, " --lab-tld-address ", kLabTldAddress));
  ASSERT_EQ(init.exit_code, 0) << init.output;
  const std::string start =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(20), absl::UTCTimeZone());
  const CommandResult scenario =
      RunCommand(Cat("timeout 60 ", Rootlab(), " scenario ", lab, " --plan ksk-roll --slot ", kSlotSeconds,
                     "s --hold-down ", kHoldDownSeconds, "s --dnskey-ttl ", kDnskeyTtl, " --start ", start));
  ASSERT_EQ(scenario.exit_code, 0) << scenario.output;
  const Timeline timeline = ReadTimeline(ReadFileText(lab + "/scenario-ksk-roll.json"));
  std::vector<std::string> phase_names;
  for (const Phase& p : timeline.phases) phase_names.push_back(p.name);
  ASSERT_THAT(phase_names, ::testing::ElementsAre("normal", "publish", "roll", "revoke", "remove"));
  const std::vector<Phase>& phases = timeline.phases;
  const KskTags& tags = timeline.tags;
  ASSERT_TRUE(tags.old_key != 0 && tags.new_key != 0 && tags.old_revoked != 0);

  // The lab TLD on its address, served by NSD; the root by rootd with the scenario (the
  // revocation bundles' DNSKEY answers are 1425 octets: room for them over UDP).
  absl::StatusOr<std::unique_ptr<server::testing::PeerServer>> lab_tld =
      server::testing::PeerServer::Start(server::testing::PeerKind::kNsd, lab + "/lab.zone", dir,
                                         {.origin = "lab.", .address = kLabTldAddress, .port = 53});
  if (absl::IsFailedPrecondition(lab_tld.status())) GTEST_SKIP() << lab_tld.status();
  ASSERT_TRUE(lab_tld.ok()) << lab_tld.status();
  const uint16_t port = FreePort();
  RootdProcess root(dir,
                    {"--zone", lab + "/root.zone", "--trust-anchor", lab + "/scenario-ksk-roll.ds", "--skr",
                     lab + "/scenario-ksk-roll.xml", "--max-udp-payload", "4096", "--listen", "127.0.0.1", "--listen",
                     std::string(kRootAddress) + "@53", "--threads", "1"},
                    port);
  ASSERT_TRUE(root.WaitReady()) << root.Log();

  // Three resolvers managing their anchor by RFC 5011, and the same three with a static one,
  // each from rootlab's anchor file for it (a second Unbound, "down during the publication", joins
  // at the roll), started once the scenario's first bundle serves (the zone
  // file's own DNSKEY RRset has a TTL of days, and the resolvers would not look again for a day).
  SleepUntil(phases[0].start);
  struct Setup {
    ResolverKind kind;
    const char* source;
    const char* anchor;
    bool managed;
  };
  const Setup setups[] = {{ResolverKind::kUnbound, "127.0.54.2", "unbound-root.key", true},
                          {ResolverKind::kBind, "127.0.54.3", "bind-trust-anchors.conf", true},
                          {ResolverKind::kKnotResolver, "127.0.54.4", "kresd-root.keys", true},
                          {ResolverKind::kUnbound, "127.0.54.5", "unbound-root.key", false},
                          {ResolverKind::kUnbound, "127.0.54.6", "unbound-root.key", true},
                          {ResolverKind::kBind, "127.0.54.7", "bind-trust-anchors.conf", false},
                          {ResolverKind::kKnotResolver, "127.0.54.8", "kresd-root.keys", false}};
  auto start_resolver = [&](const Setup& setup) {
    const auto& [kind, source, anchor, managed] = setup;
    return LabResolver::Start({.kind = kind,
                               .dir = Cat(dir, "/", source),
                               .source_address = source,
                               .root_address = kRootAddress,
                               .anchor_file = Cat(lab, "/anchors/", anchor),
                               .managed = managed,
                               .hold_down_seconds = kHoldDownSeconds,
                               .refresh_seconds = kRefreshSeconds});
  };
  std::vector<std::unique_ptr<LabResolver>> static_resolvers;
  for (const Setup& setup : {setups[0], setups[1], setups[2], setups[3], setups[5], setups[6]}) {
    absl::StatusOr<std::unique_ptr<LabResolver>> resolver = start_resolver(setup);
    if (absl::IsFailedPrecondition(resolver.status())) GTEST_SKIP() << resolver.status();
    ASSERT_TRUE(resolver.ok()) << resolver.status();
    if (setup.managed) {
      managed_.push_back({.resolver = *std::move(resolver)});
    } else {
      static_resolvers.push_back(*std::move(resolver));
    }
  }
  const absl::Time resolvers_ready = absl::Now();
  const uint16_t a = tags.old_key, a_revoked = tags.old_revoked, b = tags.new_key;
  const std::string old_set = Cat(a), both_sets = Cat(std::min(a, b), " ", std::max(a, b)), new_set = Cat(b);
  auto fails = [&](const LabResolver& r) { return r.Dig(kSignedQuery).find("status: SERVFAIL") != std::string::npos; };
  auto never = [] { return false; };
  auto statics_fail = [&] {
    return std::all_of(static_resolvers.begin(), static_resolvers.end(), [&](const auto& r) { return fails(*r); });
  };
  auto statics_text = [&] {
    std::string text;
    for (const auto& r : static_resolvers) text += Cat("static ", r->name(), ":\n", r->Dig(kSignedQuery));
    return text;
  };

  // normal: every resolver trusts KSK-A; the static ones validate too; rootd hears KSK-A alone.
  const Phase& normal = phases[0];
  EXPECT_TRUE(
      WatchUntil(normal, normal.end - absl::Seconds(2),
                 [&] {
                   return All([&](const AnchorStates& s) { return s.size() == 1 && StateOf(s, a) == "Valid"; }) &&
                          ReportedSets(root, tags).count(old_set);
                 }))
      << "KSK-A not Valid everywhere, or not signalled:" << StatesText() << "\n"
      << root.Ctl("ta-report").output;
  for (const auto& r : static_resolvers) EXPECT_THAT(r->Dig(kSignedQuery), ::testing::HasSubstr(" ad;")) << r->name();
  EXPECT_EQ(ReportedSets(root, tags), std::set<std::string>{old_set});

  // publish: KSK-B appears, AddPend, and turns Valid after the hold-down, before it signs; the
  // resolvers then report both keys.
  SleepUntil(normal.end);
  const Phase& publish = phases[1];
  EXPECT_TRUE(WatchUntil(publish, publish.end - absl::Seconds(1),
                         [&] {
                           return All([&](const AnchorStates& s) {
                                    return StateOf(s, a) == "Valid" && StateOf(s, b) == "Valid";
                                  }) &&
                                  ReportedSets(root, tags).count(both_sets);
                         }))
      << "KSK-B not Valid everywhere by the end of its publication, or not signalled:" << StatesText() << "\n"
      << root.Ctl("ta-report").output;
  for (const Watched& w : managed_) {
    std::vector<std::string> b_states;
    for (const AnchorStates& s : w.history) {
      if (const std::string state = StateOf(s, b); !state.empty() && (b_states.empty() || b_states.back() != state)) {
        b_states.push_back(state);
      }
    }
    EXPECT_THAT(b_states, ::testing::ElementsAre("AddPend", "Valid")) << w.resolver->name();
  }

  // roll: KSK-B signs alone; the managed resolvers validate throughout. An Unbound that was down
  // during the publication starts now with the anchor it had, KSK-A's: it cannot validate the
  // root's keys any more, and fails.
  SleepUntil(publish.end);
  const Phase& roll = phases[2];
  absl::StatusOr<std::unique_ptr<LabResolver>> late = start_resolver(setups[4]);  // the late Unbound
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(WatchUntil(roll, roll.end - absl::Seconds(1), [&] { return fails(**late); }))
      << "the late resolver validates:\n"
      << (*late)->Dig(kSignedQuery);
  const absl::Duration late_failed = absl::Now() - roll.start;
  WatchUntil(roll, roll.end - absl::Seconds(1), never);
  EXPECT_TRUE(All([&](const AnchorStates& s) { return StateOf(s, a) == "Valid" && StateOf(s, b) == "Valid"; }))
      << StatesText();
  EXPECT_EQ(ReportedSets(root, tags), (std::set<std::string>{old_set, both_sets}));

  // revoke: KSK-A comes back with the REVOKE bit: Revoked, then dropped after the hold-down. The
  // static resolvers fail by now, once what it had cached expired. The late one sees its only
  // anchor revoked and, Unbound's anchor file says, "considers the zone as if it has no trust
  // anchors": it answers again, unvalidated (no AD), rather than fail.
  SleepUntil(roll.end);
  const Phase& revoke = phases[3];
  auto late_gave_up = [&] {
    const std::string answer = (*late)->Dig(kSignedQuery);
    return ReadFileText((*late)->options().dir + "/root.key").find(";;REVOKED") != std::string::npos &&
           answer.find("status: NOERROR") != std::string::npos && answer.find(" ad;") == std::string::npos;
  };
  EXPECT_TRUE(WatchUntil(revoke, revoke.end - absl::Seconds(1),
                         [&] {
                           return All([&](const AnchorStates& s) {
                                    return StateOf(s, a, a_revoked).empty() && StateOf(s, b) == "Valid";
                                  }) &&
                                  statics_fail() && late_gave_up();
                         }))
      << "KSK-A still listed somewhere at the end of its revocation, a static resolver validates, or the late "
         "one did not give its anchor up:"
      << StatesText() << "\n"
      << statics_text() << (*late)->Dig(kSignedQuery)
      << ReadFileText((*late)->options().dir + "/root.key");
  for (const Watched& w : managed_) {
    std::vector<std::string> a_states;
    for (const AnchorStates& s : w.history) {
      std::string state = StateOf(s, a, a_revoked);
      if (state == "Removed") state = "";  // Knot Resolver lists it so until its next refresh
      if (a_states.empty() || a_states.back() != state) a_states.push_back(state);
    }
    EXPECT_THAT(a_states, ::testing::ElementsAre("Valid", "Revoked", "")) << w.resolver->name();
  }

  // remove: KSK-B alone, validating for a while; rootd hears it alone (since KSK-A was dropped),
  // and the static resolvers still fail.
  SleepUntil(revoke.end);
  const Phase& remove = phases[4];
  WatchUntil(remove, remove.start + absl::Seconds(10), never);
  EXPECT_TRUE(ReportedSets(root, tags).count(new_set)) << root.Ctl("ta-report").output;
  EXPECT_TRUE(All([&](const AnchorStates& s) { return s.size() == 1 && StateOf(s, b) == "Valid"; })) << StatesText();
  EXPECT_TRUE(statics_fail()) << statics_text();

  std::printf("KSK-A %u (revoked %u), KSK-B %u; roll from %s, %d s slots, hold-down %d s, DNSKEY TTL %d s\n", a,
              a_revoked, b, absl::FormatTime(normal.start).c_str(), kSlotSeconds, kHoldDownSeconds, kDnskeyTtl);
  std::printf("resolvers answering %.0f s into the normal phase\n",
              absl::ToDoubleSeconds(resolvers_ready - normal.start));
  for (const Watched& w : managed_) std::printf("%s:%s\n", w.resolver->name(), w.changes.c_str());
  std::printf(
      "late Unbound (started at the roll): SERVFAIL by roll +%.0f s; anchor given up, answers unvalidated, "
      "in the revocation\nstatic Unbound, BIND and Knot Resolver: AD in normal, SERVFAIL by the end of the revocation and "
      "in remove\n",
      absl::ToDoubleSeconds(late_failed));
  std::printf("ta-report:\n%s", root.Ctl(Cat("ta-report ", a, " ", b)).output.c_str());
  std::printf("roll (normal start to the remove checks): %.0f s; the whole test: %.0f s\n",
              absl::ToDoubleSeconds(absl::Now() - normal.start), absl::ToDoubleSeconds(absl::Now() - test_start));
}

}  // namespace
}  // namespace rootd::testing
