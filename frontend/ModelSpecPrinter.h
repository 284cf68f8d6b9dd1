//===- ModelSpecPrinter.h - Print a ModelSpec as a Kiln spec ----*- C++ -*-===//
//
// Writes a ModelSpec back out as a Kiln YAML spec with every field spelled
// out: no family, the family's defaults and derived values made explicit and
// the checkpoint name of every weight the model reads. `kiln-compile
// --emit=spec` prints it so that one can see what a short spec or a
// `config.json` expands to; parsing the output gives the same model again.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_MODELSPECPRINTER_H
#define KILN_FRONTEND_MODELSPECPRINTER_H

#include "frontend/ModelSpec.h"

#include "llvm/Support/raw_ostream.h"

namespace kiln {

/// Prints `spec` to `os` as a complete Kiln YAML spec.
void printModelSpec(const ModelSpec &spec, llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_FRONTEND_MODELSPECPRINTER_H
