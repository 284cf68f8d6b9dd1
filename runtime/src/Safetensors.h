//===- Safetensors.h - Validated safetensors files --------------*- C++ -*-===//
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of
// JSON describing each tensor's dtype, shape and byte range, then the data
// region those ranges index. parseSafetensors checks all of it against the
// bytes actually present, so that afterwards every tensor can be read
// without further bounds checks. See kiln/weights.h for the rules.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_SAFETENSORS_H
#define KILN_RUNTIME_SRC_SAFETENSORS_H

#include "kiln/dtype.h"
#include "runtime/src/MappedFile.h"
#include "runtime/src/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::runtime {

/// The largest header accepted, as in the reference implementation: a
/// length above it is a corrupt or hostile file, not a big model.
constexpr uint64_t maxSafetensorsHeaderBytes = 100'000'000;

/// One tensor of a safetensors file, validated.
struct TensorEntry {
  std::string name;
  kiln_dtype dtype;
  std::vector<int64_t> shape;
  /// The tensor's bytes are [begin, end) of the data region.
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// The validated layout of one safetensors file.
struct SafetensorsLayout {
  /// The tensors, ordered by their position in the data region.
  std::vector<TensorEntry> tensors;
  /// Where the data region starts in the file (8 + header length).
  uint64_t dataStart = 0;
};

/// Parses and validates `bytes`, the contents of the safetensors file
/// `path` (which only names the file in messages), into `layout`.
Status parseSafetensors(std::string_view bytes, const std::string &path,
                        SafetensorsLayout &layout);

/// A safetensors file, mapped and validated.
struct SafetensorsFile {
  std::string path;
  MappedFile mapping;
  SafetensorsLayout layout;

  /// Maps and validates the file at `path` into `file`.
  static Status open(const std::string &path, SafetensorsFile &file);

  /// The first of the bytes of `tensor`, one of layout.tensors.
  const uint8_t *getData(const TensorEntry &tensor) const {
    return mapping.data() + layout.dataStart + tensor.begin;
  }
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_SAFETENSORS_H
