//===- Measurement.cpp - What the tuner asks a measuring worker -----------===//
//
// The JSON forms of jobs and results, read with LLVM's ObjectMapper so that
// a malformed message names the member at fault.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/Measurement.h"

#include "llvm/ADT/StringSwitch.h"

using namespace llvm;

namespace kiln {

//===----------------------------------------------------------------------===//
// JSON of the parts
//===----------------------------------------------------------------------===//

/// Shapes as a JSON array of arrays.
static json::Array shapesToJSON(const std::vector<ConcreteShape> &shapes) {
  json::Array array;
  for (const ConcreteShape &shape : shapes)
    array.push_back(json::Array(shape));
  return array;
}

/// Reads a JSON array of arrays of sizes.
static bool shapesFromJSON(const json::Value &value,
                           std::vector<ConcreteShape> &shapes,
                           json::Path path) {
  std::vector<std::vector<int64_t>> lists;
  if (!json::fromJSON(value, lists, path))
    return false;
  for (const std::vector<int64_t> &list : lists)
    shapes.emplace_back(list.begin(), list.end());
  return true;
}

static json::Value toJSON(const KernelWorkload &workload) {
  return json::Object{{"name", workload.name},
                      {"operands", shapesToJSON(workload.operands)},
                      {"results", shapesToJSON(workload.results)}};
}

static bool fromJSON(const json::Value &value, KernelWorkload &workload,
                     json::Path path) {
  json::ObjectMapper mapper(value, path);
  const json::Object *object = value.getAsObject();
  if (!mapper || !mapper.map("name", workload.name))
    return false;
  auto mapShapes = [&](StringLiteral member,
                       std::vector<ConcreteShape> &shapes) {
    const json::Value *value = object->get(member);
    if (!value) {
      path.field(member).report("missing member");
      return false;
    }
    return shapesFromJSON(*value, shapes, path.field(member));
  };
  return mapShapes("operands", workload.operands) &&
         mapShapes("results", workload.results);
}

static bool fromJSON(const json::Value &value, Schedule &schedule,
                     json::Path path) {
  Expected<Schedule> parsed = Schedule::fromJSON(value);
  if (!parsed) {
    path.report("expected a schedule of integers");
    consumeError(parsed.takeError());
    return false;
  }
  schedule = std::move(*parsed);
  return true;
}

/// Reads non-negative integer member `name` into `value`.
static bool mapUnsigned(json::ObjectMapper &mapper, StringLiteral name,
                        unsigned &value) {
  int64_t number = value;
  if (!mapper.map(name, number) || number < 0)
    return false;
  value = static_cast<unsigned>(number);
  return true;
}

/// The JSON names of test faults.
static StringRef getFaultName(TestFault fault) {
  switch (fault) {
  case TestFault::None:
    return "none";
  case TestFault::Crash:
    return "crash";
  case TestFault::Hang:
    return "hang";
  case TestFault::WrongOutput:
    return "wrong-output";
  }
  llvm_unreachable("unknown test fault");
}

//===----------------------------------------------------------------------===//
// MeasureJob
//===----------------------------------------------------------------------===//

json::Value MeasureJob::toJSON() const {
  json::Array scheduleArray;
  for (const Schedule &schedule : schedules)
    scheduleArray.push_back(schedule.toJSON());
  json::Array workloadArray;
  for (const KernelWorkload &workload : workloads)
    workloadArray.push_back(kiln::toJSON(workload));
  return json::Object{{"probe", probe},
                      {"kernel", kernel},
                      {"target_cpu", targetCpu},
                      {"threads", threads},
                      {"schedules", std::move(scheduleArray)},
                      {"check", kiln::toJSON(check)},
                      {"workloads", std::move(workloadArray)},
                      {"seconds_per_measurement", secondsPerMeasurement},
                      {"min_repetitions", minRepetitions},
                      {"max_repetitions", maxRepetitions},
                      {"tolerance", tolerance},
                      {"seed", seed},
                      {"reference_cache", referenceCache},
                      {"fault", getFaultName(fault)}};
}

Expected<MeasureJob> MeasureJob::fromJSON(const json::Value &value) {
  MeasureJob job;
  json::Path::Root root("job");
  json::ObjectMapper mapper(value, root);
  std::string fault;
  bool isValid =
      mapper && mapper.map("probe", job.probe) &&
      mapper.map("kernel", job.kernel) &&
      mapper.map("target_cpu", job.targetCpu) &&
      mapper.map("threads", job.threads) &&
      mapper.map("schedules", job.schedules) &&
      mapper.map("check", job.check) &&
      mapper.map("workloads", job.workloads) &&
      mapper.map("seconds_per_measurement", job.secondsPerMeasurement) &&
      mapUnsigned(mapper, "min_repetitions", job.minRepetitions) &&
      mapUnsigned(mapper, "max_repetitions", job.maxRepetitions) &&
      mapper.map("tolerance", job.tolerance) && mapper.map("seed", job.seed) &&
      mapper.map("reference_cache", job.referenceCache) &&
      mapper.map("fault", fault);
  if (!isValid)
    return root.getError();
  std::optional<TestFault> parsedFault =
      StringSwitch<std::optional<TestFault>>(fault)
          .Case("none", TestFault::None)
          .Case("crash", TestFault::Crash)
          .Case("hang", TestFault::Hang)
          .Case("wrong-output", TestFault::WrongOutput)
          .Default(std::nullopt);
  if (!parsedFault)
    return createStringError(inconvertibleErrorCode(),
                             "unknown test fault '" + fault + "'");
  job.fault = *parsedFault;
  if (job.schedules.empty())
    return createStringError(inconvertibleErrorCode(),
                             "expected a job with at least one schedule");
  return job;
}

//===----------------------------------------------------------------------===//
// MeasureResult
//===----------------------------------------------------------------------===//

/// The JSON names of measurement statuses.
static StringRef getStatusName(ScheduleMeasurement::Status status) {
  switch (status) {
  case ScheduleMeasurement::Status::Measured:
    return "measured";
  case ScheduleMeasurement::Status::WrongOutput:
    return "wrong-output";
  case ScheduleMeasurement::Status::Failed:
    return "failed";
  }
  llvm_unreachable("unknown measurement status");
}

json::Value MeasureResult::toJSON() const {
  json::Array array;
  for (const ScheduleMeasurement &measurement : schedules)
    array.push_back(
        json::Object{{"status", getStatusName(measurement.status)},
                     {"message", measurement.message},
                     {"median_seconds", json::Array(measurement.medianSeconds)},
                     {"repetitions", measurement.repetitions}});
  return json::Object{{"schedules", std::move(array)}, {"busy_cpus", busyCpus}};
}

static bool fromJSON(const json::Value &value, ScheduleMeasurement &measurement,
                     json::Path path) {
  json::ObjectMapper mapper(value, path);
  std::string status;
  if (!mapper || !mapper.map("status", status) ||
      !mapper.map("message", measurement.message) ||
      !mapper.map("median_seconds", measurement.medianSeconds) ||
      !mapUnsigned(mapper, "repetitions", measurement.repetitions))
    return false;
  std::optional<ScheduleMeasurement::Status> parsed =
      StringSwitch<std::optional<ScheduleMeasurement::Status>>(status)
          .Case("measured", ScheduleMeasurement::Status::Measured)
          .Case("wrong-output", ScheduleMeasurement::Status::WrongOutput)
          .Case("failed", ScheduleMeasurement::Status::Failed)
          .Default(std::nullopt);
  if (!parsed) {
    path.field("status").report("unknown status");
    return false;
  }
  measurement.status = *parsed;
  return true;
}

Expected<MeasureResult> MeasureResult::fromJSON(const json::Value &value) {
  MeasureResult result;
  json::Path::Root root("result");
  json::ObjectMapper mapper(value, root);
  if (!mapper || !mapper.map("schedules", result.schedules) ||
      !mapper.map("busy_cpus", result.busyCpus))
    return root.getError();
  return result;
}

} // namespace kiln
