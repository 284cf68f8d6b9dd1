//===- KilnDialect.cpp - The kiln dialect ---------------------------------===//
//
// Registers the ops of the `kiln` dialect.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnDialect.h"
#include "dialect/KilnOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln;

#include "dialect/KilnDialect.cpp.inc"

#include "dialect/KilnEnums.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/KilnOps.cpp.inc"
      >();
}
