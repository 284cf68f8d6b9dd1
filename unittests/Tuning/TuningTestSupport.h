//===- TuningTestSupport.h - Shared pieces of the tuning tests --*- C++ -*-===//
//
// Records and schedule spaces made up for the tests, and a context with the
// dialects that probe functions use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_TUNING_TUNINGTESTSUPPORT_H
#define KILN_UNITTESTS_TUNING_TUNINGTESTSUPPORT_H

#include "codegen/Schedule.h"
#include "codegen/tuning/TuningRecord.h"

#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <string>

namespace kiln::test {

/// A complete record of kernel `kernel` with a 2x speedup, measured at
/// `measured`, on CPU `cpu`.
TuningRecord makeRecord(const std::string &kernel,
                        const std::string &cpu = "Test CPU",
                        const std::string &measured = "2024-05-01T12:00:00Z");

/// A space of three parameters, `a` in {1, 2, 4, 8}, `b` in {1, 2, 3} and
/// `autoscheduler` in {0, 1, 2, 3}, with `a * b <= 16`; defaults a=2, b=1,
/// autoscheduler=0.
ScheduleSpace makeSpace();

/// A context with the kiln, func and arith dialects loaded.
std::unique_ptr<mlir::MLIRContext> createContext();

/// A temporary directory for one test, removed with the object.
class TemporaryDirectory {
public:
  TemporaryDirectory();
  ~TemporaryDirectory();

  /// The path of `name` inside the directory.
  std::string path(llvm::StringRef name) const;

private:
  std::string directory;
};

} // namespace kiln::test

#endif // KILN_UNITTESTS_TUNING_TUNINGTESTSUPPORT_H
