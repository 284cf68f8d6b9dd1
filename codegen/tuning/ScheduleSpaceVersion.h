//===- ScheduleSpaceVersion.h - Versions of schedule spaces -----*- C++ -*-===//
//
// A tuned schedule is a point of its kernel's schedule space as the space
// was when it was measured. When a generator's space changes (a parameter
// added, a candidate dropped, another default, a new constraint) a stored
// schedule may no longer be valid, or no longer the best, so records carry
// the version of the space they were tuned in and are used only while it
// is the current one. The version is derived from the space itself, so no
// one has to remember to bump it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_SCHEDULESPACEVERSION_H
#define KILN_CODEGEN_TUNING_SCHEDULESPACEVERSION_H

#include "codegen/Schedule.h"

#include <string>

namespace kiln {

/// The version of `space`: 16 hexadecimal digits of the MD5 hash of the
/// names, candidates and defaults of its parameters and the descriptions of
/// its constraints, all in order.
std::string getScheduleSpaceVersion(const ScheduleSpace &space);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_SCHEDULESPACEVERSION_H
