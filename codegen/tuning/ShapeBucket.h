//===- ShapeBucket.h - The run-time sizes a schedule is for -----*- C++ -*-===//
//
// A kernel serves every run-time size (batch, sequence length), but how fast
// a schedule is depends on them. A shape bucket names the sizes that a tuned
// schedule was measured at and chosen for: one batch size and one or more
// sequence lengths, the workloads of the bucket. The tuner measures every
// candidate at all of them and accepts only candidates that are faster in
// total and not slower at any one, because a compiled model has one
// schedule per kernel for all sizes.
//
// The text form, `batch=1;seq=128,512`, is part of a tuning record's
// identity.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_SHAPEBUCKET_H
#define KILN_CODEGEN_TUNING_SHAPEBUCKET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln {

/// One point of a bucket: the value of every run-time size.
struct ShapeWorkload {
  int64_t batch;
  /// The sequence length; the encoder's sequence length takes it too.
  int64_t seq;

  /// The value of the size symbol `name` (`batch`, `seq`, `encoder_seq`,
  /// see codegen/host/SymbolicShapes.h), or nothing for other names.
  std::optional<int64_t> getSize(llvm::StringRef name) const;

  /// The workload as `seq=128`, with `batch=N,` in front when N is not 1.
  std::string str() const;
};

/// The run-time sizes a tuned schedule is chosen for.
struct ShapeBucket {
  int64_t batch = 1;
  /// Increasing and distinct.
  llvm::SmallVector<int64_t> seqLens;

  /// The workloads, by increasing sequence length.
  llvm::SmallVector<ShapeWorkload> getWorkloads() const;

  /// The canonical text, `batch=1;seq=128,512`.
  std::string str() const;

  /// Parses the canonical text; sequence lengths may come in any order and
  /// are sorted. Fails with the expected form on anything else.
  static llvm::Expected<ShapeBucket> parse(llvm::StringRef text);

  bool operator==(const ShapeBucket &other) const {
    return batch == other.batch && seqLens == other.seqLens;
  }
};

/// The bucket that kiln-tune tunes for and kiln-compile looks records up
/// for unless told otherwise: batch 1 and sequence lengths 128 and 512,
/// each clamped to the module's `kiln.max_seq_len` (so a model of at most
/// 32 tokens gets `batch=1;seq=32`).
ShapeBucket getDefaultShapeBucket(mlir::ModuleOp module);

/// The workload that candidates are checked at against the fp64 reference:
/// the bucket's batch and a short, odd sequence length (37, or the
/// module's maximum if smaller), so that partial tiles are exercised while
/// the evaluator stays fast.
ShapeWorkload getCheckWorkload(mlir::ModuleOp module,
                               const ShapeBucket &bucket);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_SHAPEBUCKET_H
