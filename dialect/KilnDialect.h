//===- KilnDialect.h - The kiln dialect -------------------------*- C++ -*-===//
//
// Declares the `kiln` dialect and the enums its ops use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNDIALECT_H
#define KILN_DIALECT_KILNDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "dialect/KilnDialect.h.inc"

#include "dialect/KilnEnums.h.inc"

#endif // KILN_DIALECT_KILNDIALECT_H
