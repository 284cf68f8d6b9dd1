//===- ReferenceEvaluator.h - fp64 evaluator of kiln IR ---------*- C++ -*-===//
//
// The numerical oracle of Kiln: a plain C++ interpreter of kiln IR (every
// op, fused or not, plus `arith.constant` and `func.return`) that computes in
// double precision with the semantics the op descriptions in
// dialect/KilnOps.td state. Tests compare compiled kernels against it, and
// `kiln-compile --verify-numerics` evaluates the IR after every pass on the
// same seeded inputs to find the first pass that changes the results.
//
// It favours obviousness over speed: every op is a direct loop nest over
// ReferenceTensor, and every dynamic size is checked against what the op
// needs before it is used, so malformed inputs give a diagnostic, never
// undefined behaviour.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_REFERENCEEVALUATOR_H
#define KILN_REFERENCE_REFERENCEEVALUATOR_H

#include "reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <vector>

namespace kiln {

/// Evaluates `func` on `arguments` and returns the operands of its
/// `func.return`. The arguments must match the function type in number and
/// rank, and in every static dimension; a dynamic dimension takes the size of
/// the argument given for it. Integer-typed arguments must hold integers.
///
/// On a mismatched argument, an unsupported op or a run-time error of an op
/// (an out-of-range token id, operands whose dynamic sizes disagree) it emits
/// an error on the function or the op and fails.
mlir::FailureOr<std::vector<ReferenceTensor>>
evaluateFunction(mlir::func::FuncOp func,
                 llvm::ArrayRef<ReferenceTensor> arguments);

/// Makes deterministic pseudo-random arguments for `func` from `seed`. A
/// dynamic dimension at position `d` of any argument takes
/// `dynamicSizes[d]`, so for the frontend's [batch, seq] inputs
/// `dynamicSizes` is {batch, seq}. Values are chosen by what the function
/// does with each argument:
///
/// - integer arguments that index an embedding table (`input_ids`) get ids
///   drawn uniformly from [0, rows of the table);
/// - other integer arguments are attention masks: along the last dimension
///   each row holds ones followed by up to half its length of zeros
///   (right padding), so at least one position always stays;
/// - float arguments used as the gain (`gamma`) of a norm get 1 + N(0, 0.1^2);
/// - every other float argument (weights, biases, activations) gets
///   N(0, 0.02^2), the usual initialisation of Transformer weights.
///
/// The values depend only on `seed`, the function type and those uses: the
/// generator is std::mt19937_64, whose output the C++ standard fixes, with
/// hand-written uniform and Box-Muller transforms because the standard
/// library's distributions differ between implementations.
/// Fails with an error on the function when a dynamic dimension has no size
/// in `dynamicSizes` or an embedding table has a dynamic or zero number of
/// rows.
mlir::FailureOr<std::vector<ReferenceTensor>>
randomArguments(mlir::func::FuncOp func, uint64_t seed,
                llvm::ArrayRef<int64_t> dynamicSizes);

} // namespace kiln

#endif // KILN_REFERENCE_REFERENCEEVALUATOR_H
