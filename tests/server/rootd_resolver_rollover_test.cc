// The rollover testbed end to end: real Unbound, BIND and Knot Resolver use rootd as their root
// and go through a whole RFC 5011 KSK roll (normal, publish, roll, revoke, remove) in minutes,
// driven only by rootd swapping signature bundles by the wall clock: no zone reload, no resolver
// restart. After each phase the test reads each resolver's own record of its trust anchors; a
// resolver with a static anchor shows the 2017 failure mode; and the resolvers' RFC 8145 signals
// reach rootd's ta-report.
#include <unistd.h>

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
#include "tests/server/lab_resolvers.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"
#include "zone/dnssec_wire.h"
#include "zone/lab_rollover.h"
#include "zone/lab_zone.h"
#include "zone/signing_key.h"
#include "zone/skr.h"
#include "zone/skr_writer.h"
#include "zone/text.h"

namespace rootd::testing {
namespace {

// Addresses of this test's own (the signals test uses 127.0.53.x): the root on port 53, and
// one source address per resolver so that rootd counts them apart.
constexpr char kRootAddress[] = "127.0.54.1";

// The schedule. Unbound and BIND refresh their anchors at half the DNSKEY TTL, Knot Resolver
// at the interval set; a key turns Valid (or a revoked one is dropped) a hold-down after it was
// first seen, at the next refresh. So each phase lasts the hold-down plus a few refreshes, and
// the roll takes four phases and the start of the fifth.
constexpr int kDnskeyTtl = 6;
constexpr int kRefreshSeconds = kDnskeyTtl / 2;
constexpr int kHoldDownSeconds = 20;
constexpr absl::Duration kSlot = absl::Seconds(45);

// What a resolver is asked throughout: a signed answer that needs the root's DNSKEY RRset
// (cached for at most 10 s, lab_resolvers.h's cache cap) to validate.
constexpr char kSignedQuery[] = "+dnssec . SOA";

struct Phase {
  std::string name;  // "normal", "publish", "roll", "revoke", "remove"
  absl::Time start, end;
};

// The lab's three KSK tags: the old key, the same key with the REVOKE bit, the new key.
struct KskTags {
  uint16_t old_key = 0, old_revoked = 0, new_key = 0;
};

KskTags TagsOf(const zone::SignedKeyResponse& skr) {
  KskTags tags;
  for (const zone::SkrBundle& bundle : skr.bundles) {
    for (const zone::Record& key : bundle.dnskeys) {
      const uint16_t flags = zone::DnskeyFlags(key.rdata), tag = zone::KeyTag(key.rdata);
      if (flags == zone::kKskFlags && tags.old_key == 0) tags.old_key = tag;
      if (flags == zone::kKskFlags && tag != tags.old_key) tags.new_key = tag;
      if (flags == (zone::kKskFlags | 0x0080)) tags.old_revoked = tag;
    }
  }
  return tags;
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

// One resolver under watch: its anchor states as they changed, in order.
struct Watched {
  std::unique_ptr<LabResolver> resolver;
  AnchorStates now;
  std::vector<AnchorStates> history;
  std::string phase_log;  // "normal: Valid: 11471 | publish: ..." for the report
};

class RolloverTest : public ::testing::Test {
 protected:
  // Polls every managed resolver about once a second until `done()` or `deadline`: records
  // their anchor states and checks that each validates kSignedQuery (AD) every time. True if
  // done.
  bool WatchUntil(absl::Time deadline, const std::string& phase, const std::function<bool()>& done) {
    while (true) {
      for (Watched& w : managed_) {
        absl::StatusOr<AnchorStates> states = w.resolver->RootAnchorStates();
        if (states.ok() && *states != w.now) {
          w.now = *states;
          w.history.push_back(*states);
        }
        const std::string answer = w.resolver->Dig(kSignedQuery);
        if (answer.find("status: NOERROR") == std::string::npos || answer.find(" ad;") == std::string::npos) {
          ADD_FAILURE() << phase << ": " << w.resolver->name() << " did not validate " << kSignedQuery << ":\n"
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

  void NotePhase(const std::string& phase) {
    for (Watched& w : managed_) w.phase_log += Cat(w.phase_log.empty() ? "" : " | ", phase, ": ", AnchorStatesText(w.now));
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

  // The lab: a root zone signed for the next hour by KSK-A and ZSK-1, and an SKR rolling from
  // KSK-A to KSK-B in wall-clock slots from now.
  constexpr uint64_t kSeed = 5011;
  zone::LabZoneOptions zone_options;
  zone_options.seed = kSeed;
  zone_options.tld_count = 20;
  zone_options.now = absl::Now();
  zone_options.expiration = zone_options.now + absl::Hours(1);
  absl::StatusOr<zone::LabZone> lab = zone::GenerateLabZone(zone_options);
  ASSERT_TRUE(lab.ok()) << lab.status();
  WriteFileText(dir + "/root.zone", lab->text);
  WriteFileText(dir + "/root.ds", lab->trust_anchor_ds);
  absl::StatusOr<zone::LabRolloverKeys> keys = zone::LabRolloverKeys::FromSeed(kSeed);
  ASSERT_TRUE(keys.ok()) << keys.status();
  zone::LabSkrOptions skr_options;
  skr_options.phases = {zone::LabPhase::kNormal, zone::LabPhase::kPublish, zone::LabPhase::kRoll,
                        zone::LabPhase::kRevoke, zone::LabPhase::kRemove};
  skr_options.first_inception = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  skr_options.slot = kSlot;
  skr_options.validity = absl::Hours(1);
  skr_options.dnskey_ttl = kDnskeyTtl;
  absl::StatusOr<zone::SignedKeyResponse> skr = zone::MakeLabSkr(*keys, skr_options);
  ASSERT_TRUE(skr.ok()) << skr.status();
  absl::StatusOr<std::string> xml = zone::WriteSkrXml(*skr);
  ASSERT_TRUE(xml.ok()) << xml.status();
  WriteFileText(dir + "/scenario.xml", *xml);
  std::vector<Phase> phases;
  for (size_t i = 0; i < skr->bundles.size(); ++i) {
    const zone::SkrBundle& b = skr->bundles[i];
    phases.push_back({b.id.substr(b.id.find('-') + 1), b.inception,
                      i + 1 < skr->bundles.size() ? skr->bundles[i + 1].inception : b.inception + kSlot});
  }
  ASSERT_EQ(phases.size(), 5u);
  const KskTags tags = TagsOf(*skr);
  ASSERT_TRUE(tags.old_key != 0 && tags.new_key != 0 && tags.old_revoked != 0);

  const uint16_t port = FreePort();
  RootdProcess root(dir,
                    {"--zone", dir + "/root.zone", "--trust-anchor", dir + "/root.ds", "--skr", dir + "/scenario.xml",
                     "--listen", "127.0.0.1", "--listen", std::string(kRootAddress) + "@53", "--threads", "1"},
                    port);
  ASSERT_TRUE(root.WaitReady()) << root.Log();

  // Three resolvers managing their anchor by RFC 5011, and an Unbound with a static one.
  struct Setup {
    ResolverKind kind;
    const char* source;
    bool managed;
  };
  const Setup setups[] = {{ResolverKind::kUnbound, "127.0.54.2", true},
                          {ResolverKind::kBind, "127.0.54.3", true},
                          {ResolverKind::kKnotResolver, "127.0.54.4", true},
                          {ResolverKind::kUnbound, "127.0.54.5", false}};
  std::unique_ptr<LabResolver> static_resolver;
  for (const auto& [kind, source, managed] : setups) {
    LabResolverOptions options{.kind = kind, .dir = Cat(dir, "/", source), .source_address = source,
                               .root_address = kRootAddress, .anchor_file = Cat(dir, "/anchor-", source),
                               .managed = managed, .hold_down_seconds = kHoldDownSeconds,
                               .refresh_seconds = kRefreshSeconds};
    absl::StatusOr<std::string> anchor = AnchorFromDs(kind, lab->trust_anchor_ds);
    ASSERT_TRUE(anchor.ok()) << anchor.status();
    WriteFileText(options.anchor_file, *anchor);
    absl::StatusOr<std::unique_ptr<LabResolver>> resolver = LabResolver::Start(options);
    if (absl::IsFailedPrecondition(resolver.status())) GTEST_SKIP() << resolver.status();
    ASSERT_TRUE(resolver.ok()) << resolver.status();
    if (managed) {
      managed_.push_back({.resolver = *std::move(resolver)});
    } else {
      static_resolver = *std::move(resolver);
    }
  }
  const uint16_t a = tags.old_key, a_revoked = tags.old_revoked, b = tags.new_key;
  const std::string old_set = Cat(a), both_sets = Cat(std::min(a, b), " ", std::max(a, b)), new_set = Cat(b);
  auto static_fails = [&] { return static_resolver->Dig(kSignedQuery).find("status: SERVFAIL") != std::string::npos; };

  // normal: every resolver trusts KSK-A; the static one validates too; rootd hears KSK-A alone.
  const Phase& normal = phases[0];
  EXPECT_TRUE(WatchUntil(normal.end - absl::Seconds(2), "normal", [&] {
    return All([&](const AnchorStates& s) { return s.size() == 1 && StateOf(s, a) == "Valid"; }) &&
           ReportedSets(root, tags).count(old_set);
  })) << "KSK-A not Valid everywhere, or not signalled:" << StatesText() << "\n" << root.Ctl("ta-report").output;
  EXPECT_THAT(static_resolver->Dig(kSignedQuery), ::testing::HasSubstr(" ad;"));
  EXPECT_EQ(ReportedSets(root, tags), std::set<std::string>{old_set});
  NotePhase("normal");

  // publish: KSK-B appears, AddPend, and turns Valid after the hold-down, before it signs.
  SleepUntil(normal.end);
  const Phase& publish = phases[1];
  EXPECT_TRUE(WatchUntil(publish.end - absl::Seconds(1), "publish", [&] {
    return All([&](const AnchorStates& s) { return StateOf(s, a) == "Valid" && StateOf(s, b) == "Valid"; });
  })) << "KSK-B not Valid everywhere by the end of its publication:" << StatesText();
  for (const Watched& w : managed_) {
    std::vector<std::string> b_states;
    for (const AnchorStates& s : w.history) {
      if (const std::string state = StateOf(s, b); !state.empty() && (b_states.empty() || b_states.back() != state)) {
        b_states.push_back(state);
      }
    }
    EXPECT_THAT(b_states, ::testing::ElementsAre("AddPend", "Valid")) << w.resolver->name();
  }
  NotePhase("publish");

  // roll: KSK-B signs alone. The managed resolvers validate on; the static one fails once its
  // cached DNSKEY RRset expires; rootd hears both keys from the managed ones.
  SleepUntil(publish.end);
  const Phase& roll = phases[2];
  EXPECT_TRUE(WatchUntil(roll.end - absl::Seconds(1), "roll",
                         [&] { return static_fails() && ReportedSets(root, tags).count(both_sets); }))
      << "the static resolver still validates, or no resolver signalled both keys:\n"
      << static_resolver->Dig(kSignedQuery) << root.Ctl("ta-report").output;
  NotePhase("roll");

  // revoke: KSK-A comes back with the REVOKE bit: Revoked, then dropped after the hold-down.
  SleepUntil(roll.end);
  const Phase& revoke = phases[3];
  EXPECT_TRUE(WatchUntil(revoke.end - absl::Seconds(1), "revoke", [&] {
    return All([&](const AnchorStates& s) { return StateOf(s, a, a_revoked).empty() && StateOf(s, b) == "Valid"; });
  })) << "KSK-A still listed somewhere at the end of its revocation:" << StatesText();
  for (const Watched& w : managed_) {
    std::vector<std::string> a_states;
    for (const AnchorStates& s : w.history) {
      std::string state = StateOf(s, a, a_revoked);
      if (state == "Removed") state = "";  // Knot Resolver lists it so until its next refresh
      if (a_states.empty() || a_states.back() != state) a_states.push_back(state);
    }
    EXPECT_THAT(a_states, ::testing::ElementsAre("Valid", "Revoked", "")) << w.resolver->name();
  }
  NotePhase("revoke");

  // remove: KSK-B alone; rootd hears it alone, and the static resolver still fails.
  SleepUntil(revoke.end);
  const Phase& remove = phases[4];
  EXPECT_TRUE(WatchUntil(remove.end, "remove", [&] { return ReportedSets(root, tags).count(new_set) > 0; }))
      << root.Ctl("ta-report").output;
  EXPECT_TRUE(All([&](const AnchorStates& s) { return s.size() == 1 && StateOf(s, b) == "Valid"; })) << StatesText();
  EXPECT_TRUE(static_fails()) << static_resolver->Dig(kSignedQuery);
  NotePhase("remove");

  std::printf("KSK-A %u (revoked %u), KSK-B %u; roll from %s, %d s slots, hold-down %d s, DNSKEY TTL %d s\n", a,
              a_revoked, b, absl::FormatTime(normal.start).c_str(), static_cast<int>(absl::ToInt64Seconds(kSlot)),
              kHoldDownSeconds, kDnskeyTtl);
  for (const Watched& w : managed_) std::printf("%s: %s\n", w.resolver->name(), w.phase_log.c_str());
  std::printf("ta-report:\n%s", root.Ctl(Cat("ta-report ", a, " ", b)).output.c_str());
  std::printf("wall time of the test: %.0f s\n", absl::ToDoubleSeconds(absl::Now() - test_start));
}

}  // namespace
}  // namespace rootd::testing
