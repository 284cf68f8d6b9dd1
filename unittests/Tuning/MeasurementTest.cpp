//===- MeasurementTest.cpp - Jobs, results, tensor files, contention ------===//
//
// What travels between the tuner and its workers survives the trip, and
// damaged messages or files give errors rather than garbage; the CPU time
// of other processes is seen, the tuner's own is not.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/tuning/CpuContention.h"
#include "codegen/tuning/Measurement.h"
#include "codegen/tuning/TensorFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(MeasurementTest, JobRoundTrips) {
  MeasureJob job;
  job.probe = "module {}";
  job.kernel = "kiln.softmax{axis=2}(?xf32)->(?xf32)";
  job.targetCpu = "avx2";
  job.threads = 3;
  Schedule schedule;
  schedule.set("vector", 8);
  job.schedules = {schedule, schedule};
  job.check = {"seq=37", {{1, 37, 64}, {64}}, {{1, 37, 64}}};
  job.workloads = {{"seq=128", {{1, 128, 64}, {64}}, {{1, 128, 64}}}};
  job.secondsPerMeasurement = 0.25;
  job.minRepetitions = 3;
  job.maxRepetitions = 9;
  job.tolerance = 1e-3;
  job.seed = 1ull << 40;
  job.referenceCache = "/tmp/reference.bin";
  job.fault = TestFault::WrongOutput;

  std::string text;
  llvm::raw_string_ostream(text) << job.toJSON();
  llvm::Expected<llvm::json::Value> value = llvm::json::parse(text);
  ASSERT_TRUE(bool(value));
  llvm::Expected<MeasureJob> parsed = MeasureJob::fromJSON(*value);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->probe, job.probe);
  EXPECT_EQ(parsed->kernel, job.kernel);
  EXPECT_EQ(parsed->targetCpu, "avx2");
  EXPECT_EQ(parsed->threads, 3);
  ASSERT_EQ(parsed->schedules.size(), 2u);
  EXPECT_EQ(parsed->schedules[1], schedule);
  EXPECT_EQ(parsed->check.name, "seq=37");
  EXPECT_EQ(parsed->check.operands, job.check.operands);
  ASSERT_EQ(parsed->workloads.size(), 1u);
  EXPECT_EQ(parsed->workloads[0].results, job.workloads[0].results);
  EXPECT_EQ(parsed->secondsPerMeasurement, 0.25);
  EXPECT_EQ(parsed->minRepetitions, 3u);
  EXPECT_EQ(parsed->maxRepetitions, 9u);
  EXPECT_EQ(parsed->tolerance, 1e-3);
  EXPECT_EQ(parsed->seed, 1ull << 40);
  EXPECT_EQ(parsed->referenceCache, job.referenceCache);
  EXPECT_EQ(parsed->fault, TestFault::WrongOutput);
}

TEST(MeasurementTest, MalformedJobsNameTheProblem) {
  MeasureJob job;
  job.schedules = {Schedule()};
  llvm::json::Value value = job.toJSON();
  (*value.getAsObject())["fault"] = "explode";
  llvm::Expected<MeasureJob> badFault = MeasureJob::fromJSON(value);
  ASSERT_FALSE(bool(badFault));
  EXPECT_EQ(llvm::toString(badFault.takeError()),
            "unknown test fault 'explode'");

  value.getAsObject()->erase("seed");
  llvm::Expected<MeasureJob> missing = MeasureJob::fromJSON(value);
  ASSERT_FALSE(bool(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("seed"),
            std::string::npos);

  job.schedules.clear();
  llvm::Expected<MeasureJob> empty = MeasureJob::fromJSON(job.toJSON());
  ASSERT_FALSE(bool(empty));
  EXPECT_EQ(llvm::toString(empty.takeError()),
            "expected a job with at least one schedule");
}

TEST(MeasurementTest, ResultRoundTrips) {
  MeasureResult result;
  result.schedules.push_back(
      {ScheduleMeasurement::Status::Measured, "", {1e-6, 2e-3}, 40});
  result.schedules.push_back(
      {ScheduleMeasurement::Status::WrongOutput, "result 0 differs", {}, 0});
  result.schedules.push_back(
      {ScheduleMeasurement::Status::Failed, "cannot build", {}, 0});
  result.busyCpus = 0.75;
  llvm::Expected<MeasureResult> parsed =
      MeasureResult::fromJSON(result.toJSON());
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->busyCpus, 0.75);
  ASSERT_EQ(parsed->schedules.size(), 3u);
  EXPECT_EQ(parsed->schedules[0].status, ScheduleMeasurement::Status::Measured);
  EXPECT_EQ(parsed->schedules[0].medianSeconds,
            (std::vector<double>{1e-6, 2e-3}));
  EXPECT_EQ(parsed->schedules[0].repetitions, 40u);
  EXPECT_EQ(parsed->schedules[1].status,
            ScheduleMeasurement::Status::WrongOutput);
  EXPECT_EQ(parsed->schedules[1].message, "result 0 differs");
  EXPECT_EQ(parsed->schedules[2].status, ScheduleMeasurement::Status::Failed);
}

TEST(TensorFileTest, TensorsRoundTrip) {
  TemporaryDirectory directory;
  std::string path = directory.path("tensors.bin");
  std::vector<ReferenceTensor> tensors;
  tensors.emplace_back(llvm::ArrayRef<int64_t>{2, 3},
                       std::vector<double>{1, -2, 3.5, 1e300, -0.0, 7});
  tensors.emplace_back(llvm::ArrayRef<int64_t>{});
  tensors.emplace_back(llvm::ArrayRef<int64_t>{0, 4});
  ASSERT_FALSE(bool(writeTensorFile(path, tensors)));
  llvm::Expected<std::vector<ReferenceTensor>> read = readTensorFile(path);
  ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
  ASSERT_EQ(read->size(), 3u);
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ((*read)[i].getShape(), tensors[i].getShape());
    EXPECT_EQ((*read)[i].getElements(), tensors[i].getElements());
  }
}

TEST(TensorFileTest, TruncatedFileIsAnError) {
  TemporaryDirectory directory;
  std::string path = directory.path("tensors.bin");
  std::vector<ReferenceTensor> tensors;
  tensors.emplace_back(llvm::ArrayRef<int64_t>{4},
                       std::vector<double>{1, 2, 3, 4});
  ASSERT_FALSE(bool(writeTensorFile(path, tensors)));
  uint64_t size;
  ASSERT_FALSE(llvm::sys::fs::file_size(path, size));
  ASSERT_EQ(::truncate(path.c_str(), size - 8), 0);
  llvm::Expected<std::vector<ReferenceTensor>> read = readTensorFile(path);
  ASSERT_FALSE(bool(read));
  EXPECT_NE(llvm::toString(read.takeError())
                .find("is not a complete tensor "
                      "file"),
            std::string::npos);
}

TEST(CpuContentionTest, OtherProcessesCountAndThisOneDoesNot) {
  // This process spinning is not contention.
  CpuContentionMeter own;
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile uint64_t spins = 0;
  while (std::chrono::steady_clock::now() < end)
    spins = spins + 1;
  std::optional<double> ownBusy = own.getBusyCpus();
  ASSERT_TRUE(ownBusy.has_value());
  EXPECT_GE(*ownBusy, 0.0);

  // A child spinning for half a second is, by about half a CPU or more
  // (the machine may be busy besides).
  CpuContentionMeter child;
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                std::nullopt};
  llvm::sys::ProcessInfo spinner =
      llvm::sys::ExecuteNoWait("/bin/sh",
                               {"sh", "-c",
                                "end=$(($(date +%s%N) + 500000000)); "
                                "while [ $(date +%s%N) -lt $end ]; do :; done"},
                               std::nullopt, redirects);
  ASSERT_NE(spinner.Pid, 0);
  llvm::sys::Wait(spinner, std::nullopt);
  std::optional<double> childBusy = child.getBusyCpus();
  ASSERT_TRUE(childBusy.has_value());
  EXPECT_GT(*childBusy, 0.3);
}

} // namespace
