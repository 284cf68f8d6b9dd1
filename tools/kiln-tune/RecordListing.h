//===- RecordListing.h - kiln-tune --show -----------------------*- C++ -*-===//
//
// Lists the records of a tuning database for people: per record the
// kernel, the sizes, machine and space version it belongs to, its schedule
// and its times against the default.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNTUNE_RECORDLISTING_H
#define KILN_TOOLS_KILNTUNE_RECORDLISTING_H

#include "codegen/tuning/TuningDatabase.h"

#include "llvm/Support/raw_ostream.h"

namespace kiln {

/// Prints the records of `database`, read from `path`, to `os`.
void printRecords(const TuningDatabase &database, llvm::StringRef path,
                  llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_TOOLS_KILNTUNE_RECORDLISTING_H
