//===- KernelSignature.h - What a kernel computes ---------------*- C++ -*-===//
//
// A kernel signature describes one native kernel: the op kind, the element
// types, the static attributes (activation, mask kind, epsilon, axis...)
// and the shape class of every operand and result, that is which
// dimensions are baked into the code (the K and N of a linear layer, the
// head size of attention) and which are read from the buffers at run time
// (batch, sequence). Every dimension that the code does not need is
// run-time, even when the IR knows it, so that as many ops as possible
// share a kernel.
//
// `key()` prints the signature canonically; ops with equal keys share one
// kernel, and the key indexes the tuning database.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_KERNELSIGNATURE_H
#define KILN_CODEGEN_CPU_KERNELSIGNATURE_H

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace kiln {

/// The size that marks a dimension read from the buffer at run time.
constexpr int64_t kRuntimeDim = mlir::ShapedType::kDynamic;

/// The shape class of one operand or result of a kernel.
struct TensorPattern {
  /// The element type as MLIR prints it: `f32`, `bf16`, `i64`, `i1`.
  std::string elementType;
  /// Per tensor dimension (outermost first): the size the code is
  /// specialised for, or kRuntimeDim.
  llvm::SmallVector<int64_t> dims;

  /// The number of dimensions.
  unsigned getRank() const { return dims.size(); }

  /// Whether tensor dimension `dim` is read from the buffer at run time.
  bool isRuntimeDim(unsigned dim) const { return dims[dim] == kRuntimeDim; }

  /// Prints the pattern like an MLIR tensor shape: `?x768xf32`.
  std::string str() const;
};

/// The value of a static attribute of a kernel: an integer (also used for
/// flags), a floating-point constant, an enum case or a list of integers.
using SignatureValue =
    std::variant<int64_t, double, std::string, std::vector<int64_t>>;

/// What a kernel computes, independent of the layer that uses it.
class KernelSignature {
public:
  /// A signature of the op named `opName` (`kiln.linear`) without operands,
  /// results or attributes.
  explicit KernelSignature(llvm::StringRef opName) : opName(opName.str()) {}

  /// The op name, e.g. `kiln.linear`.
  llvm::StringRef getOpName() const { return opName; }

  /// The op name without the dialect prefix, e.g. `linear`.
  llvm::StringRef getOpKind() const;

  /// The operands, in the order of the op's operand list (absent optional
  /// operands are not listed).
  std::vector<TensorPattern> &getOperands() { return operands; }
  const std::vector<TensorPattern> &getOperands() const { return operands; }

  /// The results, in the order of the op's result list.
  std::vector<TensorPattern> &getResults() { return results; }
  const std::vector<TensorPattern> &getResults() const { return results; }

  /// Sets static attribute `name`.
  void setAttr(llvm::StringRef name, SignatureValue value);

  /// Whether attribute `name` is set.
  bool hasAttr(llvm::StringRef name) const;

  /// The value of attribute `name`, which must be set with that type.
  int64_t getInt(llvm::StringRef name) const;
  double getFloat(llvm::StringRef name) const;
  llvm::StringRef getString(llvm::StringRef name) const;
  llvm::ArrayRef<int64_t> getInts(llvm::StringRef name) const;

  /// The canonical text of the signature, e.g.
  /// `kiln.linear{activation=gelu_tanh,bias=1,residual=0}`
  /// `(?x?x768xf32,3072x768xf32,3072xf32)->(?x?x3072xf32)`.
  /// Attributes are sorted by name and floats printed exactly, so equal
  /// signatures have equal keys and different ones different keys.
  std::string key() const;

private:
  std::string opName;
  std::vector<TensorPattern> operands;
  std::vector<TensorPattern> results;
  /// Ordered by name so that `key()` is canonical.
  std::map<std::string, SignatureValue> attributes;
};

/// Computes the kernel signature of `op`, any kiln op except `kiln.reshape`
/// (a view, which needs no kernel). Emits an error on `op` and fails for
/// other ops and when a dimension the kernel is specialised for is dynamic
/// in the IR (e.g. the input features of a linear layer).
mlir::FailureOr<KernelSignature> signatureOf(mlir::Operation *op);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_KERNELSIGNATURE_H
