//===- Comparison.h - Whether a result matches the reference ----*- C++ -*-===//
//
// The closeness rule that kernel tests and kiln-tune apply to a kernel's
// result against the reference evaluator's.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_COMPARISON_H
#define KILN_REFERENCE_COMPARISON_H

#include "reference/Tensor.h"

#include <optional>
#include <string>

namespace kiln {

/// Why `actual` is not within `tolerance * max(1, max |expected|)` of
/// `expected` element by element (non-finite elements must match exactly),
/// or nothing when it is.
std::optional<std::string> describeMismatch(const ReferenceTensor &actual,
                                            const ReferenceTensor &expected,
                                            double tolerance);

} // namespace kiln

#endif // KILN_REFERENCE_COMPARISON_H
