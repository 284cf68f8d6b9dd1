//===- Schedule.h - Kernel schedules as data --------------------*- C++ -*-===//
//
// A kernel's algorithm is written once; how it is executed (tile sizes,
// vector width, parallel split, unrolling, where intermediate results are
// computed) is a `Schedule`: a set of named integer parameters that the
// kernel generator reads. A `ScheduleSpace` says which parameters a
// generator reads, which values each may take and which combinations are
// valid, so that an autotuner can search it and a tuning database can store
// the best schedule per kernel signature as JSON.
//
// Nothing here depends on Halide: the space and the values are plain data.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_SCHEDULE_H
#define KILN_CODEGEN_SCHEDULE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kiln {

/// Named integer parameters of a kernel schedule, e.g.
/// `{"tile_rows": 8, "vector": 16, "parallel": 1}`. Booleans are 0 or 1.
class Schedule {
public:
  /// Sets parameter `name` to `value`, replacing any earlier value.
  void set(llvm::StringRef name, int64_t value);

  /// The value of parameter `name`, which must be set.
  int64_t get(llvm::StringRef name) const;

  /// Whether parameter `name` is set.
  bool contains(llvm::StringRef name) const;

  /// The parameters, ordered by name.
  const std::map<std::string, int64_t> &getParameters() const {
    return parameters;
  }

  /// A JSON object with one member per parameter.
  llvm::json::Value toJSON() const;

  /// The compact JSON text of `toJSON()`; members are sorted by name, so
  /// equal schedules always print the same.
  std::string toString() const;

  /// Reads a schedule from a JSON object whose members are integers.
  static llvm::Expected<Schedule> fromJSON(const llvm::json::Value &value);

  /// Parses `text` as JSON and reads a schedule from it.
  static llvm::Expected<Schedule> parse(llvm::StringRef text);

  bool operator==(const Schedule &other) const {
    return parameters == other.parameters;
  }

private:
  /// Ordered so that iteration and printing are deterministic.
  std::map<std::string, int64_t> parameters;
};

/// One tunable parameter of a schedule space.
struct ScheduleParameter {
  /// The name the generator reads, e.g. `tile_rows`.
  std::string name;
  /// What the parameter controls, for tools that list the space.
  std::string description;
  /// The values a tuner may try, in increasing order.
  llvm::SmallVector<int64_t> candidates;
  /// The value used when no tuned schedule is known; one of `candidates`.
  int64_t defaultValue;
};

/// A condition that valid schedules satisfy across parameters, e.g.
/// "tile_cols is a multiple of vector".
struct ScheduleConstraint {
  /// The condition in words, used in diagnostics.
  std::string description;
  /// Whether `schedule`, which has every parameter of the space, satisfies
  /// the condition.
  std::function<bool(const Schedule &)> isSatisfied;
};

/// The schedules a kernel generator accepts for one kernel signature.
class ScheduleSpace {
public:
  /// Adds a parameter; `defaultValue` must be one of `candidates`.
  void addParameter(llvm::StringRef name, llvm::StringRef description,
                    llvm::ArrayRef<int64_t> candidates, int64_t defaultValue);

  /// Adds a constraint between parameters.
  void addConstraint(llvm::StringRef description,
                     std::function<bool(const Schedule &)> isSatisfied);

  /// The parameters, in the order they were added.
  llvm::ArrayRef<ScheduleParameter> getParameters() const { return parameters; }

  /// The constraints, in the order they were added.
  llvm::ArrayRef<ScheduleConstraint> getConstraints() const {
    return constraints;
  }

  /// The schedule made of every parameter's default value.
  Schedule getDefaultSchedule() const;

  /// Checks that `schedule` sets exactly the parameters of the space, each
  /// to one of its candidates, and satisfies every constraint; the error
  /// names the first offending parameter or constraint.
  llvm::Error verify(const Schedule &schedule) const;

private:
  std::vector<ScheduleParameter> parameters;
  std::vector<ScheduleConstraint> constraints;
};

} // namespace kiln

#endif // KILN_CODEGEN_SCHEDULE_H
