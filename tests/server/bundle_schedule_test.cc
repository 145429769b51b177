#include "server/bundle_schedule.h"

#include <gtest/gtest.h>

namespace rootd::server {
namespace {

absl::Time Day(int day) { return absl::FromCivil(absl::CivilDay(2017, 9, day), absl::UTCTimeZone()); }

zone::SignedKeyResponse Response(const std::string& file, std::vector<std::pair<std::string, int>> bundles) {
  zone::SignedKeyResponse response;
  response.file = file;
  for (const auto& [id, day] : bundles) {
    zone::SkrBundle b;
    b.id = id;
    b.inception = Day(day);
    b.expiration = Day(day) + absl::Hours(24 * 21);
    response.bundles.push_back(b);
  }
  return response;
}

TEST(BundleScheduleTest, NewestInceptionAtOrBeforeNowAcrossFiles) {
  // Two quarters given in reverse order: the schedule is by inception, not by file.
  auto schedule = BundleSchedule::Create({Response("q2.xml", {{"c", 21}, {"d", 30}}), Response("q1.xml", {{"a", 1}, {"b", 11}})});
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->Choose(Day(1) - absl::Seconds(1)), nullptr);  // before the first: the zone's own keys
  EXPECT_EQ(schedule->Choose(Day(1))->bundle.id, "a");
  EXPECT_EQ(schedule->Choose(Day(11) - absl::Seconds(1))->bundle.id, "a");
  EXPECT_EQ(schedule->Choose(Day(11))->bundle.id, "b");
  EXPECT_EQ(schedule->Choose(Day(25))->bundle.id, "c");
  EXPECT_EQ(schedule->Choose(Day(30) + absl::Hours(24 * 100))->bundle.id, "d");  // the last one stays
  EXPECT_EQ(schedule->Choose(Day(25))->file, "q2.xml");
  EXPECT_EQ(schedule->Choose(Day(25))->index, 1);
  EXPECT_EQ(schedule->NextChange(Day(1) - absl::Seconds(1)), Day(1));
  EXPECT_EQ(schedule->NextChange(Day(1)), Day(11));
  EXPECT_EQ(schedule->NextChange(Day(30)), absl::InfiniteFuture());
  EXPECT_EQ(schedule->Find("c")->bundle.inception, Day(21));
  EXPECT_EQ(schedule->Find("zz"), nullptr);
}

TEST(BundleScheduleTest, AmbiguousSchedulesAreRefused) {
  auto same_time = BundleSchedule::Create({Response("a.xml", {{"a", 1}}), Response("b.xml", {{"b", 1}})});
  ASSERT_FALSE(same_time.ok());
  EXPECT_NE(same_time.status().message().find("start at the same time"), std::string_view::npos);
  auto same_id = BundleSchedule::Create({Response("a.xml", {{"a", 1}}), Response("b.xml", {{"a", 2}})});
  ASSERT_FALSE(same_id.ok());
  EXPECT_NE(same_id.status().message().find("appears twice"), std::string_view::npos);
}

}  // namespace
}  // namespace rootd::server
