//===- OpEvaluators.h - Per-op evaluation of the reference ------*- C++ -*-===//
//
// Internal interface between the reference evaluator's walker
// (ReferenceEvaluator.cpp), its argument generator (RandomArguments.cpp) and
// the files that evaluate each group of ops. Every op has an `evaluateOp`
// overload that reads the tensors of its operands, checks their run-time
// sizes, and binds the tensors of its results; the walker dispatches to them
// by op type.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_OPEVALUATORS_H
#define KILN_REFERENCE_OPEVALUATORS_H

#include "reference/Tensor.h"

#include "dialect/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"

#include <memory>
#include <optional>
#include <string>

namespace kiln {

/// The tensors computed so far for the SSA values of a function.
class ValueTensors {
public:
  /// The tensor of `value`, which must have been bound already.
  const ReferenceTensor &lookup(mlir::Value value) const;

  /// The tensor of an optional operand, or null when `value` is absent.
  const ReferenceTensor *lookupOptional(mlir::Value value) const;

  /// Makes `tensor` the value of `value`.
  void bind(mlir::Value value, ReferenceTensor tensor);

private:
  /// Boxed so that references returned by `lookup` stay valid while an op
  /// binds its results.
  llvm::DenseMap<mlir::Value, std::unique_ptr<ReferenceTensor>> tensors;
};

//===----------------------------------------------------------------------===//
// Helpers shared by the op evaluators
//===----------------------------------------------------------------------===//

/// Names argument `index` of `func` in diagnostics: its position and the
/// input or weight name the frontend gave it (`argument 1 (attention_mask)`).
std::string describeArgument(mlir::func::FuncOp func, unsigned index);

/// Emits "expected <what> to be <expected>, got <actual>" on `op` when two
/// run-time sizes differ.
mlir::LogicalResult checkSize(mlir::Operation *op, const llvm::Twine &what,
                              int64_t actual, int64_t expected);

/// Emits "expected <what> shape <expected>, got <actual>" on `op` when two
/// run-time shapes differ.
mlir::LogicalResult checkShape(mlir::Operation *op, const llvm::Twine &what,
                               llvm::ArrayRef<int64_t> actual,
                               llvm::ArrayRef<int64_t> expected);

/// Applies `function` to every element of `input`.
ReferenceTensor mapElements(const ReferenceTensor &input,
                            llvm::function_ref<double(double)> function);

/// The activation function `kind` at `x` (see the ActivationKind enum).
double applyActivation(kiln::ActivationKind kind, double x);

/// Replaces `row` by its softmax; a row whose elements are all -inf (every
/// key masked) becomes zeros.
void applySoftmax(llvm::MutableArrayRef<double> row);

/// Whether the causal mask, limited to the `window` most recent keys when
/// given, hides `key` from `query`. With more keys than queries the queries
/// are the most recent positions, so query `i` sits at position
/// `i + keys - queries`.
bool isMaskedByPosition(int64_t query, int64_t key, int64_t queries,
                        int64_t keys, std::optional<int64_t> window);

//===----------------------------------------------------------------------===//
// Op evaluators
//
// Each evaluates `op` on the tensors bound to its operands in `values` and
// binds its results there, or emits an error on `op` and fails.
//===----------------------------------------------------------------------===//

/// Dense tensor constants (Constants.cpp).
mlir::LogicalResult evaluateOp(mlir::arith::ConstantOp op,
                               ValueTensors &values);

/// Token embeddings and positional encodings (Positions.cpp).
mlir::LogicalResult evaluateOp(kiln::EmbeddingOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::LearnedPositionsOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::SinusoidalPositionsOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::RopeOp op, ValueTensors &values);

/// Linear layers and matrix products (LinearAlgebra.cpp).
mlir::LogicalResult evaluateOp(kiln::LinearOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::MatmulOp op, ValueTensors &values);

/// Elementwise arithmetic, activations and casts (Elementwise.cpp).
mlir::LogicalResult evaluateOp(kiln::AddOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::SubOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::MulOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::DivOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::ScaleOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::ActivationOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::CastOp op, ValueTensors &values);

/// Layer and RMS normalisation, alone or after a residual add (Norms.cpp).
mlir::LogicalResult evaluateOp(kiln::LayerNormOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::RmsNormOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::AddLayerNormOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::AddRmsNormOp op,
                               ValueTensors &values);

/// Softmax, attention masks and fused attention (Attention.cpp).
mlir::LogicalResult evaluateOp(kiln::SoftmaxOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::CausalMaskOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::SlidingWindowMaskOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::PaddingMaskOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::AttentionOp op,
                               ValueTensors &values);

/// Head splits, transposes, reshapes and slices (Layout.cpp).
mlir::LogicalResult evaluateOp(kiln::SplitHeadsOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::MergeHeadsOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::RepeatKvOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::TransposeOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::ReshapeOp op, ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::SliceOp op, ValueTensors &values);

/// Sentence-embedding outputs (Pooling.cpp).
mlir::LogicalResult evaluateOp(kiln::MeanPoolOp op,
                               ValueTensors &values);
mlir::LogicalResult evaluateOp(kiln::L2NormalizeOp op,
                               ValueTensors &values);

} // namespace kiln

#endif // KILN_REFERENCE_OPEVALUATORS_H
