//===- RecordListing.cpp - kiln-tune --show -------------------------------===//

#include "RecordListing.h"

#include "llvm/Support/Format.h"

namespace kiln {

/// Microseconds per workload, e.g. `12.3+45.6 us`.
static void printTimes(llvm::raw_ostream &os,
                       const std::vector<double> &seconds) {
  llvm::interleave(
      seconds, os,
      [&](double value) { os << llvm::format("%.1f", value * 1e6); }, "+");
  os << " us";
}

void printRecords(const TuningDatabase &database, llvm::StringRef path,
                  llvm::raw_ostream &os) {
  llvm::ArrayRef<TuningRecord> records = database.getRecords();
  os << records.size() << (records.size() == 1 ? " record" : " records")
     << " in '" << path << "'\n";
  for (const TuningRecord &record : records) {
    os << record.kernel << "\n"
       << "  sizes " << record.bucket << ", space " << record.space << ", "
       << record.threads << " threads, measured " << record.measured
       << (record.complete ? "" : ", search interrupted") << "\n"
       << "  cpu " << record.cpu << "\n"
       << "  target " << record.target << "\n"
       << "  schedule " << record.schedule.toString() << "\n"
       << "  " << llvm::format("%.2fx", record.getSpeedup()) << ": default ";
    printTimes(os, record.defaultSeconds);
    os << ", tuned ";
    printTimes(os, record.tunedSeconds);
    os << ", " << record.candidates << " candidates\n";
  }
}

} // namespace kiln
