//===- TuningDatabaseTest.cpp - Tuning records on disk --------------------===//
//
// Records round-trip through JSON lines, databases merge by the documented
// preference, and malformed lines are reported and dropped, never fatal.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/tuning/TuningDatabase.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Writes `text` to `path`.
void writeFile(const std::string &path, llvm::StringRef text) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  ASSERT_FALSE(error) << error.message();
  os << text;
}

/// Loads the database at `path`, failing the test on errors.
TuningDatabase loadOrFail(const std::string &path,
                          std::vector<std::string> &warnings) {
  llvm::Expected<TuningDatabase> database =
      TuningDatabase::load(path, warnings);
  if (!database) {
    ADD_FAILURE() << llvm::toString(database.takeError());
    return TuningDatabase();
  }
  return std::move(*database);
}

/// Expects the two records to be equal in every field; times only to the
/// precision of their microsecond form.
void expectSameRecord(const TuningRecord &actual,
                      const TuningRecord &expected) {
  EXPECT_EQ(actual.kernel, expected.kernel);
  EXPECT_EQ(actual.bucket, expected.bucket);
  EXPECT_EQ(actual.cpu, expected.cpu);
  EXPECT_EQ(actual.target, expected.target);
  EXPECT_EQ(actual.space, expected.space);
  EXPECT_EQ(actual.schedule, expected.schedule);
  ASSERT_EQ(actual.tunedSeconds.size(), expected.tunedSeconds.size());
  for (size_t i = 0; i < actual.tunedSeconds.size(); ++i) {
    EXPECT_NEAR(actual.tunedSeconds[i], expected.tunedSeconds[i], 1e-12);
    EXPECT_NEAR(actual.defaultSeconds[i], expected.defaultSeconds[i], 1e-12);
  }
  EXPECT_EQ(actual.threads, expected.threads);
  EXPECT_EQ(actual.candidates, expected.candidates);
  EXPECT_EQ(actual.complete, expected.complete);
  EXPECT_EQ(actual.measured, expected.measured);
}

TEST(TuningDatabaseTest, RecordsRoundTripThroughAFile) {
  TemporaryDirectory directory;
  // The database's directory is created on save.
  std::string path = directory.path("cache/kiln/tuning.jsonl");
  TuningDatabase database;
  TuningRecord first = makeRecord("kiln.softmax{axis=2}(?xf32)->(?xf32)");
  TuningRecord second = makeRecord("kiln.linear{}(?xf32)->(?xf32)");
  second.complete = false;
  second.tunedSeconds = {3e-6};
  second.defaultSeconds = {5e-6};
  database.merge(first);
  database.merge(second);
  ASSERT_FALSE(bool(database.save(path)));

  std::vector<std::string> warnings;
  TuningDatabase loaded = loadOrFail(path, warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(loaded.getRecords().size(), 2u);
  expectSameRecord(loaded.getRecords()[0], first);
  expectSameRecord(loaded.getRecords()[1], second);

  // One JSON object per line, readable as such.
  auto file = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(file));
  llvm::SmallVector<llvm::StringRef> lines;
  (*file)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("{") && lines[0].ends_with("}"));
  EXPECT_TRUE(lines[0].contains(R"("kernel":"kiln.softmax{axis=2})"));
  EXPECT_TRUE(lines[0].contains(R"("tuned_us":[1000,4000])"));
}

TEST(TuningDatabaseTest, MissingFileIsEmpty) {
  TemporaryDirectory directory;
  std::vector<std::string> warnings;
  TuningDatabase database =
      loadOrFail(directory.path("absent.jsonl"), warnings);
  EXPECT_TRUE(database.getRecords().empty());
  EXPECT_TRUE(warnings.empty());
}

TEST(TuningDatabaseTest, MalformedLinesAreReportedAndDropped) {
  TemporaryDirectory directory;
  std::string path = directory.path("tuning.jsonl");
  TuningRecord record = makeRecord("kiln.softmax{axis=2}(?xf32)->(?xf32)");
  std::string good;
  llvm::raw_string_ostream(good) << record.toJSON();
  writeFile(path, "not json\n" + good + "\n\n" +
                      R"({"kernel": "k", "bucket": 3})" + "\n");
  std::vector<std::string> warnings;
  TuningDatabase database = loadOrFail(path, warnings);
  ASSERT_EQ(database.getRecords().size(), 1u);
  expectSameRecord(database.getRecords()[0], record);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("tuning.jsonl:1: "), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("the line is ignored"), std::string::npos);
  EXPECT_NE(warnings[1].find("tuning.jsonl:4: expected member 'bucket' to be "
                             "a string"),
            std::string::npos)
      << warnings[1];
}

TEST(TuningDatabaseTest, MergeKeepsThePreferredRecordPerIdentity) {
  std::string kernel = "kiln.softmax{axis=2}(?xf32)->(?xf32)";
  TuningDatabase database;
  TuningRecord incomplete = makeRecord(kernel);
  incomplete.complete = false;
  incomplete.tunedSeconds = {0.5e-3, 2e-3}; // 4x, but interrupted.
  EXPECT_TRUE(database.merge(incomplete));

  // Complete beats incomplete, whatever the speedup.
  TuningRecord complete = makeRecord(kernel);
  EXPECT_TRUE(database.merge(complete));
  ASSERT_EQ(database.getRecords().size(), 1u);
  EXPECT_TRUE(database.getRecords()[0].complete);

  // Among complete records the larger speedup wins, then the newer one.
  TuningRecord slower = makeRecord(kernel, "Test CPU", "2030-01-01T00:00:00Z");
  slower.tunedSeconds = {1.5e-3, 6e-3};
  EXPECT_FALSE(database.merge(slower));
  TuningRecord faster = makeRecord(kernel, "Test CPU", "2020-01-01T00:00:00Z");
  faster.tunedSeconds = {0.8e-3, 3e-3};
  EXPECT_TRUE(database.merge(faster));
  TuningRecord newer = faster;
  newer.measured = "2021-01-01T00:00:00Z";
  newer.schedule.set("a", 8);
  EXPECT_TRUE(database.merge(newer));
  ASSERT_EQ(database.getRecords().size(), 1u);
  EXPECT_EQ(database.getRecords()[0].schedule.get("a"), 8);

  // Other identities are kept beside it.
  TuningDatabase other;
  other.merge(makeRecord(kernel, "Other CPU"));
  TuningRecord otherSpace = makeRecord(kernel);
  otherSpace.space = "fedcba9876543210";
  other.merge(otherSpace);
  other.merge(slower);
  EXPECT_EQ(database.merge(other), 2u);
  EXPECT_EQ(database.getRecords().size(), 3u);
  EXPECT_EQ(database.getKernelRecords(kernel).size(), 3u);
  EXPECT_TRUE(database.getKernelRecords("kiln.other").empty());
}

TEST(TuningDatabaseTest, ReplaceSupersedesWhatever) {
  std::string kernel = "kiln.softmax{axis=2}(?xf32)->(?xf32)";
  TuningDatabase database;
  database.merge(makeRecord(kernel));
  TuningRecord remeasured = makeRecord(kernel);
  remeasured.complete = false;
  remeasured.tunedSeconds = remeasured.defaultSeconds;
  database.replace(remeasured);
  ASSERT_EQ(database.getRecords().size(), 1u);
  EXPECT_FALSE(database.getRecords()[0].complete);
}

TEST(TuningDatabaseTest, DefaultPathFollowsXdgCacheHome) {
  const char *previous = std::getenv("XDG_CACHE_HOME");
  std::string saved = previous ? previous : "";
  setenv("XDG_CACHE_HOME", "/somewhere/cache", 1);
  EXPECT_EQ(getDefaultTuningDatabasePath(),
            "/somewhere/cache/kiln/tuning.jsonl");
  if (previous)
    setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  else
    unsetenv("XDG_CACHE_HOME");
}

TEST(TuningRecordTest, SpeedupAndErrors) {
  TuningRecord record = makeRecord("k");
  EXPECT_DOUBLE_EQ(record.getSpeedup(), 2.0);
  record.tunedSeconds.clear();
  record.defaultSeconds.clear();
  EXPECT_DOUBLE_EQ(record.getSpeedup(), 1.0);

  llvm::json::Value value = makeRecord("k").toJSON();
  value.getAsObject()->erase("space");
  llvm::Expected<TuningRecord> missing = TuningRecord::fromJSON(value);
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "expected member 'space' to be a string");

  llvm::json::Value uneven = makeRecord("k").toJSON();
  (*uneven.getAsObject())["tuned_us"] = llvm::json::Array{1.0};
  llvm::Expected<TuningRecord> mismatched = TuningRecord::fromJSON(uneven);
  ASSERT_FALSE(bool(mismatched));
  EXPECT_EQ(llvm::toString(mismatched.takeError()),
            "expected as many tuned as default times");
}

} // namespace
