//===- TuningLookupTest.cpp - Which record applies to a kernel ------------===//
//
// Only a record of the same kernel, bucket, CPU, target and space version,
// whose schedule the space accepts, is used; every other record of the
// kernel is skipped with the first field that differs.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/tuning/TuningLookup.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

class TuningLookupTest : public ::testing::Test {
protected:
  TuningLookupTest() : space(makeSpace()) {
    query.kernel = kernel;
    query.bucket = "batch=1;seq=128,512";
    query.machine = {"Test CPU", "x86-64-linux-avx2"};
    query.space = &space;
    query.spaceVersion = "0123456789abcdef";
  }

  /// The reasons of looking `records` up, after checking that none matched.
  std::vector<std::string> skippedReasons(std::vector<TuningRecord> records) {
    TuningDatabase database;
    for (TuningRecord &record : records)
      database.merge(std::move(record));
    TuningMatch match = lookupTuningRecord(database, query);
    EXPECT_EQ(match.record, nullptr);
    return match.skipped;
  }

  const std::string kernel = "kiln.softmax{axis=2}(?xf32)->(?xf32)";
  ScheduleSpace space;
  TuningQuery query;
};

TEST_F(TuningLookupTest, MatchingRecordIsUsed) {
  TuningDatabase database;
  database.merge(makeRecord(kernel));
  database.merge(makeRecord("kiln.other{}(?xf32)->(?xf32)"));
  TuningMatch match = lookupTuningRecord(database, query);
  ASSERT_NE(match.record, nullptr);
  EXPECT_EQ(match.record->schedule.get("a"), 4);
  EXPECT_TRUE(match.skipped.empty());
}

TEST_F(TuningLookupTest, RecordOfAnotherCpuIsSkipped) {
  std::vector<std::string> reasons =
      skippedReasons({makeRecord(kernel, "Other CPU")});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "measured on CPU 'Other CPU', this is 'Test CPU'");
}

TEST_F(TuningLookupTest, RecordOfAnotherTargetIsSkipped) {
  TuningRecord record = makeRecord(kernel);
  record.target = "x86-64-linux-sse41";
  std::vector<std::string> reasons = skippedReasons({record});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "compiled for target 'x86-64-linux-sse41', this "
                        "build is for 'x86-64-linux-avx2'");
}

TEST_F(TuningLookupTest, RecordOfAnOlderSpaceIsSkipped) {
  TuningRecord record = makeRecord(kernel);
  record.space = "00000000deadbeef";
  std::vector<std::string> reasons = skippedReasons({record});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "tuned in schedule space version 00000000deadbeef, "
                        "the kernel's space is now version 0123456789abcdef");
}

TEST_F(TuningLookupTest, RecordOfOtherSizesIsSkipped) {
  TuningRecord record = makeRecord(kernel);
  record.bucket = "batch=1;seq=32";
  std::vector<std::string> reasons = skippedReasons({record});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "tuned for sizes 'batch=1;seq=32', this build is for "
                        "'batch=1;seq=128,512'");
}

TEST_F(TuningLookupTest, ScheduleOutsideTheSpaceIsSkipped) {
  TuningRecord record = makeRecord(kernel);
  record.schedule.set("b", 3);
  record.schedule.set("a", 8);
  std::vector<std::string> reasons = skippedReasons({record});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("its schedule is outside the kernel's space: "
                            "schedule"),
            std::string::npos)
      << reasons[0];
}

TEST_F(TuningLookupTest, OneReasonPerSkippedRecordBesideAMatch) {
  TuningDatabase database;
  database.merge(makeRecord(kernel, "Other CPU"));
  database.merge(makeRecord(kernel));
  database.merge(makeRecord(kernel, "Third CPU"));
  TuningMatch match = lookupTuningRecord(database, query);
  ASSERT_NE(match.record, nullptr);
  EXPECT_EQ(match.record->cpu, "Test CPU");
  EXPECT_EQ(match.skipped.size(), 2u);
}

} // namespace
