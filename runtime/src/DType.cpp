//===- DType.cpp - Element types by their safetensors names ---------------===//
//
// One table gives each kiln_dtype its safetensors name and size; everything
// else about element types is looked up in it.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/DType.h"

#include <cstring>
#include <iterator>

using namespace kiln::runtime;

namespace {
/// The name and size of one element type.
struct DTypeInfo {
  kiln_dtype dtype;
  const char *name;
  size_t size;
};
} // namespace

/// Every element type, indexed by its kiln_dtype value. The sub-byte types
/// of safetensors (F4, F6_E2M3, F6_E3M2) are deliberately absent: their
/// tensors are not byte-addressable, and no Kiln model stores them.
static constexpr DTypeInfo dtypeTable[] = {
    {KILN_DTYPE_BOOL, "BOOL", 1},       {KILN_DTYPE_U8, "U8", 1},
    {KILN_DTYPE_I8, "I8", 1},           {KILN_DTYPE_F8_E5M2, "F8_E5M2", 1},
    {KILN_DTYPE_F8_E4M3, "F8_E4M3", 1}, {KILN_DTYPE_F8_E8M0, "F8_E8M0", 1},
    {KILN_DTYPE_U16, "U16", 2},         {KILN_DTYPE_I16, "I16", 2},
    {KILN_DTYPE_F16, "F16", 2},         {KILN_DTYPE_BF16, "BF16", 2},
    {KILN_DTYPE_U32, "U32", 4},         {KILN_DTYPE_I32, "I32", 4},
    {KILN_DTYPE_F32, "F32", 4},         {KILN_DTYPE_U64, "U64", 8},
    {KILN_DTYPE_I64, "I64", 8},         {KILN_DTYPE_F64, "F64", 8},
    {KILN_DTYPE_C64, "C64", 8},
};

static constexpr bool isTableIndexedByDType() {
  for (size_t i = 0; i < std::size(dtypeTable); ++i)
    if (static_cast<size_t>(dtypeTable[i].dtype) != i)
      return false;
  return true;
}
static_assert(isTableIndexedByDType(),
              "dtypeTable must list kiln_dtype values in order");

int64_t kiln::runtime::getDTypeValue(const kiln_dtype &dtype) {
  // C compilers give enums the type int; C++ ones an integer type that
  // holds the enumerators, which for these is no wider than int.
  static_assert(sizeof(kiln_dtype) == sizeof(int), "kiln_dtype must be int");
  int value;
  std::memcpy(&value, &dtype, sizeof(value));
  return value;
}

bool kiln::runtime::isValidDType(const kiln_dtype &dtype) {
  int64_t value = getDTypeValue(dtype);
  return value >= 0 && value < static_cast<int64_t>(std::size(dtypeTable));
}

bool kiln::runtime::isIntegerDType(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8:
  case KILN_DTYPE_I8:
  case KILN_DTYPE_U16:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_U32:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U64:
  case KILN_DTYPE_I64:
    return true;
  default:
    return false;
  }
}

std::optional<kiln_dtype> kiln::runtime::parseDTypeName(std::string_view name) {
  for (const DTypeInfo &info : dtypeTable)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

std::string kiln::runtime::listDTypeNames() {
  std::string names;
  for (const DTypeInfo &info : dtypeTable) {
    if (!names.empty())
      names += ", ";
    names += info.name;
  }
  return names;
}

const char *kiln_dtype_name(kiln_dtype dtype) {
  return isValidDType(dtype) ? dtypeTable[dtype].name : nullptr;
}

size_t kiln_dtype_size(kiln_dtype dtype) {
  return isValidDType(dtype) ? dtypeTable[dtype].size : 0;
}
