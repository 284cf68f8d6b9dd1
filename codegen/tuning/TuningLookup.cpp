//===- TuningLookup.cpp - Which record applies to a kernel ----------------===//
//
// Compares each record of the kernel with the query, field by field, and
// names the first field that differs.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/TuningLookup.h"

using namespace llvm;

namespace kiln {

/// Why `record` (of the query's kernel) does not apply, or nothing if it
/// does.
static std::optional<std::string> whyNotUsable(const TuningRecord &record,
                                               const TuningQuery &query) {
  if (record.cpu != query.machine.cpu)
    return "measured on CPU '" + record.cpu + "', this is '" +
           query.machine.cpu + "'";
  if (record.target != query.machine.target)
    return "compiled for target '" + record.target + "', this build is for '" +
           query.machine.target + "'";
  if (record.space != query.spaceVersion)
    return "tuned in schedule space version " + record.space +
           ", the kernel's space is now version " + query.spaceVersion;
  if (record.bucket != query.bucket)
    return "tuned for sizes '" + record.bucket + "', this build is for '" +
           query.bucket + "'";
  if (Error error = query.space->verify(record.schedule))
    return "its schedule is outside the kernel's space: " +
           toString(std::move(error));
  return std::nullopt;
}

TuningMatch lookupTuningRecord(const TuningDatabase &database,
                               const TuningQuery &query) {
  TuningMatch match;
  for (const TuningRecord *record : database.getKernelRecords(query.kernel)) {
    std::optional<std::string> reason = whyNotUsable(*record, query);
    if (reason)
      match.skipped.push_back(std::move(*reason));
    else
      match.record = record;
  }
  return match;
}

} // namespace kiln
