//===- MeasureWorkerTest.cpp - Build, check and time candidate kernels ----===//
//
// The worker's job run in-process: correct schedules are timed, a
// challenger with wrong results is rejected, a probe of another signature
// or a schedule outside the space fails, and the check's reference results
// are cached.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"
#include "codegen/tuning/KernelProbe.h"
#include "codegen/tuning/MeasureWorker.h"
#include "reference/Comparison.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::test;
using Status = ScheduleMeasurement::Status;

namespace {

constexpr llvm::StringLiteral kModel = R"mlir(
module attributes {kiln.max_seq_len = 64 : i64} {
  func.func @forward(%x: tensor<1x?x64xf32> {kiln.input = "hidden"},
                     %gamma: tensor<64xf32> {kiln.weight = "g"},
                     %beta: tensor<64xf32> {kiln.weight = "b"})
      -> tensor<1x?x64xf32> {
    %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.000000e-05 : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x64xf32>
    return %0 : tensor<1x?x64xf32>
  }
}
)mlir";

class MeasureWorkerTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::unique_ptr<mlir::MLIRContext> context = createContext();
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(kModel, context.get());
    ASSERT_TRUE(module);
    auto forward = module->lookupSymbol<mlir::func::FuncOp>("forward");
    mlir::FailureOr<std::vector<TuningKernel>> kernels = collectTuningKernels(
        forward, ShapeBucket{1, {24, 40}}, ShapeWorkload{1, 7});
    ASSERT_TRUE(mlir::succeeded(kernels));
    const TuningKernel &kernel = kernels->front();
    llvm::Expected<Halide::Target> target = parseKernelTarget("host");
    ASSERT_TRUE(bool(target));
    llvm::Expected<ScheduleSpace> space =
        getKernelScheduleSpace(kernel.signature, *target);
    ASSERT_TRUE(bool(space));
    defaultSchedule = space->getDefaultSchedule();
    job.probe = kernel.probe;
    job.kernel = kernel.key;
    job.threads = 2;
    job.check = kernel.check;
    job.workloads = kernel.workloads;
    job.secondsPerMeasurement = 0.001;
    job.minRepetitions = 3;
    job.maxRepetitions = 5;
    Schedule challenger = defaultSchedule;
    challenger.set("rows_per_task", 4);
    job.schedules = {defaultSchedule, challenger};
  }

  Schedule defaultSchedule;
  MeasureJob job;
};

TEST_F(MeasureWorkerTest, CorrectSchedulesAreTimedSideBySide) {
  TemporaryDirectory directory;
  job.referenceCache = directory.path("reference.bin");
  MeasureResult result = runMeasureJob(job);
  ASSERT_EQ(result.schedules.size(), 2u);
  for (const ScheduleMeasurement &measurement : result.schedules) {
    EXPECT_EQ(measurement.status, Status::Measured) << measurement.message;
    ASSERT_EQ(measurement.medianSeconds.size(), 2u);
    for (double seconds : measurement.medianSeconds)
      EXPECT_GT(seconds, 0.0);
    EXPECT_GE(measurement.repetitions, 3u);
    EXPECT_LE(measurement.repetitions, 10u);
  }
  // The check's reference results are cached for the next worker.
  EXPECT_TRUE(llvm::sys::fs::exists(job.referenceCache));
  MeasureResult again = runMeasureJob(job);
  EXPECT_EQ(again.schedules[1].status, Status::Measured)
      << again.schedules[1].message;
}

TEST_F(MeasureWorkerTest, WrongOutputIsRejected) {
  job.fault = TestFault::WrongOutput;
  MeasureResult result = runMeasureJob(job);
  ASSERT_EQ(result.schedules.size(), 2u);
  EXPECT_EQ(result.schedules[0].status, Status::Measured);
  EXPECT_EQ(result.schedules[1].status, Status::WrongOutput);
  EXPECT_NE(result.schedules[1].message.find(
                "result 0 differs from the fp64 reference at seq=7: element 0"),
            std::string::npos)
      << result.schedules[1].message;
  EXPECT_TRUE(result.schedules[1].medianSeconds.empty());
}

TEST_F(MeasureWorkerTest, ScheduleOutsideTheSpaceFails) {
  job.schedules[1].set("vector", 3);
  MeasureResult result = runMeasureJob(job);
  EXPECT_EQ(result.schedules[0].status, Status::Measured);
  EXPECT_EQ(result.schedules[1].status, Status::Failed);
  EXPECT_NE(result.schedules[1].message.find(
                "cannot build the kernel: expected schedule parameter "
                "'vector' to be one of"),
            std::string::npos)
      << result.schedules[1].message;
}

TEST_F(MeasureWorkerTest, ProbeOfAnotherSignatureFailsEverySchedule) {
  job.kernel = "kiln.layer_norm{epsilon=0.5}(?x?x64xf32)->(?x?x64xf32)";
  MeasureResult result = runMeasureJob(job);
  ASSERT_EQ(result.schedules.size(), 2u);
  for (const ScheduleMeasurement &measurement : result.schedules) {
    EXPECT_EQ(measurement.status, Status::Failed);
    EXPECT_NE(measurement.message.find("the probe's op has signature"),
              std::string::npos)
        << measurement.message;
  }
}

TEST(DescribeMismatchTest, ToleranceIsRelativeToTheLargestValue) {
  ReferenceTensor expected({3}, {100.0, -2.0, 0.5});
  ReferenceTensor close({3}, {100.0, -2.0 + 5e-3, 0.5});
  EXPECT_FALSE(describeMismatch(close, expected, 1e-4).has_value());
  ReferenceTensor far({3}, {100.0, -2.0 + 2e-2, 0.5});
  std::optional<std::string> mismatch = describeMismatch(far, expected, 1e-4);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_NE(mismatch->find("element 1 is"), std::string::npos) << *mismatch;

  ReferenceTensor infinite({2}, {-INFINITY, 1.0});
  ReferenceTensor finite({2}, {-1e30, 1.0});
  EXPECT_TRUE(describeMismatch(finite, infinite, 1e-4).has_value());
  EXPECT_FALSE(describeMismatch(infinite, infinite, 1e-4).has_value());
  ReferenceTensor notANumber({2}, {NAN, 1.0});
  EXPECT_TRUE(describeMismatch(notANumber, finite, 1e-4).has_value());
  EXPECT_TRUE(describeMismatch(ReferenceTensor({3}), ReferenceTensor({2}), 1e-4)
                  .has_value());
}

} // namespace
