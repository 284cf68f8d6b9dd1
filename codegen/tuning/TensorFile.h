//===- TensorFile.h - Reference tensors in a file ---------------*- C++ -*-===//
//
// The reference results of a kernel's check workload take the fp64
// evaluator seconds to compute for large kernels (a language-model head),
// and are the same for every candidate, so the first worker writes them to
// a file that the following workers read. The format is private to the
// tuner: a magic line, then per tensor its rank, sizes and elements, as
// native-endian 64-bit values.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TENSORFILE_H
#define KILN_CODEGEN_TUNING_TENSORFILE_H

#include "reference/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace kiln {

/// Writes `tensors` to `path` through a temporary file renamed over it, so
/// that a concurrent reader sees the whole file or none.
llvm::Error writeTensorFile(llvm::StringRef path,
                            llvm::ArrayRef<ReferenceTensor> tensors);

/// Reads the tensors that writeTensorFile wrote to `path`.
llvm::Expected<std::vector<ReferenceTensor>>
readTensorFile(llvm::StringRef path);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TENSORFILE_H
