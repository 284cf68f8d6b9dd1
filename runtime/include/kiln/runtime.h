//===- kiln/runtime.h - The C API of the Kiln runtime -------------*- C -*-===//
//
// The one header that programs using a Kiln-compiled model include. The
// runtime is plain C++ behind this C ABI and depends on neither MLIR nor
// LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include "kiln/dtype.h"
#include "kiln/status.h"
#include "kiln/weights.h"

#endif // KILN_RUNTIME_H
