//===- ScheduleSpaceVersion.cpp - Versions of schedule spaces -------------===//
//
// Hashes a canonical text of the space. Constraints are functions, so their
// descriptions stand for them: a changed condition must come with a changed
// description.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/ScheduleSpaceVersion.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MD5.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace kiln {

std::string getScheduleSpaceVersion(const ScheduleSpace &space) {
  std::string text;
  raw_string_ostream os(text);
  for (const ScheduleParameter &parameter : space.getParameters()) {
    os << "parameter " << parameter.name << " [";
    interleaveComma(parameter.candidates, os);
    os << "] default " << parameter.defaultValue << "\n";
  }
  for (const ScheduleConstraint &constraint : space.getConstraints())
    os << "constraint " << constraint.description << "\n";
  MD5::MD5Result hash = MD5::hash(arrayRefFromStringRef(text));
  return hash.digest().str().substr(0, 16).str();
}

} // namespace kiln
