//===- kiln/dtype.h - Element types of runtime tensors ------------*- C -*-===//
//
// The element types the runtime can hold: every type of the safetensors
// format whose elements are whole bytes, named as that format names them.
// Values are stored little-endian.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DTYPE_H
#define KILN_DTYPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An element type.
typedef enum kiln_dtype {
  KILN_DTYPE_BOOL = 0,
  KILN_DTYPE_U8 = 1,
  KILN_DTYPE_I8 = 2,
  KILN_DTYPE_F8_E5M2 = 3,
  KILN_DTYPE_F8_E4M3 = 4,
  KILN_DTYPE_F8_E8M0 = 5,
  KILN_DTYPE_U16 = 6,
  KILN_DTYPE_I16 = 7,
  KILN_DTYPE_F16 = 8,
  KILN_DTYPE_BF16 = 9,
  KILN_DTYPE_U32 = 10,
  KILN_DTYPE_I32 = 11,
  KILN_DTYPE_F32 = 12,
  KILN_DTYPE_U64 = 13,
  KILN_DTYPE_I64 = 14,
  KILN_DTYPE_F64 = 15,
  /// A complex number: two F32, real part first.
  KILN_DTYPE_C64 = 16,
} kiln_dtype;

/// The safetensors name of `dtype` ("F32", "BF16", ...), or NULL when
/// `dtype` is not a kiln_dtype value.
const char *kiln_dtype_name(kiln_dtype dtype);

/// Bytes per element of `dtype`, or 0 when `dtype` is not a kiln_dtype
/// value.
size_t kiln_dtype_size(kiln_dtype dtype);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // KILN_DTYPE_H
