//===- TuningRecord.cpp - One tuned schedule and how it was found ---------===//
//
// The JSON form of records. Times are stored in microseconds, which reads
// better than seconds for kernels that take a few of them.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/TuningRecord.h"

#include <chrono>
#include <ctime>
#include <numeric>

using namespace llvm;

namespace kiln {

bool TuningRecord::isSameKey(const TuningRecord &other) const {
  return kernel == other.kernel && bucket == other.bucket && cpu == other.cpu &&
         target == other.target && space == other.space;
}

double TuningRecord::getSpeedup() const {
  double tuned = std::accumulate(tunedSeconds.begin(), tunedSeconds.end(), 0.0);
  double original =
      std::accumulate(defaultSeconds.begin(), defaultSeconds.end(), 0.0);
  return tuned > 0.0 && original > 0.0 ? original / tuned : 1.0;
}

/// Seconds as a JSON array of microseconds.
static json::Array toMicroseconds(const std::vector<double> &seconds) {
  json::Array array;
  for (double value : seconds)
    array.push_back(value * 1e6);
  return array;
}

json::Value TuningRecord::toJSON() const {
  return json::Object{{"kernel", kernel},
                      {"bucket", bucket},
                      {"cpu", cpu},
                      {"target", target},
                      {"space", space},
                      {"schedule", schedule.toJSON()},
                      {"tuned_us", toMicroseconds(tunedSeconds)},
                      {"default_us", toMicroseconds(defaultSeconds)},
                      {"threads", threads},
                      {"candidates", candidates},
                      {"complete", complete},
                      {"measured", measured}};
}

namespace {

/// Reads the members of a record, naming the first bad one.
class RecordReader {
public:
  explicit RecordReader(const json::Object &object) : object(object) {}

  /// Reads string member `name` into `value`.
  void read(StringRef name, std::string &value) {
    if (std::optional<StringRef> text = object.getString(name))
      value = text->str();
    else
      fail(name, "a string");
  }

  /// Reads integer member `name` into `value`.
  template <typename Integer> void readInteger(StringRef name, Integer &value) {
    std::optional<int64_t> number = object.getInteger(name);
    if (number && *number >= 0)
      value = static_cast<Integer>(*number);
    else
      fail(name, "a non-negative integer");
  }

  /// Reads boolean member `name` into `value`.
  void read(StringRef name, bool &value) {
    if (std::optional<bool> flag = object.getBoolean(name))
      value = *flag;
    else
      fail(name, "a boolean");
  }

  /// Reads the microseconds array `name` into `seconds`.
  void readTimes(StringRef name, std::vector<double> &seconds) {
    const json::Array *array = object.getArray(name);
    if (!array)
      return fail(name, "an array of times in microseconds");
    for (const json::Value &element : *array) {
      std::optional<double> microseconds = element.getAsNumber();
      if (!microseconds || *microseconds < 0)
        return fail(name, "an array of times in microseconds");
      seconds.push_back(*microseconds * 1e-6);
    }
  }

  /// Reads the schedule member `name` into `schedule`.
  void read(StringRef name, Schedule &schedule) {
    const json::Value *value = object.get(name);
    if (!value)
      return fail(name, "a schedule");
    Expected<Schedule> parsed = Schedule::fromJSON(*value);
    if (!parsed)
      return fail(name, "a schedule (" + toString(parsed.takeError()) + ")");
    schedule = std::move(*parsed);
  }

  /// The first error, or success.
  Error takeError() {
    if (firstError.empty())
      return Error::success();
    return createStringError(inconvertibleErrorCode(), firstError);
  }

private:
  void fail(StringRef name, const Twine &expected) {
    if (firstError.empty())
      firstError = ("expected member '" + name + "' to be " + expected).str();
  }

  const json::Object &object;
  std::string firstError;
};

} // namespace

Expected<TuningRecord> TuningRecord::fromJSON(const json::Value &value) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return createStringError(inconvertibleErrorCode(),
                             "expected a tuning record to be a JSON object");
  TuningRecord record;
  RecordReader reader(*object);
  reader.read("kernel", record.kernel);
  reader.read("bucket", record.bucket);
  reader.read("cpu", record.cpu);
  reader.read("target", record.target);
  reader.read("space", record.space);
  reader.read("schedule", record.schedule);
  reader.readTimes("tuned_us", record.tunedSeconds);
  reader.readTimes("default_us", record.defaultSeconds);
  reader.readInteger("threads", record.threads);
  reader.readInteger("candidates", record.candidates);
  reader.read("complete", record.complete);
  reader.read("measured", record.measured);
  if (Error error = reader.takeError())
    return std::move(error);
  if (record.tunedSeconds.size() != record.defaultSeconds.size())
    return createStringError(inconvertibleErrorCode(),
                             "expected as many tuned as default times");
  return record;
}

std::string getCurrentTimestamp() {
  std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc;
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

} // namespace kiln
