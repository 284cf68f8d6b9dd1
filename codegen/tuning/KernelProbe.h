//===- KernelProbe.h - The kernels of a model, ready to measure -*- C++ -*-===//
//
// The tuner measures each distinct kernel of a model on its own, in a
// worker process that never sees the model. A kernel travels as a probe: a
// module whose function `@probe` holds a clone of the first op that uses
// the kernel, with one argument per operand (keeping the argument
// attributes of model weights, which the signature depends on), plus the
// concrete operand and result shapes of each workload, derived from the
// model's symbolic shapes with the run-time sizes of the workload.
//
// In the worker, a probe is specialised to one workload: a function with
// static shapes, on which the reference evaluator and the random argument
// generator run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_KERNELPROBE_H
#define KILN_CODEGEN_TUNING_KERNELPROBE_H

#include "codegen/cpu/KernelSignature.h"
#include "codegen/tuning/Measurement.h"
#include "codegen/tuning/ShapeBucket.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace kiln {

/// One distinct kernel of a model.
struct TuningKernel {
  /// The kernel's symbol in compiled models, `kiln_k<N>_<op kind>`.
  std::string name;
  KernelSignature signature;
  /// `signature.key()`.
  std::string key;
  /// How many ops of the forward function call the kernel.
  unsigned calls = 0;
  /// The probe module as MLIR text.
  std::string probe;
  /// The shapes at each workload of the bucket, in the bucket's order.
  std::vector<KernelWorkload> workloads;
  /// The shapes at the workload checked against the reference.
  KernelWorkload check;
};

/// The kernels of `forward` (after the graph pipeline), numbered as the
/// kernel compiler numbers them, with the shapes of each workload of
/// `bucket` and of `check`. Emits an error and fails when an op has no
/// signature, a size is not a run-time size of the model, or a probe's op
/// does not have the signature of the op it was cloned from.
mlir::FailureOr<std::vector<TuningKernel>>
collectTuningKernels(mlir::func::FuncOp forward, const ShapeBucket &bucket,
                     const ShapeWorkload &check);

/// The kiln op of the probe function `@probe` of `module`, or null.
mlir::Operation *findProbeOp(mlir::ModuleOp module);

/// Adds to the probe's module a function with the static operand and result
/// shapes of `workload`, holding a clone of `probeOp`. Emits an error and
/// fails when the shapes do not fit the op.
mlir::FailureOr<mlir::func::FuncOp>
specializeProbe(mlir::Operation *probeOp, const KernelWorkload &workload);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_KERNELPROBE_H
