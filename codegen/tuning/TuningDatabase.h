//===- TuningDatabase.h - Tuned schedules on disk ---------------*- C++ -*-===//
//
// A tuning database is a text file of JSON lines, one TuningRecord per
// line, that people can read, diff and merge. It holds records of every
// machine and space version it has seen: using one is the business of
// lookupTuningRecord, which says why each record it passes over does not
// apply, so that nothing is skipped silently.
//
// At most one record per identity (TuningRecord::isSameKey) is kept. When
// two meet, in a merge or on insertion, the one preferred is the complete
// one over one whose search was interrupted, then the one with the larger
// speedup over the default (both times of a record are measured side by
// side, so speedups compare across runs where times may not), then the more
// recent one.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TUNINGDATABASE_H
#define KILN_CODEGEN_TUNING_TUNINGDATABASE_H

#include "codegen/tuning/TuningRecord.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln {

/// The records of a tuning database, in the order they were first added.
class TuningDatabase {
public:
  /// Reads the database at `path`; a file that does not exist is an empty
  /// database. Lines that are not records are dropped, each with a warning
  /// `path:line: ...` appended to `warnings`. Fails when the file exists
  /// but cannot be read.
  static llvm::Expected<TuningDatabase>
  load(llvm::StringRef path, std::vector<std::string> &warnings);

  /// Writes the database to `path`, creating its directory, through a
  /// temporary file renamed over it, so that an interrupted write never
  /// leaves half a database.
  llvm::Error save(llvm::StringRef path) const;

  /// Adds `record`, unless a record with its identity is preferred (see the
  /// file comment); returns whether `record` was kept.
  bool merge(TuningRecord record);

  /// Merges every record of `other`; returns how many were kept.
  unsigned merge(const TuningDatabase &other);

  /// Adds `record`, replacing any record with its identity: a new
  /// measurement on this machine supersedes the old one.
  void replace(TuningRecord record);

  /// The records.
  llvm::ArrayRef<TuningRecord> getRecords() const { return records; }

  /// The records of kernel signature `kernel`, of any identity.
  std::vector<const TuningRecord *>
  getKernelRecords(llvm::StringRef kernel) const;

private:
  /// The record with the identity of `record`, or null.
  TuningRecord *findSameKey(const TuningRecord &record);

  std::vector<TuningRecord> records;
};

/// The database used when none is named: `$XDG_CACHE_HOME/kiln/tuning.jsonl`,
/// else `~/.cache/kiln/tuning.jsonl`; empty when neither directory is
/// known.
std::string getDefaultTuningDatabasePath();

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TUNINGDATABASE_H
