//===- TuningDatabase.cpp - Tuned schedules on disk -----------------------===//
//
// Reading, merging and atomically writing JSON-lines databases.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/TuningDatabase.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <tuple>

using namespace llvm;

namespace kiln {

Expected<TuningDatabase>
TuningDatabase::load(StringRef path, std::vector<std::string> &warnings) {
  TuningDatabase database;
  if (!sys::fs::exists(path))
    return database;
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(),
                             "cannot read tuning database '" + path +
                                 "': " + file.getError().message());
  SmallVector<StringRef> lines;
  (*file)->getBuffer().split(lines, '\n');
  for (auto [index, line] : llvm::enumerate(lines)) {
    if (line.trim().empty())
      continue;
    auto warn = [&, index = index](const std::string &message) {
      warnings.push_back((path + ":" + Twine(index + 1) + ": " + message +
                          "; the line is ignored")
                             .str());
    };
    Expected<json::Value> value = json::parse(line);
    if (!value) {
      warn(toString(value.takeError()));
      continue;
    }
    Expected<TuningRecord> record = TuningRecord::fromJSON(*value);
    if (!record) {
      warn(toString(record.takeError()));
      continue;
    }
    database.merge(std::move(*record));
  }
  return database;
}

Error TuningDatabase::save(StringRef path) const {
  StringRef directory = sys::path::parent_path(path);
  if (!directory.empty())
    if (std::error_code error = sys::fs::create_directories(directory))
      return createStringError(error, "cannot create directory '" + directory +
                                          "': " + error.message());
  SmallString<128> temporaryPath;
  int fd;
  if (std::error_code error =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temporaryPath))
    return createStringError(error, "cannot write tuning database '" + path +
                                        "': " + error.message());
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    for (const TuningRecord &record : records)
      os << record.toJSON() << "\n";
    os.close();
    if (os.has_error()) {
      sys::fs::remove(temporaryPath);
      return createStringError(os.error(), "cannot write tuning database '" +
                                               path +
                                               "': " + os.error().message());
    }
  }
  if (std::error_code error = sys::fs::rename(temporaryPath, path)) {
    sys::fs::remove(temporaryPath);
    return createStringError(error, "cannot write tuning database '" + path +
                                        "': " + error.message());
  }
  return Error::success();
}

TuningRecord *TuningDatabase::findSameKey(const TuningRecord &record) {
  for (TuningRecord &existing : records)
    if (existing.isSameKey(record))
      return &existing;
  return nullptr;
}

/// Whether `candidate` is preferred over `existing` (see the file comment
/// of TuningDatabase.h).
static bool isPreferred(const TuningRecord &candidate,
                        const TuningRecord &existing) {
  return std::make_tuple(candidate.complete, candidate.getSpeedup(),
                         candidate.measured) >
         std::make_tuple(existing.complete, existing.getSpeedup(),
                         existing.measured);
}

bool TuningDatabase::merge(TuningRecord record) {
  TuningRecord *existing = findSameKey(record);
  if (!existing) {
    records.push_back(std::move(record));
    return true;
  }
  if (!isPreferred(record, *existing))
    return false;
  *existing = std::move(record);
  return true;
}

unsigned TuningDatabase::merge(const TuningDatabase &other) {
  unsigned kept = 0;
  for (const TuningRecord &record : other.records)
    kept += merge(record);
  return kept;
}

void TuningDatabase::replace(TuningRecord record) {
  if (TuningRecord *existing = findSameKey(record))
    *existing = std::move(record);
  else
    records.push_back(std::move(record));
}

std::vector<const TuningRecord *>
TuningDatabase::getKernelRecords(StringRef kernel) const {
  std::vector<const TuningRecord *> found;
  for (const TuningRecord &record : records)
    if (record.kernel == kernel)
      found.push_back(&record);
  return found;
}

std::string getDefaultTuningDatabasePath() {
  SmallString<128> path;
  if (!sys::path::cache_directory(path))
    return "";
  sys::path::append(path, "kiln", "tuning.jsonl");
  return std::string(path);
}

} // namespace kiln
