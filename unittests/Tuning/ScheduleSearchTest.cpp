//===- ScheduleSearchTest.cpp - Candidate schedules and space versions ----===//
//
// The search proposes the autoscheduler seeds first, then only valid,
// untried schedules, finds the optimum of a cost that coordinate descent
// can follow, and ends once a small space is exhausted. Space versions
// change with every part of a space.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/tuning/ScheduleSearch.h"
#include "codegen/tuning/ScheduleSpaceVersion.h"

#include <gtest/gtest.h>

#include <set>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(ScheduleSearchTest, SeedsComeFirstThenValidUntriedSchedules) {
  ScheduleSpace space = makeSpace();
  Schedule start = space.getDefaultSchedule();
  ScheduleSearch search(space, start, /*seed=*/7);
  std::set<std::string> seen = {start.toString()};
  for (int64_t seed = 1; seed <= 3; ++seed) {
    std::optional<Schedule> schedule = search.next();
    ASSERT_TRUE(schedule.has_value());
    EXPECT_EQ(search.getStage(), SearchStage::Seeds);
    EXPECT_EQ(schedule->get(kAutoschedulerParameter), seed);
    EXPECT_EQ(schedule->get("a"), 2);
    seen.insert(schedule->toString());
  }
  // 4 x 3 generator schedules, of which (8, 3) violates the constraint and
  // (2, 1) is the start: 10 more, then nothing.
  unsigned count = 0;
  while (std::optional<Schedule> schedule = search.next()) {
    EXPECT_FALSE(bool(space.verify(*schedule))) << schedule->toString();
    EXPECT_EQ(schedule->get(kAutoschedulerParameter), 0);
    EXPECT_TRUE(seen.insert(schedule->toString()).second)
        << "proposed twice: " << schedule->toString();
    ++count;
  }
  EXPECT_EQ(count, 10u);
  EXPECT_EQ(search.getStage(), SearchStage::Exhausted);
}

/// A space with many points, where random sampling rarely hits the best.
ScheduleSpace makeLargeSpace() {
  ScheduleSpace space;
  llvm::SmallVector<int64_t> values;
  for (int64_t value = 0; value < 16; ++value)
    values.push_back(value);
  for (const char *name : {"x", "y", "z"})
    space.addParameter(name, name, values, 0);
  space.addParameter(kAutoschedulerParameter, "autoscheduler", {0, 1, 2, 3}, 0);
  return space;
}

TEST(ScheduleSearchTest, CoordinateDescentFindsTheOptimum) {
  ScheduleSpace space = makeLargeSpace();
  // A separable cost with its minimum at (11, 3, 7); autoscheduled
  // schedules cost more than anything else.
  auto cost = [](const Schedule &schedule) {
    if (schedule.get(kAutoschedulerParameter) != 0)
      return 1e9;
    auto square = [](int64_t d) { return double(d * d); };
    return square(schedule.get("x") - 11) + square(schedule.get("y") - 3) +
           square(schedule.get("z") - 7);
  };
  Schedule incumbent = space.getDefaultSchedule();
  ScheduleSearch search(space, incumbent, /*seed=*/3);
  unsigned proposals = 0;
  while (std::optional<Schedule> schedule = search.next()) {
    ++proposals;
    if (cost(*schedule) < cost(incumbent)) {
      incumbent = *schedule;
      search.accept(*schedule);
    }
    if (cost(incumbent) == 0)
      break;
  }
  EXPECT_EQ(cost(incumbent), 0) << incumbent.toString();
  // Far fewer than the 4096 points of the space.
  EXPECT_LT(proposals, 200u);
}

TEST(ScheduleSearchTest, ResumedIncumbentIsNotProposedAgain) {
  ScheduleSpace space = makeSpace();
  ScheduleSearch search(space, space.getDefaultSchedule(), /*seed=*/1);
  Schedule resumed = space.getDefaultSchedule();
  resumed.set("a", 4);
  search.markTried(resumed);
  search.accept(resumed);
  while (std::optional<Schedule> schedule = search.next())
    EXPECT_NE(schedule->toString(), resumed.toString());
}

TEST(ScheduleSpaceVersionTest, ChangesWithEveryPartOfTheSpace) {
  std::string version = getScheduleSpaceVersion(makeSpace());
  EXPECT_EQ(version.size(), 16u);
  EXPECT_EQ(getScheduleSpaceVersion(makeSpace()), version);

  ScheduleSpace otherCandidates;
  otherCandidates.addParameter("a", "first", {1, 2, 4}, 2);
  otherCandidates.addParameter("b", "second", {1, 2, 3}, 1);
  ScheduleSpace otherDefault;
  otherDefault.addParameter("a", "first", {1, 2, 4}, 4);
  otherDefault.addParameter("b", "second", {1, 2, 3}, 1);
  ScheduleSpace otherConstraint = otherDefault;
  otherConstraint.addConstraint("a >= b", [](const Schedule &schedule) {
    return schedule.get("a") >= schedule.get("b");
  });
  std::set<std::string> versions = {version,
                                    getScheduleSpaceVersion(otherCandidates),
                                    getScheduleSpaceVersion(otherDefault),
                                    getScheduleSpaceVersion(otherConstraint)};
  EXPECT_EQ(versions.size(), 4u);
}

} // namespace
