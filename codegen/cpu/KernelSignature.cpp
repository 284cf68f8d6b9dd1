//===- KernelSignature.cpp - What a kernel computes -----------------------===//
//
// The canonical key of a signature and the per-op rules of `signatureOf`:
// which attributes each op kind passes to its kernel and which dimensions
// its kernel is specialised for. Every other dimension is run-time.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelSignature.h"

#include "dialect/KilnOps.h"
#include "dialect/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace kiln;

namespace kiln {

//===----------------------------------------------------------------------===//
// TensorPattern and KernelSignature
//===----------------------------------------------------------------------===//

std::string TensorPattern::str() const {
  std::string text;
  for (int64_t dim : dims)
    text += formatDim(dim) + "x";
  return text + elementType;
}

StringRef KernelSignature::getOpKind() const {
  return StringRef(opName).split('.').second;
}

void KernelSignature::setAttr(StringRef name, SignatureValue value) {
  attributes[name.str()] = std::move(value);
}

/// The attribute `name` of `attributes`, which must hold a `T`.
template <typename T>
static const T &
getAttrAs(const std::map<std::string, SignatureValue> &attributes,
          StringRef name) {
  auto it = attributes.find(name.str());
  assert(it != attributes.end() && "signature attribute is not set");
  assert(std::holds_alternative<T>(it->second) &&
         "signature attribute has another type");
  return std::get<T>(it->second);
}

bool KernelSignature::hasAttr(StringRef name) const {
  return attributes.count(name.str()) != 0;
}

int64_t KernelSignature::getInt(StringRef name) const {
  return getAttrAs<int64_t>(attributes, name);
}

double KernelSignature::getFloat(StringRef name) const {
  return getAttrAs<double>(attributes, name);
}

StringRef KernelSignature::getString(StringRef name) const {
  return getAttrAs<std::string>(attributes, name);
}

ArrayRef<int64_t> KernelSignature::getInts(StringRef name) const {
  return getAttrAs<std::vector<int64_t>>(attributes, name);
}

/// The shortest decimal text that reads back as exactly `value`, so that
/// keys are both readable and exact.
static std::string formatExactly(double value) {
  char text[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof(text), "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  return text;
}

/// Prints an attribute value for `key()`.
static std::string formatValue(const SignatureValue &value) {
  return std::visit(
      [](const auto &v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return formatExactly(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          std::vector<std::string> items;
          for (int64_t item : v)
            items.push_back(std::to_string(item));
          return "[" + llvm::join(items, ",") + "]";
        }
      },
      value);
}

/// Prints `patterns` as a parenthesised, comma-separated list.
static std::string formatPatterns(ArrayRef<TensorPattern> patterns) {
  std::vector<std::string> items;
  for (const TensorPattern &pattern : patterns)
    items.push_back(pattern.str());
  return "(" + llvm::join(items, ",") + ")";
}

std::string KernelSignature::key() const {
  std::vector<std::string> items;
  for (const auto &[name, value] : attributes)
    items.push_back(name + "=" + formatValue(value));
  return opName + "{" + llvm::join(items, ",") + "}" +
         formatPatterns(operands) + "->" + formatPatterns(results);
}

//===----------------------------------------------------------------------===//
// signatureOf
//===----------------------------------------------------------------------===//

namespace {

/// The pattern of `value` with every dimension run-time.
TensorPattern runtimePattern(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  TensorPattern pattern;
  llvm::raw_string_ostream(pattern.elementType) << type.getElementType();
  pattern.dims.assign(type.getRank(), kRuntimeDim);
  return pattern;
}

/// Builds the signature of one op: starts with every dimension run-time and
/// lets the per-op rule bake the dimensions its kernel is specialised for.
class SignatureBuilder {
public:
  explicit SignatureBuilder(Operation *op)
      : op(op), signature(op->getName().getStringRef()) {
    for (Value operand : op->getOperands())
      signature.getOperands().push_back(runtimePattern(operand));
    for (Value result : op->getResults())
      signature.getResults().push_back(runtimePattern(result));
  }

  /// Bakes dimension `dim` (negative counts from the end) of operand
  /// `index`, which must be static in the IR; `what` names it in the error.
  LogicalResult bakeOperandDim(unsigned index, int64_t dim, StringRef what) {
    return bake(signature.getOperands()[index], op->getOperand(index), dim,
                what);
  }

  /// Like `bakeOperandDim`, for result `index`.
  LogicalResult bakeResultDim(unsigned index, int64_t dim, StringRef what) {
    return bake(signature.getResults()[index], op->getResult(index), dim, what);
  }

  /// Bakes the last dimension of every operand and result: the feature
  /// width of norms and of ops on [..., features] tensors.
  LogicalResult bakeFeatureWidth() {
    for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i)
      if (failed(bakeOperandDim(i, -1, "feature width")))
        return failure();
    for (unsigned i = 0, e = op->getNumResults(); i < e; ++i)
      if (failed(bakeResultDim(i, -1, "feature width")))
        return failure();
    return success();
  }

  /// Bakes operand `index`'s dimension `dim` if the IR knows it statically.
  void bakeOperandDimIfStatic(unsigned index, int64_t dim) {
    bakeIfStatic(signature.getOperands()[index], op->getOperand(index), dim);
  }

  /// Bakes result `index`'s dimension `dim` if the IR knows it statically.
  void bakeResultDimIfStatic(unsigned index, int64_t dim) {
    bakeIfStatic(signature.getResults()[index], op->getResult(index), dim);
  }

  /// Marks the dimensions that operand `index` broadcasts along as static 1:
  /// those of size 1 whose result dimension is not statically 1.
  void bakeBroadcastDims(unsigned index) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(op->getOperand(index).getType()).getShape();
    ArrayRef<int64_t> resultShape =
        cast<RankedTensorType>(op->getResult(0).getType()).getShape();
    ArrayRef<int64_t> aligned = resultShape.take_back(shape.size());
    for (auto [dim, size] : llvm::enumerate(shape))
      if (size == 1 && aligned[dim] != 1)
        signature.getOperands()[index].dims[dim] = 1;
  }

  /// Sets a static attribute.
  void setAttr(StringRef name, SignatureValue value) {
    signature.setAttr(name, std::move(value));
  }

  /// The finished signature.
  KernelSignature take() { return std::move(signature); }

private:
  /// The non-negative index of `dim` in a tensor of `rank` dimensions.
  static unsigned normalizeDim(int64_t dim, unsigned rank) {
    return dim < 0 ? rank + dim : dim;
  }

  /// Bakes dimension `dim` of `pattern`, the pattern of `value`, or emits
  /// an error naming it `what` when the IR leaves it dynamic.
  LogicalResult bake(TensorPattern &pattern, Value value, int64_t dim,
                     StringRef what) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(value.getType()).getShape();
    unsigned index = normalizeDim(dim, shape.size());
    if (ShapedType::isDynamic(shape[index]))
      return op->emitError() << "kernel generation needs a static " << what
                             << " (dimension " << index << " of type "
                             << value.getType() << "), got a dynamic size";
    pattern.dims[index] = shape[index];
    return success();
  }

  /// Bakes dimension `dim` of `pattern`, the pattern of `value`, as the IR
  /// gives it: static or run-time.
  void bakeIfStatic(TensorPattern &pattern, Value value, int64_t dim) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(value.getType()).getShape();
    unsigned index = normalizeDim(dim, shape.size());
    pattern.dims[index] = shape[index];
  }

  Operation *op;
  KernelSignature signature;
};

/// The canonical double of an F64 attribute.
double toDouble(const llvm::APFloat &value) { return value.convertToDouble(); }

/// The rule of each op kind: which dimensions its kernel bakes and which
/// attributes it reads.
LogicalResult describe(EmbeddingOp, SignatureBuilder &builder) {
  return failure(failed(builder.bakeOperandDim(0, 1, "embedding width")) ||
                 failed(builder.bakeResultDim(0, -1, "embedding width")));
}

LogicalResult describe(LearnedPositionsOp op, SignatureBuilder &builder) {
  std::optional<int64_t> paddingIdx = op.getPaddingIdx();
  if (!paddingIdx)
    return builder.bakeFeatureWidth();
  builder.setAttr("padding_idx", *paddingIdx);
  // The ids, [batch, seq], have no feature dimension.
  if (failed(builder.bakeOperandDim(0, -1, "feature width")) ||
      failed(builder.bakeOperandDim(1, -1, "feature width")))
    return failure();
  return builder.bakeResultDim(0, -1, "feature width");
}

LogicalResult describe(SinusoidalPositionsOp op, SignatureBuilder &builder) {
  builder.setAttr("base", toDouble(op.getBase()));
  return builder.bakeFeatureWidth();
}

LogicalResult describe(RopeOp op, SignatureBuilder &builder) {
  if (failed(builder.bakeFeatureWidth()))
    return failure();
  int64_t headDim =
      cast<RankedTensorType>(op.getInput().getType()).getShape().back();
  builder.setAttr("theta", toDouble(op.getTheta()));
  builder.setAttr("style", stringifyRopeStyle(op.getStyle()).str());
  builder.setAttr("rotary_dim",
                  static_cast<int64_t>(op.getRotaryDim().value_or(headDim)));
  std::optional<RopeScaling> scaling = op.getScaling();
  if (!scaling)
    return success();
  builder.setAttr("scaling", stringifyRopeScaling(*scaling).str());
  builder.setAttr("factor", toDouble(*op.getFactor()));
  if (*scaling == RopeScaling::Llama3) {
    builder.setAttr("low_freq_factor", toDouble(*op.getLowFreqFactor()));
    builder.setAttr("high_freq_factor", toDouble(*op.getHighFreqFactor()));
    builder.setAttr("original_max_positions",
                    static_cast<int64_t>(*op.getOriginalMaxPositions()));
  }
  return success();
}

/// Whether `weight` is an f32 model weight, which the runtime can pack once
/// at load time into the layout the kernel reads (see
/// runtime/src/WeightPacking.h).
bool isPackableWeight(Value weight) {
  auto argument = dyn_cast<BlockArgument>(weight);
  if (!argument ||
      !cast<RankedTensorType>(weight.getType()).getElementType().isF32())
    return false;
  auto func = dyn_cast<func::FuncOp>(argument.getOwner()->getParentOp());
  return func && func.getArgAttr(argument.getArgNumber(), "kiln.weight");
}

LogicalResult describe(LinearOp op, SignatureBuilder &builder) {
  // Operand indices follow the op's operand list, without absent operands.
  unsigned nextOperand = 2;
  std::optional<unsigned> bias, residual;
  if (op.getBias())
    bias = nextOperand++;
  if (op.getResidual())
    residual = nextOperand++;
  if (failed(builder.bakeOperandDim(0, -1, "in_features")) ||
      failed(builder.bakeOperandDim(1, 0, "out_features")) ||
      failed(builder.bakeOperandDim(1, 1, "in_features")) ||
      (bias && failed(builder.bakeOperandDim(*bias, 0, "out_features"))) ||
      (residual &&
       failed(builder.bakeOperandDim(*residual, -1, "out_features"))) ||
      failed(builder.bakeResultDim(0, -1, "out_features")))
    return failure();
  builder.setAttr("bias", static_cast<int64_t>(op.getBias() != nullptr));
  builder.setAttr("residual",
                  static_cast<int64_t>(op.getResidual() != nullptr));
  std::optional<ActivationKind> activation = op.getActivation();
  builder.setAttr("activation", activation
                                    ? stringifyActivationKind(*activation).str()
                                    : std::string("none"));
  builder.setAttr("packed_weight",
                  static_cast<int64_t>(isPackableWeight(op.getWeight())));
  return success();
}

LogicalResult describe(MatmulOp op, SignatureBuilder &builder) {
  // M, N and K are baked where the IR knows them; the batch is run-time.
  for (unsigned operand = 0; operand < 2; ++operand)
    for (int64_t dim : {-2, -1})
      builder.bakeOperandDimIfStatic(operand, dim);
  for (int64_t dim : {-2, -1})
    builder.bakeResultDimIfStatic(0, dim);
  builder.setAttr("transpose_lhs", static_cast<int64_t>(op.getTransposeLhs()));
  builder.setAttr("transpose_rhs", static_cast<int64_t>(op.getTransposeRhs()));
  return success();
}

LogicalResult describeBroadcast(SignatureBuilder &builder) {
  builder.bakeBroadcastDims(0);
  builder.bakeBroadcastDims(1);
  return success();
}

LogicalResult describe(ScaleOp op, SignatureBuilder &builder) {
  builder.setAttr("factor", toDouble(op.getFactor()));
  return success();
}

LogicalResult describe(ActivationOp op, SignatureBuilder &builder) {
  builder.setAttr("kind", stringifyActivationKind(op.getKind()).str());
  return success();
}

/// Norms over the last dimension, fused with a residual add or not.
template <typename NormOp>
LogicalResult describeNorm(NormOp op, SignatureBuilder &builder) {
  builder.setAttr("epsilon", toDouble(op.getEpsilon()));
  return builder.bakeFeatureWidth();
}

/// RMS norms, whose scales may be offsets from `gamma_offset`.
template <typename RmsNormOp>
LogicalResult describeRmsNorm(RmsNormOp op, SignatureBuilder &builder) {
  if (double offset = op.getGammaOffsetOrZero(); offset != 0.0)
    builder.setAttr("gamma_offset", offset);
  return describeNorm(op, builder);
}

LogicalResult describe(SoftmaxOp op, SignatureBuilder &builder) {
  builder.setAttr("axis", op.getAxisAttr().getInt());
  return success();
}

LogicalResult describe(SlidingWindowMaskOp op, SignatureBuilder &builder) {
  builder.setAttr("window", op.getWindowAttr().getInt());
  return success();
}

LogicalResult describe(SplitHeadsOp, SignatureBuilder &builder) {
  return failure(failed(builder.bakeOperandDim(0, 2, "feature width")) ||
                 failed(builder.bakeResultDim(0, 1, "head count")) ||
                 failed(builder.bakeResultDim(0, 3, "head size")));
}

LogicalResult describe(MergeHeadsOp, SignatureBuilder &builder) {
  return failure(failed(builder.bakeOperandDim(0, 1, "head count")) ||
                 failed(builder.bakeOperandDim(0, 3, "head size")) ||
                 failed(builder.bakeResultDim(0, 2, "feature width")));
}

LogicalResult describe(RepeatKvOp, SignatureBuilder &builder) {
  return failure(failed(builder.bakeOperandDim(0, 1, "key/value head count")) ||
                 failed(builder.bakeResultDim(0, 1, "head count")));
}

LogicalResult describe(TransposeOp op, SignatureBuilder &builder) {
  ArrayRef<int64_t> permutation = op.getPermutation();
  builder.setAttr("permutation",
                  std::vector<int64_t>(permutation.begin(), permutation.end()));
  return success();
}

LogicalResult describe(SliceOp op, SignatureBuilder &builder) {
  int64_t axis = op.getAxisAttr().getInt();
  builder.setAttr("axis", axis);
  builder.setAttr("offset", op.getOffsetAttr().getInt());
  return builder.bakeResultDim(0, axis, "slice size");
}

LogicalResult describe(AttentionOp op, SignatureBuilder &builder) {
  for (unsigned operand = 0; operand < 3; ++operand)
    if (failed(builder.bakeOperandDim(operand, 1, "head count")) ||
        failed(builder.bakeOperandDim(operand, 3, "head size")))
      return failure();
  if (failed(builder.bakeResultDim(0, 1, "head count")) ||
      failed(builder.bakeResultDim(0, 3, "head size")))
    return failure();
  builder.setAttr("scale", toDouble(op.getScale()));
  builder.setAttr("mask", stringifyMaskKind(op.getMask()).str());
  if (IntegerAttr window = op.getWindowAttr())
    builder.setAttr("window", window.getInt());
  builder.setAttr("key_padding",
                  static_cast<int64_t>(op.getKeyPadding() != nullptr));
  return success();
}

} // namespace

FailureOr<KernelSignature> signatureOf(Operation *op) {
  if (isa<ReshapeOp>(op))
    return op->emitError()
           << "'kiln.reshape' is a view of its operand and has no kernel";
  if (!isa<KilnDialect>(op->getDialect()))
    return op->emitError() << "expected a kiln op, got '" << op->getName()
                           << "'";
  SignatureBuilder builder(op);
  auto noAttributes = [](Operation *) { return success(); };
  LogicalResult described =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case<EmbeddingOp, LearnedPositionsOp, SinusoidalPositionsOp, RopeOp,
                LinearOp, MatmulOp, ScaleOp, ActivationOp, SoftmaxOp,
                SlidingWindowMaskOp, SplitHeadsOp, MergeHeadsOp, RepeatKvOp,
                TransposeOp, SliceOp, AttentionOp>(
              [&](auto concreteOp) { return describe(concreteOp, builder); })
          .Case<AddOp, SubOp, MulOp, DivOp>(
              [&](Operation *) { return describeBroadcast(builder); })
          .Case<LayerNormOp, AddLayerNormOp, L2NormalizeOp>(
              [&](auto concreteOp) {
                return describeNorm(concreteOp, builder);
              })
          .Case<RmsNormOp, AddRmsNormOp>([&](auto concreteOp) {
            return describeRmsNorm(concreteOp, builder);
          })
          .Case<CastOp, CausalMaskOp, PaddingMaskOp, MeanPoolOp>(noAttributes)
          .Default([](Operation *op) {
            return op->emitError()
                   << "no kernel signature rule for '" << op->getName() << "'";
          });
  if (failed(described))
    return failure();
  return builder.take();
}

} // namespace kiln
