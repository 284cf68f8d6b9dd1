//===- ScheduleSearch.h - Candidate schedules of one kernel -----*- C++ -*-===//
//
// Proposes the schedules that the tuner measures for one kernel, one at a
// time and never the same twice:
//
//  1. seeds: each of Halide's autoschedulers (the `autoscheduler`
//     parameter, other parameters at their defaults);
//  2. random sampling: a few valid schedules drawn uniformly;
//  3. coordinate descent from the best generator schedule found so far:
//     every parameter moved to a neighbouring candidate value, one at a
//     time; when a move wins, the search moves there and starts over;
//  4. mutation: once no neighbour wins, schedules that change one to three
//     parameters of the best at random (or, when those run dry, any random
//     schedule), until the budget runs out or no untried valid schedule
//     turns up.
//
// The search knows nothing of timing: the tuner measures each proposal
// against the incumbent and reports the ones that beat it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_SCHEDULESEARCH_H
#define KILN_CODEGEN_TUNING_SCHEDULESEARCH_H

#include "codegen/Schedule.h"

#include <deque>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace kiln {

/// The stages of a search, in order.
enum class SearchStage { Seeds, Random, Descent, Mutation, Exhausted };

/// The candidate schedules of one kernel's space.
class ScheduleSearch {
public:
  /// A search of `space` (which has the `autoscheduler` parameter) around
  /// `start`, a valid schedule of it that counts as tried, drawing random
  /// numbers from `seed`; `numRandom` schedules are sampled in stage 2.
  ScheduleSearch(ScheduleSpace space, const Schedule &start, uint64_t seed,
                 unsigned numRandom = 4);

  /// The next schedule to measure, valid in the space and not tried yet, or
  /// nothing once none can be found.
  std::optional<Schedule> next();

  /// Reports that `schedule` beat the incumbent, and is now the incumbent.
  void accept(const Schedule &schedule);

  /// Counts `schedule` as tried, e.g. the incumbent of a resumed search.
  void markTried(const Schedule &schedule);

  /// The stage the last proposal came from.
  SearchStage getStage() const { return stage; }

private:
  /// Takes `schedule` if it is valid and untried.
  bool take(const Schedule &schedule);

  /// A random valid schedule of the generator, or nothing after many
  /// invalid or tried draws.
  std::optional<Schedule> sample();

  /// Queues the untried valid neighbours of `base`.
  void queueNeighbours();

  /// A random change of one to three parameters of `base`, or nothing
  /// after many invalid or tried draws.
  std::optional<Schedule> mutate();

  ScheduleSpace space;
  std::mt19937_64 random;
  unsigned numRandom;
  SearchStage stage = SearchStage::Seeds;
  /// The autoscheduler seeds proposed and the random samples drawn so far.
  int64_t nextSeed = 1;
  unsigned numSampled = 0;
  /// The best generator schedule (autoscheduler 0) so far.
  Schedule base;
  /// The neighbours of `base` not proposed yet.
  std::deque<Schedule> neighbours;
  /// The compact JSON of every schedule tried.
  std::set<std::string> tried;
};

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_SCHEDULESEARCH_H
