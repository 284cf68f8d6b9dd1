//===- TuningTestSupport.cpp - Shared pieces of the tuning tests ----------===//

#include "TuningTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "dialect/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

namespace kiln::test {

TuningRecord makeRecord(const std::string &kernel, const std::string &cpu,
                        const std::string &measured) {
  TuningRecord record;
  record.kernel = kernel;
  record.bucket = "batch=1;seq=128,512";
  record.cpu = cpu;
  record.target = "x86-64-linux-avx2";
  record.space = "0123456789abcdef";
  record.schedule.set("a", 4);
  record.schedule.set("b", 2);
  record.schedule.set(kAutoschedulerParameter, 0);
  record.tunedSeconds = {1e-3, 4e-3};
  record.defaultSeconds = {2e-3, 8e-3};
  record.threads = 2;
  record.candidates = 12;
  record.complete = true;
  record.measured = measured;
  return record;
}

ScheduleSpace makeSpace() {
  ScheduleSpace space;
  space.addParameter("a", "first", {1, 2, 4, 8}, 2);
  space.addParameter("b", "second", {1, 2, 3}, 1);
  space.addParameter(kAutoschedulerParameter, "autoscheduler", {0, 1, 2, 3}, 0);
  space.addConstraint("a * b <= 16", [](const Schedule &schedule) {
    return schedule.get("a") * schedule.get("b") <= 16;
  });
  return space;
}

std::unique_ptr<mlir::MLIRContext> createContext() {
  auto context = std::make_unique<mlir::MLIRContext>();
  context->loadDialect<KilnDialect, mlir::func::FuncDialect,
                       mlir::arith::ArithDialect>();
  return context;
}

TemporaryDirectory::TemporaryDirectory() {
  llvm::SmallString<128> path;
  EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-tuning-test", path));
  directory = std::string(path);
}

TemporaryDirectory::~TemporaryDirectory() {
  llvm::sys::fs::remove_directories(directory);
}

std::string TemporaryDirectory::path(llvm::StringRef name) const {
  llvm::SmallString<128> result(directory);
  llvm::sys::path::append(result, name);
  return std::string(result);
}

} // namespace kiln::test
