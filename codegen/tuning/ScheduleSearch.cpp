//===- ScheduleSearch.cpp - Candidate schedules of one kernel -------------===//
//
// The stages of the search as a small state machine driven by next().
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/ScheduleSearch.h"

#include "codegen/cpu/KernelGenerator.h"

using namespace llvm;

namespace kiln {

/// Draws that may fail (invalid or already tried) before a stage gives up.
static constexpr unsigned kMaxDraws = 200;

ScheduleSearch::ScheduleSearch(ScheduleSpace space, const Schedule &start,
                               uint64_t seed, unsigned numRandom)
    : space(std::move(space)), random(seed), numRandom(numRandom), base(start) {
  markTried(start);
  if (isAutoscheduled(base))
    base = this->space.getDefaultSchedule();
}

void ScheduleSearch::markTried(const Schedule &schedule) {
  tried.insert(schedule.toString());
}

bool ScheduleSearch::take(const Schedule &schedule) {
  if (tried.count(schedule.toString()))
    return false;
  if (Error error = space.verify(schedule)) {
    consumeError(std::move(error));
    return false;
  }
  markTried(schedule);
  return true;
}

std::optional<Schedule> ScheduleSearch::sample() {
  for (unsigned draw = 0; draw < kMaxDraws; ++draw) {
    Schedule schedule;
    for (const ScheduleParameter &parameter : space.getParameters()) {
      std::uniform_int_distribution<size_t> pick(
          0, parameter.candidates.size() - 1);
      schedule.set(parameter.name, parameter.candidates[pick(random)]);
    }
    schedule.set(kAutoschedulerParameter,
                 static_cast<int64_t>(Autoscheduler::None));
    if (take(schedule))
      return schedule;
  }
  return std::nullopt;
}

void ScheduleSearch::queueNeighbours() {
  neighbours.clear();
  for (const ScheduleParameter &parameter : space.getParameters()) {
    if (parameter.name == kAutoschedulerParameter)
      continue;
    const auto &candidates = parameter.candidates;
    auto position = llvm::find(candidates, base.get(parameter.name));
    size_t index = position - candidates.begin();
    for (size_t neighbour : {index - 1, index + 1}) {
      // index - 1 wraps around to a huge value for the first candidate.
      if (neighbour >= candidates.size())
        continue;
      Schedule schedule = base;
      schedule.set(parameter.name, candidates[neighbour]);
      neighbours.push_back(schedule);
    }
  }
}

std::optional<Schedule> ScheduleSearch::mutate() {
  ArrayRef<ScheduleParameter> parameters = space.getParameters();
  std::uniform_int_distribution<size_t> pickParameter(0, parameters.size() - 1);
  std::uniform_int_distribution<unsigned> pickCount(1, 3);
  for (unsigned draw = 0; draw < kMaxDraws; ++draw) {
    Schedule schedule = base;
    for (unsigned change = pickCount(random); change > 0; --change) {
      const ScheduleParameter &parameter = parameters[pickParameter(random)];
      if (parameter.name == kAutoschedulerParameter)
        continue;
      std::uniform_int_distribution<size_t> pickValue(
          0, parameter.candidates.size() - 1);
      schedule.set(parameter.name, parameter.candidates[pickValue(random)]);
    }
    if (take(schedule))
      return schedule;
  }
  return std::nullopt;
}

void ScheduleSearch::accept(const Schedule &schedule) {
  if (isAutoscheduled(schedule))
    return;
  base = schedule;
  // Coordinate descent moves to the winner and looks around it; a winner
  // of the random stage becomes the start of the descent.
  if (stage == SearchStage::Descent || stage == SearchStage::Mutation) {
    stage = SearchStage::Descent;
    queueNeighbours();
  }
}

std::optional<Schedule> ScheduleSearch::next() {
  for (;;) {
    switch (stage) {
    case SearchStage::Seeds:
      while (nextSeed <= static_cast<int64_t>(Autoscheduler::Li2018)) {
        Schedule seed = space.getDefaultSchedule();
        seed.set(kAutoschedulerParameter, nextSeed++);
        if (take(seed))
          return seed;
      }
      stage = SearchStage::Random;
      break;
    case SearchStage::Random:
      while (numSampled < numRandom) {
        ++numSampled;
        if (std::optional<Schedule> schedule = sample())
          return schedule;
      }
      stage = SearchStage::Descent;
      queueNeighbours();
      break;
    case SearchStage::Descent:
      while (!neighbours.empty()) {
        Schedule schedule = std::move(neighbours.front());
        neighbours.pop_front();
        if (take(schedule))
          return schedule;
      }
      stage = SearchStage::Mutation;
      break;
    case SearchStage::Mutation:
      if (std::optional<Schedule> schedule = mutate())
        return schedule;
      // Far from the best, uniform draws still find what is left of a
      // small space before the search gives up.
      if (std::optional<Schedule> schedule = sample())
        return schedule;
      stage = SearchStage::Exhausted;
      break;
    case SearchStage::Exhausted:
      return std::nullopt;
    }
  }
}

} // namespace kiln
