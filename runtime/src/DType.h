//===- DType.h - Element types by their safetensors names -------*- C++ -*-===//
//
// Maps the dtype strings of safetensors headers to kiln_dtype and tells
// which kiln_dtype values are valid, for checking both files and callers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_DTYPE_H
#define KILN_RUNTIME_SRC_DTYPE_H

#include "kiln/dtype.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::runtime {

/// The element type a safetensors header calls `name` ("F32"), if the
/// runtime supports it.
std::optional<kiln_dtype> parseDTypeName(std::string_view name);

/// The integer a caller passed as `dtype`. A C caller may pass any int,
/// which need not be a value of the C++ enum, so the object's bytes are read
/// rather than the enum (hence the reference: passing by value would
/// already read it as the enum).
int64_t getDTypeValue(const kiln_dtype &dtype);

/// Whether `dtype`, possibly any integer from a C caller, is one of the
/// kiln_dtype values.
bool isValidDType(const kiln_dtype &dtype);

/// Whether `dtype` is one of the signed or unsigned integer types (not
/// BOOL).
bool isIntegerDType(kiln_dtype dtype);

/// The supported names, comma-separated, for error messages.
std::string listDTypeNames();

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_DTYPE_H
