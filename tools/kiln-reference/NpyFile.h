//===- NpyFile.h - Read and write NumPy .npy arrays -------------*- C++ -*-===//
//
// The exchange format of kiln-reference and compiled models' outputs:
// NumPy's .npy (version 1.0, little-endian, C order), so that results can
// also be inspected with numpy.load.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNREFERENCE_NPYFILE_H
#define KILN_TOOLS_KILNREFERENCE_NPYFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace kiln {

/// An array read from a .npy file, converted to double.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

/// Writes `values` with `shape` to `path` as float64.
llvm::Error writeNpy(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<double> values);

/// Reads a float32 or float64 .npy file.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

} // namespace kiln

#endif // KILN_TOOLS_KILNREFERENCE_NPYFILE_H
