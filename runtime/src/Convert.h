//===- Convert.h - Converting tensors between element types -----*- C++ -*-===//
//
// Checkpoints store weights in whatever precision they were saved in; the
// model computes in the precision its spec asks for. These conversions
// bridge the two: any type to itself, and the floating-point types F64,
// F32, F16 and BF16 to one another with IEEE round-to-nearest-even.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CONVERT_H
#define KILN_RUNTIME_SRC_CONVERT_H

#include "kiln/dtype.h"

#include <cstddef>
#include <cstdint>

namespace kiln::runtime {

/// Whether convertElements turns `from` elements into `to` elements.
bool canConvert(kiln_dtype from, kiln_dtype to);

/// Converts `count` little-endian elements at `source` from `from` to `to`
/// at `destination`; neither needs to be aligned, and they must not
/// overlap. Copies bit for bit when the types are equal. Narrowing rounds
/// to nearest, ties to even, as a single rounding from the exact source
/// value (F64 to F16 does not round twice through F32); magnitudes beyond
/// the target's range become infinities and NaNs stay NaNs with their sign.
/// Requires canConvert(from, to).
void convertElements(const uint8_t *source, kiln_dtype from,
                     uint8_t *destination, kiln_dtype to, size_t count);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_CONVERT_H
