//===- Schedule.cpp - Kernel schedules as data ----------------------------===//
//
// Schedules and their JSON form, and the checks a schedule space applies
// before a generator reads a schedule (so generators may assume that every
// parameter is present and valid).
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedule.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>

using namespace llvm;

namespace kiln {

//===----------------------------------------------------------------------===//
// Schedule
//===----------------------------------------------------------------------===//

void Schedule::set(StringRef name, int64_t value) {
  parameters[name.str()] = value;
}

int64_t Schedule::get(StringRef name) const {
  auto it = parameters.find(name.str());
  assert(it != parameters.end() && "schedule parameter is not set");
  return it->second;
}

bool Schedule::contains(StringRef name) const {
  return parameters.count(name.str()) != 0;
}

json::Value Schedule::toJSON() const {
  json::Object object;
  for (const auto &[name, value] : parameters)
    object[name] = value;
  return json::Value(std::move(object));
}

std::string Schedule::toString() const {
  std::string text;
  raw_string_ostream(text) << toJSON();
  return text;
}

Expected<Schedule> Schedule::fromJSON(const json::Value &value) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return createStringError(inconvertibleErrorCode(),
                             "expected a schedule to be a JSON object");
  Schedule schedule;
  for (const auto &[name, member] : *object) {
    std::optional<int64_t> number = member.getAsInteger();
    if (!number)
      return createStringError(inconvertibleErrorCode(),
                               "expected schedule parameter '" + name.str() +
                                   "' to be an integer");
    schedule.set(name, *number);
  }
  return schedule;
}

Expected<Schedule> Schedule::parse(StringRef text) {
  Expected<json::Value> value = json::parse(text);
  if (!value)
    return value.takeError();
  return fromJSON(*value);
}

//===----------------------------------------------------------------------===//
// ScheduleSpace
//===----------------------------------------------------------------------===//

void ScheduleSpace::addParameter(StringRef name, StringRef description,
                                 ArrayRef<int64_t> candidates,
                                 int64_t defaultValue) {
  assert(is_contained(candidates, defaultValue) &&
         "default value is not a candidate");
  parameters.push_back({name.str(), description.str(),
                        SmallVector<int64_t>(candidates), defaultValue});
}

void ScheduleSpace::addConstraint(
    StringRef description, std::function<bool(const Schedule &)> isSatisfied) {
  constraints.push_back({description.str(), std::move(isSatisfied)});
}

Schedule ScheduleSpace::getDefaultSchedule() const {
  Schedule schedule;
  for (const ScheduleParameter &parameter : parameters)
    schedule.set(parameter.name, parameter.defaultValue);
  return schedule;
}

Error ScheduleSpace::verify(const Schedule &schedule) const {
  for (const auto &[name, value] : schedule.getParameters())
    if (none_of(parameters, [&, &name = name](const ScheduleParameter &p) {
          return p.name == name;
        }))
      return createStringError(inconvertibleErrorCode(),
                               "unknown schedule parameter '" + name + "'");
  for (const ScheduleParameter &parameter : parameters) {
    if (!schedule.contains(parameter.name))
      return createStringError(inconvertibleErrorCode(),
                               "missing schedule parameter '" + parameter.name +
                                   "'");
    int64_t value = schedule.get(parameter.name);
    if (!is_contained(parameter.candidates, value)) {
      std::string message;
      raw_string_ostream os(message);
      os << "expected schedule parameter '" << parameter.name
         << "' to be one of [";
      interleaveComma(parameter.candidates, os);
      os << "], got " << value;
      return createStringError(inconvertibleErrorCode(), message);
    }
  }
  for (const ScheduleConstraint &constraint : constraints)
    if (!constraint.isSatisfied(schedule))
      return createStringError(
          inconvertibleErrorCode(),
          "schedule " + schedule.toString() +
              " violates the constraint: " + constraint.description);
  return Error::success();
}

} // namespace kiln
